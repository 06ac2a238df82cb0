import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { RequestCounter } from '../support/request-counter.js';

const TABLE = 'durable-test';

interface Plan {
  steps: number;
  valueBytes?: number;
  /** Sleep after the steps, long enough to suspend the first invocation. */
  suspendAfter?: boolean;
}

let executed = 0;

@DurableService({ name: 'costs' })
class CostService {
  @Workflow()
  async run(ctx: DurableContext, plan: Plan): Promise<number> {
    let total = 0;
    for (let i = 0; i < plan.steps; i++) total += (await this.work(i, plan.valueBytes ?? 0)).length;
    if (plan.suspendAfter) await ctx.sleep('pause', { hours: 1 });
    return total;
  }

  @Step()
  async work(index: number, valueBytes: number): Promise<string> {
    executed++;
    // Incompressible when large, so the store must chunk it.
    return valueBytes > 0 ? randomBytes(valueBytes / 2).toString('hex') : `result-${index}-abcdefghijklmnopqrstuvwxyz`;
  }
}

describe.each(['dynalite', 'dynamodb-local'] as const)('DynamoDB request costs on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const counter = new RequestCounter(client);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  let clock = Date.now();
  const handler = createHandler(CostService, { store, now: () => clock, maxPayloadBytes: 4 * 1024 * 1024 });
  const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };
  afterAll(() => client.destroy());

  it.each([1, 10, 100])('a fresh %i-step run costs one PutItem per step and 2 other requests', async (steps) => {
    counter.reset();
    const result = await handler({ executionId: randomUUID(), input: { steps } });
    expect(result.status).toBe('SUCCEEDED');
    expect(counter.count('PutItem')).toBe(steps);
    expect(counter.total() - steps).toBeLessThanOrEqual(3);
    expect(counter.count('GetItem')).toBe(0);
    expect(counter.count('Query')).toBe(0);
  });

  it.each([
    { steps: 1000, valueBytes: 0 },
    { steps: 3, valueBytes: 1024 * 1024 },
  ])(
    'resuming a journal of $steps steps of $valueBytes-byte values reads it with one paginated query, no per-step reads',
    async (plan) => {
      const executionId = randomUUID();
      const first = await handler({ executionId, input: { ...plan, suspendAfter: true } }, lambdaContext);
      expect(first.status).toBe('SUSPENDED');
      const executedBefore = executed;
      counter.reset();
      clock += 2 * 3_600_000;
      const resumed = await handler({ executionId }, lambdaContext);
      expect(resumed.status).toBe('SUCCEEDED');
      expect(executed).toBe(executedBefore);
      expect(counter.count('GetItem')).toBe(0);
      expect(counter.count('PutItem')).toBe(0);
      // One Query, in as many pages as 1 MB pages the journal needs.
      const journalBytes = plan.steps * (plan.valueBytes > 0 ? plan.valueBytes / 2 : 300);
      expect(counter.count('Query')).toBeGreaterThanOrEqual(1);
      expect(counter.count('Query')).toBeLessThanOrEqual(1 + Math.ceil(journalBytes / (1024 * 1024)));
      expect(counter.count('UpdateItem')).toBe(2); // claim and finish
    },
  );

  it('answering a finished execution runs nothing and reads no journal', async () => {
    const executionId = randomUUID();
    await handler({ executionId, input: { steps: 3 } });
    const executedBefore = executed;
    counter.reset();
    const again = await handler({ executionId, input: { steps: 3 } });
    expect(again).toEqual({
      status: 'SUCCEEDED',
      executionId,
      output: 3 * 'result-0-abcdefghijklmnopqrstuvwxyz'.length,
    });
    expect(executed).toBe(executedBefore);
    expect(counter.count('Query')).toBe(0);
    expect(counter.count('PutItem')).toBe(0);
    // The refused claim, and the read that tells why.
    expect(counter.total()).toBe(2);
  });
});
