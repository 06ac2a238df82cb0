import { type DurableContext, DurableService, Workflow } from '@durable/core';
import * as uuid from 'uuid';
import { v4 as uuidv4, v1, v7 } from 'uuid';

@DurableService()
export class OrderIdService {
  @Workflow()
  async ids(_ctx: DurableContext): Promise<string[]> {
    const time = v1(); // expect: nondeterministic-random
    const random = uuidv4(); // expect: nondeterministic-random
    const sortable = v7(); // expect: nondeterministic-random
    const viaNamespace = uuid.v4(); // expect: nondeterministic-random
    return [time, random, sortable, viaNamespace];
  }
}
