import type { ExecutionKey, ExecutionRecord } from '../../journal/records.js';
import type { ConditionalWriteOutcome, ExecutionTransition } from '../checkpoint-store.js';
import { isFinished } from '../store-rules.js';
import {
  all,
  type ConditionalUpdate,
  EXECUTION_EXISTS,
  HELD_BY_OWNER,
  NO_EARLIER_RESUME_ASKED,
  NO_RESUME_ASKED,
  NOT_FINISHED,
} from './conditions.js';
import { expiryAttributes, ttlSeconds } from './items.js';
import { duePartition, META_CHUNK_OWNER, metaKey, partitionKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';
import type { TableIo } from './table-io.js';
import { isItemTooLarge, META_OUTCOME_BUDGET_BYTES, ValueEncoder } from './values.js';

/**
 * The writes that end (SUCCEEDED, FAILED) or pause (SUSPENDED) an execution:
 * one conditional UpdateItem of its `#meta` item, fenced by the lease.
 */
export async function transitionExecution(
  io: TableIo,
  key: ExecutionKey,
  owner: string,
  to: ExecutionTransition,
  now: number,
): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
  const update: ConditionalUpdate = {
    sets: ['#status = :to', 'updatedAt = :now'],
    removes: ['leaseOwner', 'leaseExpiresAt'],
    // Fenced by the lease: an invocation whose lease was taken over never ends or pauses the newer one's run.
    condition: all(EXECUTION_EXISTS, NOT_FINISHED, HELD_BY_OWNER),
    names: {},
    values: { ':to': { S: to.status }, ':now': { N: String(now) }, ':owner': { S: owner } },
  };
  if (to.status === 'SUSPENDED') return suspend(io, key, owner, update, to.resumeAt);
  update.removes.push('resumeAt', 'duePk', 'dueAt');
  for (const [attribute, value] of Object.entries(expiryAttributes(to.expiresAt))) {
    update.sets.push(`${attribute} = :${attribute}`);
    update.values[`:${attribute}`] = value;
  }
  const [field, text] = to.status === 'SUCCEEDED' ? ['output', to.output] : ['error', to.error];
  // The output keeps to its half of the item's budget (values.ts): the input may hold the other half.
  const outcome = await finish(io, key, update, field, text, to.expiresAt, META_OUTCOME_BUDGET_BYTES);
  if (outcome !== 'too-large') return outcome;
  // Only items of older versions, whose input could take the whole budget inline, get here: chunk the value.
  const retried = await finish(io, key, update, field, text, to.expiresAt, 0);
  if (retried === 'too-large') throw new Error(`the #meta item of execution '${key.executionId}' is over 400 KB`);
  return retried;
}

/** One finishing write of the output or error, unless the item would pass 400 KB with it inline. */
async function finish(
  io: TableIo,
  key: ExecutionKey,
  update: ConditionalUpdate,
  field: string,
  text: string,
  expiresAt: number | undefined,
  budgetBytes: number,
): Promise<ConditionalWriteOutcome<ExecutionRecord> | 'too-large'> {
  const encoder = new ValueEncoder({
    pk: partitionKey(key),
    owner: META_CHUNK_OWNER,
    maxValueBytes: io.maxValueBytes,
    budgetBytes,
    ttlSeconds: expiresAt === undefined ? undefined : ttlSeconds(expiresAt),
  });
  const encoded = encoder.encode(field, text, `the ${field} of execution '${key.executionId}'`);
  const parts: ConditionalUpdate = {
    ...update,
    sets: [...update.sets],
    names: { ...update.names },
    values: { ...update.values },
  };
  for (const [attribute, value] of Object.entries(encoded)) {
    parts.names[`#${attribute}`] = attribute;
    parts.values[`:${attribute}`] = value;
    parts.sets.push(`#${attribute} = :${attribute}`);
  }
  if (encoder.chunks.length > 0 && expiresAt === undefined) {
    // Chunks expire with their record; without a new expiry the finish keeps the execution's (one rare read).
    const ttl = (await io.getItem(metaKey(key), TTL_ATTRIBUTE))?.[TTL_ATTRIBUTE];
    if (ttl !== undefined) for (const chunk of encoder.chunks) chunk[TTL_ATTRIBUTE] = ttl;
  }
  await io.writeChunks(encoder.chunks);
  try {
    return await io.updateExecution(key, parts);
  } catch (error) {
    if (isItemTooLarge(error) && encoder.chunks.length === 0) return 'too-large';
    throw error;
  }
}

/**
 * Suspends, keeping the earliest of the asked `resumeAt` and one requested
 * while the invocation ran (a callback completed): the conditional write
 * refuses to raise an earlier `resumeAt`, and the retry keeps that one.
 */
async function suspend(
  io: TableIo,
  key: ExecutionKey,
  owner: string,
  update: ConditionalUpdate,
  resumeAt: number | undefined,
): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
  for (let round = 0; round < 3; round++) {
    const parts: ConditionalUpdate = { ...update, sets: [...update.sets], removes: [...update.removes] };
    if (resumeAt === undefined) {
      parts.condition = all(update.condition, NO_RESUME_ASKED);
      parts.removes.push('duePk', 'dueAt');
    } else {
      parts.values = {
        ...update.values,
        ':resumeAt': { N: String(resumeAt) },
        ':duePk': { S: duePartition(key.service) },
      };
      parts.sets.push('resumeAt = :resumeAt', 'duePk = :duePk', 'dueAt = :resumeAt');
      parts.condition = all(update.condition, NO_EARLIER_RESUME_ASKED);
    }
    const outcome = await io.updateExecution(key, parts);
    const current = outcome.ok ? undefined : outcome.current;
    if (outcome.ok || current === undefined || isFinished(current.status) || current.leaseOwner !== owner) {
      return outcome;
    }
    resumeAt = current.resumeAt;
  }
  return { ok: false, current: await io.getExecution(key) };
}
