import net from 'node:net';
import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { createConnection } from 'net';

@DurableService()
export class CacheService {
  @Workflow()
  async warm(_ctx: DurableContext, input: { host: string }): Promise<boolean> {
    const socket = net.connect(6379, input.host); // expect: io-outside-step
    const other = createConnection({ port: 6380 }); // expect: io-outside-step
    socket.end();
    other.end();
    // Pure helpers of the net module are not I/O.
    return net.isIP(input.host) > 0;
  }
}
