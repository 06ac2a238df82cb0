/**
 * Powertools for AWS Lambda's idempotency utility: each step is a function wrapped with `makeIdempotent`, its
 * payload `{ executionId, step }` is the idempotency key, and its DynamoDB persistence layer uses the same
 * client settings as `durable`, on the table its documentation asks for (partition key `id`, TTL on
 * `expiration`). The Lambda context is registered as its docs require for wrapped functions, so in-progress
 * records get an expiry. A resume runs the same loop again: every step returns its stored result.
 */
import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { localClient } from '../../test/support/dynamodb-servers.js';
import { endpointOf, type SystemBench, stepResult } from '../harness.js';
import { createIdTable } from '../tables.js';
import { idempotentStepRounds } from './idempotent-steps.js';

type LambdaContextArg = Parameters<IdempotencyConfig['registerLambdaContext']>[0];

/** `powertools` on either local DynamoDB server. */
export const powertools: SystemBench = {
  system: 'powertools',
  async setUp(job) {
    const client = localClient(endpointOf(job));
    const tableName = `powertools-${randomUUID()}`;
    await createIdTable(client, tableName);
    if (job.store === 'dynamodb-local') {
      // dynalite has no UpdateTimeToLive; TTL only removes expired records, which no run here lives to see.
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        }),
      );
    }
    const config = new IdempotencyConfig({});
    config.registerLambdaContext({ getRemainingTimeInMillis: () => 60_000 } as LambdaContextArg);
    const step = makeIdempotent(async (request: { executionId: string; step: number }) => stepResult(request.step), {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config,
    });
    return idempotentStepRounds(job, client, (executionId, i) => step({ executionId, step: i }));
  },
};
