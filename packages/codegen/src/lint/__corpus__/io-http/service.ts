import https, { request } from 'node:https';
import { type DurableContext, DurableService, Workflow } from '@durable/core';
import * as http from 'http';

@DurableService()
export class CallbackService {
  @Workflow()
  async notify(_ctx: DurableContext, input: { url: string }): Promise<void> {
    https.request(input.url).end(); // expect: io-outside-step
    http.get(input.url); // expect: io-outside-step
    request(input.url, { method: 'POST' }).end(); // expect: io-outside-step
  }
}
