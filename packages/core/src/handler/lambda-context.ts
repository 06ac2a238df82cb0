/** The parts of the Lambda context object the engine uses (no dependency on @types/aws-lambda). */
export interface LambdaContext {
  /** Stable across Lambda's own retries of one asynchronous invocation. */
  awsRequestId?: string;
  invokedFunctionArn?: string;
  /** The published version running, also when invoked through an alias (`$LATEST` for unpublished code). */
  functionVersion?: string;
  getRemainingTimeInMillis?(): number;
}
