/** The parts of the Lambda context object the engine uses (no dependency on @types/aws-lambda). */
export interface LambdaContext {
  /** Stable across Lambda's own retries of one asynchronous invocation. */
  awsRequestId?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}
