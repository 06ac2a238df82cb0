import type { ClaimOutcome, ClaimRequest } from '../checkpoint-store.js';
import { claimDecision } from '../store-rules.js';
import {
  all,
  type ConditionalUpdate,
  EXECUTION_EXISTS,
  either,
  LEASE_CAN_BE_TAKEN,
  NOT_THIS_CLAIM_AGAIN,
  NOTHING_STANDS_THERE,
  SAME_INPUT,
  SAME_VERSION_OR_UNPINNED,
  SAME_WORKFLOW,
} from './conditions.js';
import { type Item, toExecutionRecord, ttlSeconds } from './items.js';
import { duePartition, META_CHUNK_OWNER, partitionKey } from './keys.js';
import type { TableIo } from './table-io.js';
import { META_INPUT_BUDGET_BYTES, ValueEncoder } from './values.js';

/** Rounds after which a claim that keeps losing races to other claims reports the execution busy. */
const MAX_ROUNDS = 4;

/**
 * A claim: one conditional UpdateItem that creates the execution or takes its
 * lease, and, when refused, a read that decides why (finished, busy,
 * conflicting, missing) by the rules every store shares (store-rules.ts).
 *
 * A refused claim that finds the execution leased to its own `owner` has
 * claimed it: its write landed and the answer was lost (the SDK sent it again
 * and the repeat was refused), or a racing round of this same call created
 * it. It reports the record it finds, without writing again, so one claim
 * never counts two invocations and never ends busy against its own lease.
 */
export async function claimExecution(io: TableIo, request: ClaimRequest): Promise<ClaimOutcome> {
  const encoder = new ValueEncoder({
    pk: partitionKey(request.key),
    owner: META_CHUNK_OWNER,
    maxValueBytes: io.maxValueBytes,
    budgetBytes: META_INPUT_BUDGET_BYTES,
    ttlSeconds: request.expiresAt === undefined ? undefined : ttlSeconds(request.expiresAt),
  });
  // Encoded once per call: a chunked input has one write id however many rounds the claim takes, and its chunks
  // are written at most once, so no round leaves a set of orphaned chunks behind.
  const input =
    request.input === undefined ? undefined : encoder.encode('input', request.input.serialized, 'the workflow input');
  const chunked = encoder.chunks.length > 0;
  let chunksWritten = false;
  // A chunked input is written only by a claim that creates the execution, so an event refused as busy, finished
  // or conflicting writes nothing: such an event first tries the existing execution, then (if absent) creates it.
  let createOnly = false;
  const takeOver = all(
    LEASE_CAN_BE_TAKEN,
    NOT_THIS_CLAIM_AGAIN,
    ...(request.workflow === undefined ? [] : [SAME_WORKFLOW]),
    ...(request.input === undefined ? [] : [SAME_INPUT]),
    ...(request.version === undefined ? [] : [SAME_VERSION_OR_UNPINNED]),
  );
  const canCreate = request.input !== undefined && request.workflow !== undefined;

  for (let round = 1; ; round++) {
    let condition: string;
    if (chunked && !createOnly) {
      condition = all(EXECUTION_EXISTS, takeOver);
    } else if (chunked) {
      condition = NOTHING_STANDS_THERE;
      if (!chunksWritten) await io.writeChunks(encoder.chunks);
      chunksWritten = true;
    } else if (canCreate) {
      condition = either(NOTHING_STANDS_THERE, takeOver);
    } else {
      condition = all(EXECUTION_EXISTS, takeOver);
    }
    // Existing executions keep their input (the hash is compared): a chunked one is only sent to create.
    const written = await io.updateReturningItem(
      request.key,
      claimUpdate(request, chunked && !createOnly ? undefined : input, condition),
    );
    if (written !== undefined) return claimedFrom(io, written, request);

    const current = await io.getExecution(request.key);
    if (current === undefined && chunked && canCreate && !createOnly) {
      createOnly = true;
      continue;
    }
    const decision = claimDecision(current, request);
    if (decision.kind !== 'claimed') return decision;
    if (current?.status === 'RUNNING' && current.leaseOwner === request.owner) {
      return { kind: 'claimed', record: current, isNew: current.invocations === 1 };
    }
    // Claimable after all: the record changed between the refused write and the read. Decide again; if another
    // claim created it meanwhile, as an existing execution, which keeps its own input.
    if (current !== undefined) createOnly = false;
    if (round >= MAX_ROUNDS) {
      if (current !== undefined) return { kind: 'busy', record: current };
      throw new Error(
        `the claim of execution '${request.key.executionId}' (${request.key.service}) was refused ${round} times ` +
          'although nothing stands there: the table may be changing under it (TTL deletion?); retry the event',
      );
    }
  }
}

