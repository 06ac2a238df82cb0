import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  ConfigurationError,
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  Step,
  StoreUnavailableError,
  Workflow,
} from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { RequestCounter } from '../support/request-counter.js';

const TABLE = 'durable-test';

/**
 * Fails requests the way DynamoDB does under load: inside the SDK's retry loop
 * (finalizeRequest, after the retry middleware), so the client's own retry
 * strategy sees them as it would see a real 500 or throttling answer.
 */
class FaultInjector {
  /** Requests still to fail; Infinity for a persistent outage. */
  remaining = 0;
  kind: 'throttle' | 'server' = 'server';
  injected = 0;

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next) => async (args) => {
        if (this.remaining > 0) {
          this.remaining--;
          this.injected++;
          const throttled = this.kind === 'throttle';
          throw Object.assign(
            new Error(throttled ? 'Rate of requests exceeds the allowed throughput' : 'Internal server error'),
            {
              name: throttled ? 'ThrottlingException' : 'InternalServerError',
              $fault: throttled ? 'client' : 'server',
              $metadata: { httpStatusCode: throttled ? 400 : 500 },
            },
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'faultInjector' },
    );
  }
}

const sideEffects: string[] = [];

@DurableService({ name: 'faults' })
class FaultService {
  @Workflow()
  async run(_ctx: DurableContext, input: { tag: string }): Promise<string[]> {
    const out: string[] = [];
    for (let i = 1; i <= 4; i++) out.push(await this.effect(`${input.tag}:${i}`));
    return out;
  }

  @Step()
  async effect(name: string): Promise<string> {
    sideEffects.push(name);
    return name.toUpperCase();
  }
}

describe.each(['dynalite', 'dynamodb-local'] as const)('store faults on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const faults = new FaultInjector(client);
  const counter = new RequestCounter(client);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  const handler = createHandler(FaultService, { store });
  afterAll(() => client.destroy());

  it.each(['throttle', 'server'] as const)(
    '%s errors are retried by the SDK and the execution completes',
    async (kind) => {
      const tag = randomUUID();
      faults.kind = kind;
      faults.remaining = 2; // under the SDK's default of 3 attempts
      const injectedBefore = faults.injected;
      const result = await handler({ executionId: tag, input: { tag } });
      expect(faults.injected - injectedBefore).toBe(2);
      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        output: [1, 2, 3, 4].map((i) => `${tag}:${i}`.toUpperCase()),
      });
      expect(sideEffects.filter((s) => s.startsWith(tag))).toHaveLength(4);
    },
  );

  it.each([
    ['pipelined checkpoints (the default)', true],
    ['pipelineCheckpoints: false', false],
  ])(
    'a persistent outage fails the invocation with a retryable StoreUnavailableError, and a retry resumes cleanly, with %s',
    async (_mode, pipelined) => {
      const tag = randomUUID();
      // Let the claim and the first step through, then fail everything.
      counter.reset();
      let sent = 0;
      client.middlewareStack.add(
        (next) => async (args) => {
          sent++;
          if (sent === 3) faults.remaining = Number.POSITIVE_INFINITY;
          return next(args);
        },
        { step: 'initialize', name: `outage${tag}` },
      );
      const failed = createHandler(FaultService, { store, pipelineCheckpoints: pipelined })({
        executionId: tag,
        input: { tag },
      });
      await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(failed).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      const error = (await failed.catch((e: unknown) => e)) as StoreUnavailableError;
      expect((error.cause as Error).name).toBe('InternalServerError');
      client.middlewareStack.remove(`outage${tag}`);
      faults.remaining = 0;

      // The journal holds only whole records: the steps that were recorded, and nothing half-written.
      const journal = await store.loadJournal({ service: 'faults', executionId: tag });
      expect(journal.every((r) => r.status === 'SUCCEEDED')).toBe(true);
      const recorded = journal.length;
      expect(recorded).toBeLessThan(4);

      // The outage is over: Lambda's retry (here, after the lease) resumes from the journal.
      const retried = createHandler(FaultService, { store, now: () => Date.now() + 20 * 60_000 });
      const result = await retried({ executionId: tag, input: { tag } });
      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        output: [1, 2, 3, 4].map((i) => `${tag}:${i}`.toUpperCase()),
      });
      const effects = sideEffects.filter((s) => s.startsWith(tag));
      // Recorded steps did not run again, the others at most twice: with pipelining, the steps that ran while their
      // writes were failing; without it, only the step in flight when the outage began.
      for (let i = 1; i <= 4; i++) {
        const runs = effects.filter((e) => e === `${tag}:${i}`).length;
        expect(runs, `step ${i}`).toBe(i <= recorded ? 1 : runs === 2 ? 2 : 1);
      }
      expect(effects.length).toBeLessThanOrEqual(pipelined ? 4 + (4 - recorded) : 5);
    },
  );

  it('a missing table is a ConfigurationError that names it, not a retryable fault', async () => {
    const missing = createHandler(FaultService, {
      store: new DynamoDbStore({ client, tableName: 'no-such-table' }),
    });
    const run = missing({ executionId: randomUUID(), input: { tag: 'x' } });
    await expect(run).rejects.toBeInstanceOf(ConfigurationError);
    await expect(run).rejects.toThrow(/no-such-table.*createTable/);
  });
});
