import type { CheckpointStore, ExecutionRecord, ListExecutionsQuery } from '@durable/core';
import { CliError, UsageError } from './cli-error.js';

/** Every execution the query matches, across pages: what a lookup by id alone has to read. */
export async function allExecutions(
  store: CheckpointStore,
  query: Omit<ListExecutionsQuery, 'cursor' | 'limit'> = {},
): Promise<ExecutionRecord[]> {
  const executions: ExecutionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listExecutions({ ...query, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    executions.push(...page.executions);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return executions;
}

/**
 * The execution with this id: of `service` when given, else of whichever
 * service has one. Ids are unique per service only, so two services with the
 * same id ask for `--service` (exit 2).
 *
 * @throws CliError when there is none.
 */
export async function findExecution(
  store: CheckpointStore,
  executionId: string,
  service: string | undefined,
): Promise<ExecutionRecord> {
  if (service !== undefined) {
    const record = await store.getExecution({ service, executionId });
    if (record === undefined) throw new CliError(`No execution '${executionId}' of service '${service}'.`);
    return record;
  }
  const matches = (await allExecutions(store)).filter((e) => e.executionId === executionId);
  if (matches.length === 0) throw new CliError(`No execution '${executionId}'.`);
  if (matches.length > 1) {
    throw new UsageError(
      `${matches.length} services have an execution '${executionId}' (${matches.map((m) => m.service).join(', ')}): ` +
        'name one with --service.',
    );
  }
  return matches[0]!;
}
