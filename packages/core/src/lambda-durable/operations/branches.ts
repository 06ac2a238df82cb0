import type { BatchItem, DurableContext as SdkContext } from '@aws/durable-execution-sdk-js';
import { runInScope, type Scope } from '../../context/active-scope.js';
import { CarriedError, carriedBy } from '../carried-errors.js';
import { NEVER, type SdkExecution, type SdkScope } from '../execution.js';
import { encodeValue, envelopeValue, passThrough, readEnvelope } from '../payloads.js';
import { branchesIdentity, positionOf } from '../replay-check.js';
import { contextStepId } from '../sdk-internals.js';

/** Every branch runs to its end, failed ones included, as on the dynamodb engine (the SDK's default stops early). */
const RUN_EVERY_BRANCH = { toleratedFailurePercentage: 100 };

/**
 * `ctx.parallel` and `ctx.map` as the SDK's `context.parallel` and `context.map`: each branch runs in a child
 * context of the SDK, bound to a scope of its own (positions `<position>.<branch>`, as the dynamodb engine's), so
 * `@Step` methods called in it record there. Waits for every branch; if any failed, throws the failure of the
 * first failing branch by index. A branch that now ends before operations it once recorded fails the execution
 * before anything after it runs.
 */
export async function runBranches<T>(
  execution: SdkExecution,
  scope: Scope,
  kind: 'parallel' | 'map',
  name: string,
  branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
  maxConcurrency: number,
): Promise<T[]> {
  const count = branches.length;
  const begun = execution.begin(scope, { kind, name, ...branchesIdentity(count) }, count);
  const { maxPayloadBytes } = execution.settings;

  const runBranch = async (child: SdkContext, index: number): Promise<string> => {
    if (!execution.mayRun(scope)) return NEVER;
    const branchScope: SdkScope = {
      execution,
      prefix: positionOf(contextStepId(child) ?? `${begun.stepId}-${index + 1}`),
      counter: 0,
      basis: undefined,
      sdk: child,
    };
    let outcome: { value: unknown } | { error: unknown };
    try {
      outcome = { value: await runInScope(branchScope, () => branches[index]!(branchScope)) };
    } catch (error) {
      outcome = { error };
    }
    execution.checkUnreached(branchScope);
    try {
      if ('error' in outcome) throw outcome.error;
      return encodeValue(outcome.value, {}, `the result of branch ${index + 1} of ${kind} '${name}'`, maxPayloadBytes);
    } catch (error) {
      throw new CarriedError(error);
    }
  };

  const config = {
    ...(Number.isFinite(maxConcurrency) ? { maxConcurrency } : {}),
    completionConfig: RUN_EVERY_BRANCH,
    itemSerdes: passThrough,
  };
  const batch =
    kind === 'map'
      ? await begun.sdk.map(
          name,
          branches.map((_, index) => index),
          (child, index) => runBranch(child, index),
          config,
        )
      : await begun.sdk.parallel(
          name,
          branches.map((_, index) => (child: SdkContext) => runBranch(child, index)),
          config,
        );
  return resultsOf(batch.all, `${kind} '${name}'`) as T[];
}

/** The branches' values in index order, or the failure of the first failing branch by index thrown. */
function resultsOf(items: ReadonlyArray<BatchItem<string>>, what: string): unknown[] {
  const ordered = [...items].sort((a, b) => a.index - b.index);
  const failed = ordered.find((item) => item.status === 'FAILED');
  if (failed !== undefined) throw carriedBy(failed.error) ?? failed.error;
  return ordered.map((item) => {
    const envelope = readEnvelope(item.result);
    if (envelope === undefined) throw new TypeError(`branch ${item.index + 1} of ${what} has no recorded result.`);
    return envelopeValue(envelope);
  });
}
