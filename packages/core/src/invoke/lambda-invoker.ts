import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidTargetArnError } from '../errors.js';
import { deserialize } from '../serde/serialize.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from './invoker.js';
import { parseLambdaArn, targetArnProblem } from './lambda-arn.js';

/** Options of {@link LambdaInvoker}. */
export interface LambdaInvokerOptions {
  /** Default: a client for the function's own region. */
  client?: LambdaClient;
  /** Where ARNs named by `arnEnv` are read. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Runs child workflows on their own Lambda functions (what generated handlers
 * use): a synchronous `Invoke` of the target's qualified ARN with the child's
 * deterministic execution id, so a replayed parent finds the child's recorded
 * outcome instead of starting it again. The ARN comes from the target's
 * environment variable (set at deploy) or the manifest; unqualified, `$LATEST`
 * and other-account ARNs are refused before anything is sent.
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
        `no ARN is configured: set ${target.arnEnv ?? 'the target ARN variable'} to its qualified ARN at deploy ` +
          '(durable-gen deploy does), or publish it so the manifest has one',
      );
    }
    const callerAccount = request.callerArn === undefined ? undefined : parseLambdaArn(request.callerArn)?.account;
    const problem = targetArnProblem(arn, callerAccount);
    if (problem !== undefined) throw new InvalidTargetArnError(target.service, problem.message);
    return arn;
  }

  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const functionArn = this.targetArn(request);
    const output = await this.#client.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(
          JSON.stringify({ executionId: request.executionId, workflow: request.target.workflow, input: request.input }),
        ),
      }),
    );
    const text = output.Payload === undefined ? 'null' : Buffer.from(output.Payload).toString('utf8');
    if (output.FunctionError !== undefined) {
      // The child threw: its recorded failure, as Lambda reports it ({ errorType, errorMessage, ... }).
      const reported = JSON.parse(text) as { errorType?: string; errorMessage?: string; code?: string };
      const error = Object.assign(new Error(reported.errorMessage ?? 'child execution failed'), {
        name: reported.errorType ?? 'Error',
        ...(reported.code === undefined ? {} : { code: reported.code }),
      });
      return { status: 'FAILED', error };
    }
    const result = JSON.parse(text) as { status: string; output?: unknown; resumeAt?: number };
    if (result.status === 'SUCCEEDED') {
      // The payload is plain JSON: values the journal keeps richer (Date, Map, …) arrive as JSON renders them.
      return { status: 'SUCCEEDED', output: deserialize(JSON.stringify(result.output ?? null)) };
    }
    return { status: 'SUSPENDED', resumeAt: result.resumeAt };
  }
}
