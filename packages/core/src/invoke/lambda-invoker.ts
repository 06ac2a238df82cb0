import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidTargetArnError } from '../errors.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from './invoker.js';
import { parseLambdaArn, targetArnProblem } from './lambda-arn.js';
import { decodeChildAnswer, encodeChildInvoke, invokeUnavailable } from './protocol.js';

/** Options of {@link LambdaInvoker}. */
export interface LambdaInvokerOptions {
  /** Default: a client for the function's own region. */
  client?: LambdaClient;
  /**
   * Where ARNs named by `arnEnv` are read, and `AWS_REGION` when the caller's ARN is not known. Default
   * `process.env`.
   */
  env?: Record<string, string | undefined>;
}

/**
 * Runs child workflows on their own Lambda functions (what generated handlers
 * use): a synchronous `Invoke` of the target's qualified ARN with a
 * child-invoke event (invoke/protocol.ts) carrying the child's deterministic
 * execution id, so a replayed parent finds the child's recorded outcome
 * instead of starting it again. The ARN comes from the target's environment
 * variable (set at deploy) or the manifest; unqualified, `$LATEST`,
 * other-account and other-region ARNs are refused before anything is sent.
 *
 * Returned (see {@link InvokeOutcome}): the child's SUCCEEDED, FAILED (its
 * recorded error) or SUSPENDED answer; FAILED for invokes refused before
 * sending (the ARN, a child id too long, an event over Lambda's 6 MB) and, with
 * a `ConfigurationError`, for a function that answers something else than this
 * protocol. Thrown, always as a retryable `DurableError` with code
 * `INVOKE_UNAVAILABLE` (`executionId`, `functionArn`; Lambda's report as
 * `functionError`, `errorType`, `errorMessage`; the SDK's error as `cause`):
 * whatever Lambda reports as a function error (the child busy, its store
 * unavailable, a timeout, a crash) and every failed Invoke request
 * (throttling, access denied, a missing function, the network).
 */
export class LambdaInvoker implements Invoker {
  readonly #client: LambdaClient;
  readonly #env: Record<string, string | undefined>;

  constructor(options: LambdaInvokerOptions = {}) {
    this.#client = options.client ?? new LambdaClient({});
    this.#env = options.env ?? process.env;
  }

  /** The qualified ARN `request` may invoke, or an {@link InvalidTargetArnError}. */
  targetArn(request: InvokeRequest): string {
    const { target } = request;
    const arn = (target.arnEnv === undefined ? undefined : this.#env[target.arnEnv]) ?? target.functionArn;
    if (arn === undefined || arn === '') {
      throw new InvalidTargetArnError(
        target.service,
        `no ARN is configured: set ${target.arnEnv ?? 'the target ARN variable'} on the calling function to the ` +
          "target's qualified ARN (a published version or an alias): deploying the target sets it on its callers",
      );
    }
    const problem = targetArnProblem(arn, this.#callerPlacement(request));
    if (problem !== undefined) throw new InvalidTargetArnError(target.service, problem.message);
    return arn;
  }

  /** The caller's account and region: from the ARN it was invoked with, else the region Lambda runs it in. */
  #callerPlacement(request: InvokeRequest): { account: string | undefined; region: string | undefined } {
    const caller = request.callerArn === undefined ? undefined : parseLambdaArn(request.callerArn);
    const region = caller?.region ?? this.#env.AWS_REGION;
    return { account: caller?.account, region: region === '' ? undefined : region };
  }

  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    let functionArn: string;
    try {
      functionArn = this.targetArn(request);
    } catch (error) {
      // The ARN is part of the deployed version (its environment, its manifest): every replay would meet it again.
      return { status: 'FAILED', error };
    }
    const encoded = encodeChildInvoke(request);
    if ('refusal' in encoded) return { status: 'FAILED', error: encoded.refusal };
    const unavailable = (reason: string, fields: Record<string, unknown>, cause?: unknown) =>
      invokeUnavailable(request, functionArn, reason, { functionArn, ...fields }, cause);

    let response: InvokeCommandOutput;
    try {
      response = await this.#client.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(encoded.event)),
        }),
      );
    } catch (error) {
      const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw unavailable(`the Invoke request failed (${described})`, {}, error);
    }
    const text = response.Payload === undefined ? '' : Buffer.from(response.Payload).toString('utf8');
    if (response.FunctionError !== undefined) {
      // A child's own failure is an answer; a function error is Lambda's: a timeout, a crash, or what the handler
      // threw because it may pass (busy, store unavailable).
      const reported = lambdaErrorReport(text);
      throw unavailable(
        `Lambda reports a function error (${response.FunctionError}) ${reported.errorType}: ${reported.errorMessage}`,
        { functionError: response.FunctionError, ...reported },
      );
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = text;
    }
    return decodeChildAnswer(answer, request, functionArn);
  }
}

/** `errorType` and `errorMessage` of Lambda's error payload, whatever of it is there. */
function lambdaErrorReport(text: string): { errorType: string; errorMessage: string } {
  let reported: unknown;
  try {
    reported = JSON.parse(text);
  } catch {
    reported = undefined;
  }
  const fields = (typeof reported === 'object' && reported !== null ? reported : {}) as Record<string, unknown>;
  return {
    errorType: typeof fields.errorType === 'string' ? fields.errorType : 'Error',
    errorMessage:
      typeof fields.errorMessage === 'string' ? fields.errorMessage : text.slice(0, 500) || '(no error payload)',
  };
}
