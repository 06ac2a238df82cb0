import type { DurableContext, Operation } from '@aws/durable-execution-sdk-js';
import { hashSerialized } from '../journal/hash.js';
import type { OperationKind, OperationSignature } from '../journal/records.js';
import { type Envelope, readEnvelope } from './payloads.js';
import { recordedOperation } from './sdk-internals.js';

/**
 * The replay check on the SDK's records, made before an operation is handed to the SDK (which would check only
 * the type and name, and keep running after a mismatch): kind, name, and the arguments' hash where the record
 * holds it. The SDK records a step's result and error, in which this adapter keeps the hash (payloads.ts); it
 * records no duration for a wait nor input for an invoke, so those are compared by kind and name.
 */

/** How each kind of operation is recorded by the SDK: its type and subtype. */
export const SDK_SHAPES: Readonly<Record<OperationKind, { type: string; subType: string }>> = {
  step: { type: 'STEP', subType: 'Step' },
  now: { type: 'STEP', subType: 'Step' },
  random: { type: 'STEP', subType: 'Step' },
  uuid: { type: 'STEP', subType: 'Step' },
  sleep: { type: 'WAIT', subType: 'Wait' },
  invoke: { type: 'CHAINED_INVOKE', subType: 'ChainedInvoke' },
  callback: { type: 'CONTEXT', subType: 'WaitForCallback' },
  parallel: { type: 'CONTEXT', subType: 'Parallel' },
  map: { type: 'CONTEXT', subType: 'Map' },
};

/** Our position of an SDK step id: `2-1-3` is `2.1.3`, as the dynamodb engine numbers it. */
export function positionOf(stepId: string): string {
  return stepId.replaceAll('-', '.');
}

/** The replay identity of a parallel or map of `count` branches (the dynamodb engine's). */
export function branchesIdentity(count: number): { argsHash: string; args: string } {
  return { argsHash: hashSerialized(String(count)), args: `${count} branches` };
}

/**
 * The signature recorded at `stepId` when it is not the one the code calls now (`actual`, with `branches` for a
 * parallel or map); undefined when it is. What the record does not hold is not compared.
 */
export function replayMismatch(
  context: DurableContext,
  stepId: string,
  recorded: Operation,
  actual: OperationSignature,
  branches?: number,
): OperationSignature | undefined {
  const { signature, knowsKind, knowsArgs } = recordedSignature(context, stepId, recorded, branches);
  const shape = SDK_SHAPES[actual.kind];
  const sameKind = knowsKind
    ? signature.kind === actual.kind
    : recorded.Type === shape.type && recorded.SubType === shape.subType;
  if (sameKind && signature.name === actual.name && (!knowsArgs || signature.argsHash === actual.argsHash)) {
    return undefined;
  }
  return signature;
}

/**
 * What is recorded at `stepId`, as a signature of this package, and which of its parts the record holds. For a
 * parallel or map still under way, `branches` is what the code asks for now: the recorded count is known only
 * when more branches than that were recorded.
 */
export function recordedSignature(
  context: DurableContext,
  stepId: string,
  recorded: Operation,
  branches?: number,
): { signature: OperationSignature; knowsKind: boolean; knowsArgs: boolean } {
  const name = recorded.Name ?? '';
  const type = recorded.Type as string | undefined;
  if (type === 'STEP') {
    const envelope = stepEnvelope(recorded);
    const signature: OperationSignature = {
      kind: envelope?.kind ?? 'step',
      name,
      argsHash: envelope?.argsHash ?? '',
      ...(envelope?.args === undefined ? {} : { args: envelope.args }),
    };
    return { signature, knowsKind: envelope !== undefined, knowsArgs: envelope?.argsHash !== undefined };
  }
  const kind = kindOf(recorded);
  if (kind === 'parallel' || kind === 'map') {
    const count = branchCount(context, stepId, recorded, branches ?? 0);
    const identity = count === undefined ? { argsHash: '' } : branchesIdentity(count);
    return { signature: { kind, name, ...identity }, knowsKind: true, knowsArgs: count !== undefined };
  }
  // An operation only other code records (a plain child context, a callback of its own) is compared by its shape.
  return {
    signature: { kind: kind ?? 'step', name, argsHash: '' },
    knowsKind: kind !== undefined,
    knowsArgs: kind === 'callback',
  };
}

/** The envelope a step's record holds: its result, or the error of its last failed attempt. */
function stepEnvelope(recorded: Operation): Envelope | undefined {
  const details = recorded.StepDetails;
  return readEnvelope(details?.Result) ?? readEnvelope(details?.Error?.ErrorData);
}

/** The kind of operation of this package a record of the SDK is (steps aside: their envelope says). */
function kindOf(recorded: Operation): OperationKind | undefined {
  const shape = `${recorded.Type}/${recorded.SubType}`;
  const kinds = ['sleep', 'invoke', 'callback', 'parallel', 'map'] as const;
  return kinds.find((kind) => `${SDK_SHAPES[kind].type}/${SDK_SHAPES[kind].subType}` === shape);
}

/**
 * How many branches a recorded parallel or map had: its result says so once it ended; while under way, the
 * branches recorded so far are a lower bound, which tells only when it exceeds `asked` (the code's count now).
 */
function branchCount(context: DurableContext, stepId: string, recorded: Operation, asked: number): number | undefined {
  const result = recorded.ContextDetails?.Result;
  if (result !== undefined && result !== '') {
    try {
      const parsed = JSON.parse(result) as { all?: unknown; totalCount?: unknown };
      if (Array.isArray(parsed.all)) return parsed.all.length;
      if (typeof parsed.totalCount === 'number') return parsed.totalCount;
    } catch {
      // Not a batch result of the SDK's: the count stays unknown.
    }
    return undefined;
  }
  let started = 0;
  while (recordedOperation(context, `${stepId}-${started + 1}`) !== undefined) started += 1;
  return started > asked ? started : undefined;
}