/** The write of a claim: RUNNING, leased to the claimer, one more invocation; a new execution's fields if absent. */
function claimUpdate(request: ClaimRequest, input: Item | undefined, condition: string): ConditionalUpdate {
  const names: Record<string, string> = {};
  const values: Item = {
    ':owner': { S: request.owner },
    ':now': { N: String(request.now) },
    ':lease': { N: String(request.leaseExpiresAt) },
    ':service': { S: request.key.service },
    ':id': { S: request.key.executionId },
    ':zero': { N: '0' },
    ':one': { N: '1' },
    ':duePk': { S: duePartition(request.key.service) },
  };
  const sets = [
    'service = :service',
    'executionId = :id',
    '#status = :running',
    'leaseOwner = :owner',
    'leaseExpiresAt = :lease',
    'updatedAt = :now',
    'createdAt = if_not_exists(createdAt, :now)',
    // The claim epoch: the invocation's operation records carry it.
    'invocations = if_not_exists(invocations, :zero) + :one',
    // In the sweeper's index until finished: a lease that expires unreleased makes the execution due.
    'duePk = :duePk',
    'dueAt = :lease',
  ];
  const keepFirst = (attribute: string, placeholder: string, value: Item[string]) => {
    values[placeholder] = value;
    sets.push(`${attribute} = if_not_exists(${attribute}, ${placeholder})`);
  };
  // Fixed when the execution is created; the TTL pair is written together (items.ts, expiryAttributes).
  // Engines built before these fields existed do not send them: such executions get none.
  if (request.timeoutAt !== undefined) keepFirst('timeoutAt', ':timeoutAt', { N: String(request.timeoutAt) });
  if (request.expiresAt !== undefined) {
    keepFirst('expiresAtMs', ':expiresAtMs', { N: String(request.expiresAt) });
    keepFirst('expiresAt', ':ttl', { N: String(ttlSeconds(request.expiresAt)) });
  }
  if (request.workflow !== undefined) {
    keepFirst('workflow', ':workflow', { S: request.workflow });
  }
  if (request.secret !== undefined) keepFirst('secret', ':secret', { S: request.secret });
  if (request.version !== undefined) {
    // The pair is written together: both set by the claim that creates (or first pins) the execution.
    keepFirst('pinnedFunctionArn', ':pinnedFunctionArn', { S: request.version.functionArn });
    keepFirst('pinnedVersion', ':pinnedVersion', { S: request.version.version });
  }
  if (request.input !== undefined) keepFirst('inputHash', ':inputHash', { S: request.input.hash });
  if (input !== undefined) {
    const [[field, value]] = Object.entries(input) as [[string, Item[string]]];
    names['#input'] = field;
    keepFirst('#input', ':input', value);
  }
  return { sets, removes: ['resumeAt'], condition, names, values };
}

async function claimedFrom(io: TableIo, item: Item, request: ClaimRequest): Promise<ClaimOutcome> {
  const isNew = Number(item.invocations?.N) === 1;
  // A new execution's input is the one just sent: no need to read its chunks back.
  const record =
    isNew && request.input !== undefined
      ? toExecutionRecord(item, new Map(), request.input.serialized)
      : await io.executionFrom(item);
  return { kind: 'claimed', record, isNew };
}
