/**
 * Re-invokes an execution so that it resumes: what the sweeper calls for each
 * due execution. `functionArn` is the qualified ARN of the version the
 * execution is pinned to; the call only has to be accepted (an asynchronous
 * invoke), the execution runs on its own.
 */
export interface Resumer {
  resume(functionArn: string, executionId: string): Promise<void>;
}
