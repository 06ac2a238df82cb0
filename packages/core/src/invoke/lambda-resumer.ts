import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidTargetArnError } from '../errors.js';
import { parseLambdaArn, targetArnProblem } from './lambda-arn.js';
import type { Resumer } from './resumer.js';

/** Options of {@link LambdaResumer}. */
export interface LambdaResumerOptions {
  /** Default: a client for the function's own region. */
  client?: LambdaClient;
}

/**
 * Resumes executions over Lambda: an asynchronous `Invoke`
 * (`InvocationType: 'Event'`) of the version's qualified ARN with
 * `{ executionId }`, the resume event every handler understands. Lambda
 * retries a failed asynchronous invocation twice by itself; a refused request
 * (throttled, denied, no such version) throws, for the sweeper to report.
 * Unqualified and `$LATEST` ARNs are refused before anything is sent: a
 * resume must reach the code that recorded the execution.
 */
export class LambdaResumer implements Resumer {
  readonly #client: LambdaClient;

  constructor(options: LambdaResumerOptions = {}) {
    this.#client = options.client ?? new LambdaClient({});
  }

  async resume(functionArn: string, executionId: string): Promise<void> {
    const arn = parseLambdaArn(functionArn);
    const problem = targetArnProblem(
      functionArn,
      arn === undefined ? undefined : { account: arn.account, region: arn.region },
    );
    if (problem !== undefined) throw new InvalidTargetArnError(arn?.functionName ?? functionArn, problem.message);
    await this.#client.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ executionId })),
      }),
    );
  }
}
