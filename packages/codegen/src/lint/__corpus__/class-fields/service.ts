import { randomUUID } from 'node:crypto';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

/** A new instance serves every invocation: field initializers and the constructor run on each replay. */
@DurableService()
export class InstanceService {
  static readonly bootId = randomUUID(); // expect: nondeterministic-random
  private readonly createdAt = Date.now(); // expect: nondeterministic-time
  private readonly region = process.env.AWS_REGION ?? 'eu-west-1';
  readonly later = () => Math.random();
  private readonly weight: number;

  constructor() {
    this.weight = Math.random(); // expect: nondeterministic-random
  }

  @Workflow()
  async run(_ctx: DurableContext): Promise<string> {
    return `${InstanceService.bootId}-${this.createdAt}-${this.region}-${this.weight}`;
  }
}
