import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * What each conditional write insists on, by name, so a write reads as its
 * rule (`all(EXECUTION_EXISTS, NOT_FINISHED, HELD_BY_OWNER)`), and the one
 * place that turns such a rule and its SET/REMOVE clauses into request
 * parameters. `#status` names the `status` attribute (a reserved word); the
 * `:values` are bound by each writer, and any it binds that its expressions
 * do not use are dropped (DynamoDB refuses unused ones).
 */

/** No item has this key yet: the write creates it. */
export const NOTHING_STANDS_THERE = 'attribute_not_exists(pk)';

/** The item exists: the write never creates one. */
export const EXECUTION_EXISTS = 'attribute_exists(pk)';

/** Neither SUCCEEDED nor FAILED: a finished execution is never written again. */
export const NOT_FINISHED = 'NOT #status IN (:succeeded, :failed)';

/** The lease is held by the writing invocation (`:owner`), not by one that took it over. */
export const HELD_BY_OWNER = 'leaseOwner = :owner';

/**
 * A claim (`:owner` at `:now`) may take the lease: the execution is
 * SUSPENDED, or RUNNING without a live lease of someone else's.
 */
export const LEASE_CAN_BE_TAKEN =
  '(#status = :suspended OR (#status = :running AND ' +
  '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now OR leaseOwner = :owner)))';

/**
 * The lease is not already the one this claim asks for. If it is, this very
 * claim landed before (its answer was lost and the SDK sent it again): taking
 * it "again" would count a second invocation, a new epoch, for one claim.
 */
export const NOT_THIS_CLAIM_AGAIN = 'NOT (leaseOwner = :owner AND leaseExpiresAt = :lease)';

/** The execution is SUSPENDED: no invocation holds it (a RUNNING one's lease is judged by clocks that may disagree). */
export const IS_SUSPENDED = '#status = :suspended';

/** The execution is pinned to exactly the version `:fromVersion` of function `:fromFunctionArn`. */
export const PINNED_TO_FROM = '(pinnedVersion = :fromVersion AND pinnedFunctionArn = :fromFunctionArn)';

/** The execution was claimed exactly `:invocations` times: no invocation ran it since the writer looked. */
export const CLAIMED_EXACTLY = 'invocations = :invocations';

/** The execution runs the workflow the event asks for. */
export const SAME_WORKFLOW = 'workflow = :workflow';

/** The execution is pinned to the version the claim runs, or to none (started outside Lambda, or before pinning). */
export const SAME_VERSION_OR_UNPINNED =
  '(attribute_not_exists(pinnedVersion) OR (pinnedVersion = :pinnedVersion AND pinnedFunctionArn = :pinnedFunctionArn))';

/** The execution was started with the input the event carries (compared by hash). */
export const SAME_INPUT = 'inputHash = :inputHash';

/** The operation record stands at the expected status and attempt. */
export const AT_STATUS_AND_ATTEMPT = '#status = :status AND attempt = :attempt';

/** ...and was written by the expected epoch (records of older versions, without one, count as epoch 0). */
export const BY_EPOCH = '(epoch = :epoch OR (attribute_not_exists(epoch) AND :epoch = :zeroEpoch))';

/** Nothing asked for a resume (a completed callback, while the invocation ran). */
export const NO_RESUME_ASKED = 'attribute_not_exists(resumeAt)';

/** No resume was asked for before `:resumeAt`: suspending at `:resumeAt` does not postpone one. */
export const NO_EARLIER_RESUME_ASKED = '(attribute_not_exists(resumeAt) OR resumeAt >= :resumeAt)';

/** Resuming at `:resumeAt` is sooner than what is asked for already, if anything. */
export const RESUME_WOULD_COME_SOONER = '(attribute_not_exists(resumeAt) OR resumeAt > :resumeAt)';

/** Every condition holds. */
export function all(...conditions: string[]): string {
  return conditions.join(' AND ');
}

/** At least one of two conditions holds. */
export function either(a: string, b: string): string {
  return `(${a}) OR (${b})`;
}

/** The placeholder values of the status conditions above. */
const STATUS_VALUES: Readonly<Record<string, AttributeValue>> = {
  ':running': { S: 'RUNNING' },
  ':suspended': { S: 'SUSPENDED' },
  ':succeeded': { S: 'SUCCEEDED' },
  ':failed': { S: 'FAILED' },
};

/** One conditional UpdateItem, as its parts. */
export interface ConditionalUpdate {
  sets: string[];
  removes: string[];
  condition: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

/** The expression parameters of an UpdateItem, unused placeholders left out. */
export function updateParameters(
  update: ConditionalUpdate,
): { UpdateExpression: string; ConditionExpression: string } & Placeholders {
  const expression = `SET ${update.sets.join(', ')}${update.removes.length > 0 ? ` REMOVE ${update.removes.join(', ')}` : ''}`;
  return {
    UpdateExpression: expression,
    ConditionExpression: update.condition,
    ...usedPlaceholders(update.names, update.values, [expression, update.condition]),
  };
}

/** The expression parameters of a conditional PutItem. */
export function conditionParameters(
  condition: string,
  values: Record<string, AttributeValue>,
): { ConditionExpression: string } & Placeholders {
  return { ConditionExpression: condition, ...usedPlaceholders({}, values, [condition]) };
}

/** The expression parameters of a filtered Scan. */
export function filterParameters(
  filter: string,
  values: Record<string, AttributeValue>,
): { FilterExpression: string } & Placeholders {
  return { FilterExpression: filter, ...usedPlaceholders({}, values, [filter]) };
}

/** The placeholder maps of a request's expressions. */
interface Placeholders {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** The given names and values (and `#status` and the status values) that the expressions use. */
function usedPlaceholders(
  names: Record<string, string>,
  values: Record<string, AttributeValue>,
  expressions: string[],
): Placeholders {
  const text = expressions.join(' ');
  // `:input` must not count as used where only `:inputHash` is.
  const isUsed = (placeholder: string) => new RegExp(`${placeholder}(?![A-Za-z0-9_])`).test(text);
  const usedNames = Object.fromEntries(
    Object.entries({ '#status': 'status', ...names }).filter(([name]) => isUsed(name)),
  );
  const usedValues = Object.fromEntries(
    Object.entries({ ...STATUS_VALUES, ...values }).filter(([value]) => isUsed(value)),
  );
  // DynamoDB refuses empty maps as much as unused entries.
  return {
    ...(Object.keys(usedNames).length > 0 ? { ExpressionAttributeNames: usedNames } : {}),
    ...(Object.keys(usedValues).length > 0 ? { ExpressionAttributeValues: usedValues } : {}),
  };
}

/** A write DynamoDB refused because its condition did not hold; `Item` is what stands there, when the server says. */
export interface ConditionRefusal {
  name: 'ConditionalCheckFailedException';
  Item?: Record<string, AttributeValue>;
}

/**
 * True when `error` is a refused condition. By name, not class: the client is
 * the caller's, and may come from another copy of the SDK than this package's.
 */
export function isConditionRefusal(error: unknown): error is ConditionRefusal {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}
