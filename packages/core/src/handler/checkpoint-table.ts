import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceDefinition } from '../decorators/metadata.js';
import { ConfigurationError } from '../errors.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { DynamoDbStore } from '../stores/dynamodb/dynamodb-store.js';

/** Where a handler's journal lives, as its options say. */
export interface StoreChoice {
  store?: CheckpointStore | undefined;
  table?: string | undefined;
}

/**
 * The store a handler uses: the one passed; else DynamoDB on the checkpoint table. The table may be named in three
 * places: `createHandler(..., { table })` (what a generated handler passes: the table `durable-gen generate`
 * resolved and wrote into its IAM policy), `@DurableService({ table })`, and `DURABLE_TABLE`. Each is enough
 * alone; when several name one, they must name the same table, since the function's policy allows one table and
 * quietly picking either would fail (or write) where no one looks.
 */
export function resolveStore(
  options: StoreChoice,
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
): CheckpointStore {
  if (options.store !== undefined) return options.store;
  if (options.table === '') {
    throw new ConfigurationError(`createHandler(${definition.className}): table must name a DynamoDB table.`);
  }
  const named = [
    {
      by: 'createHandler({ table }) (the generated handler, as durable-gen generate resolved it)',
      table: options.table,
    },
    { by: '@DurableService({ table })', table: definition.options.table },
    { by: 'DURABLE_TABLE', table: env.DURABLE_TABLE === '' ? undefined : env.DURABLE_TABLE },
  ].filter((name): name is { by: string; table: string } => name.table !== undefined);
  const [first] = named;
  if (first === undefined) {
    throw new ConfigurationError(
      `${definition.className} has no checkpoint table: set DURABLE_TABLE on the function to the DynamoDB table, ` +
        'name it in @DurableService({ table }), or use the handler durable-gen generate writes (generate --table ' +
        'writes the table into it); or pass createHandler(..., { table }) or { store }.',
    );
  }
  const other = named.find((name) => name.table !== first.table);
  if (other !== undefined) {
    const fix =
      other.by === 'DURABLE_TABLE'
        ? `Unset DURABLE_TABLE (or set it to '${first.table}'); to use '${other.table}', name it in ` +
          `@DurableService({ table }) or run durable-gen generate --table ${other.table}, then deploy the new ` +
          'handler with its policy.'
        : "Make them agree: durable-gen generate writes the decorator's table into the handler it generates.";
    throw new ConfigurationError(
      `${definition.className} is given two checkpoint tables: '${first.table}' by ${first.by}, and ` +
        `'${other.table}' by ${other.by}; its IAM policy allows one table. ${fix}`,
    );
  }
  // The client reads region, credentials and endpoint (AWS_ENDPOINT_URL_DYNAMODB) from the environment.
  return new DynamoDbStore({ client: new DynamoDBClient({}), tableName: first.table });
}
