import type { ServiceDefinition, WorkflowDefinition } from '../decorators/metadata.js';
import { InvalidEventError, UnknownWorkflowError, UnpinnedInvocationError } from '../errors.js';
import { parseLambdaArn } from '../invoke/lambda-arn.js';
import { fromTaggedJson } from './payloads.js';

/** What a durable execution of a service was started with: the workflow to run and its input. */
export interface DurableRequest {
  workflow: WorkflowDefinition;
  input: unknown;
}

const EVENT_KEYS = new Set(['workflow', 'input']);

/**
 * Reads the input a durable execution was started with (the `Payload` of its first `Invoke`, which the service
 * replays to every invocation): `{ workflow?, input? }`. `input` is JSON, in which this package's tagged values
 * (what a parent's `ctx.invoke` sends) are read back as Date, BigInt, Map, …; `workflow` may be left out when
 * the service has one. The execution is named by the service (`Invoke`'s `DurableExecutionName` makes starts
 * idempotent), so an `executionId` is refused rather than ignored.
 */
export function parseDurableEvent(event: unknown, service: ServiceDefinition): DurableRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`the input of the durable execution is ${JSON.stringify(event)}, not an object`);
  }
  const fields = event as Record<string, unknown>;
  if ('executionId' in fields) {
    throw new InvalidEventError(
      "'executionId' names nothing on backend 'lambda-durable': the service names each durable execution (pass " +
        "Invoke's DurableExecutionName to start one idempotently) and ctx.executionId is its ARN; drop the key",
    );
  }
  const unknownKeys = Object.keys(fields).filter((key) => !EVENT_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new InvalidEventError(`unexpected key(s) ${unknownKeys.map((key) => `'${key}'`).join(', ')}`);
  }
  const requested = fields.workflow;
  if (requested !== undefined && (typeof requested !== 'string' || requested === '')) {
    throw new InvalidEventError(`'workflow' must be a non-empty string (got ${JSON.stringify(requested)})`);
  }
  const names = service.workflows.map((w) => w.name);
  const workflow =
    requested === undefined
      ? service.workflows.length === 1
        ? service.workflows[0]
        : undefined
      : service.workflows.find((w) => w.name === requested);
  if (workflow === undefined) throw new UnknownWorkflowError(service.name, requested, names);
  let input: unknown;
  try {
    input = fromTaggedJson(fields.input);
  } catch (error) {
    throw new InvalidEventError(`'input' holds a tagged value this package cannot read (${String(error)})`);
  }
  return { workflow, input };
}

/**
 * Refuses an invocation of `$LATEST`: the service accepts it for a durable function, but it pins no code, so a
 * later invocation of the same execution could replay on other code. (An unqualified invocation the service
 * refuses itself.)
 */
export function refuseLatest(service: string, invokedFunctionArn: unknown): void {
  if (typeof invokedFunctionArn !== 'string') return;
  if (parseLambdaArn(invokedFunctionArn)?.qualifier === '$LATEST') {
    throw new UnpinnedInvocationError(service, invokedFunctionArn, 'which pins no code');
  }
}
