/**
 * The errors the local Lambda API answers with, shaped as AWS shapes them:
 * an HTTP status, the error's name in `x-amzn-ErrorType`, and a body the
 * SDK turns into its own exception class of that name.
 */

/** A refusal of the Lambda API: `name` is the AWS error type the SDK maps to its exception class. */
export class LambdaApiError extends Error {
  /** Stable across versions: the AWS error type, which is what clients branch on. */
  readonly code: string;

  constructor(
    readonly status: number,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
    this.code = name;
  }

  /**
   * The JSON body. Some of the SDK's exception shapes read `Message`, others
   * `message`: both are sent so that every one of them carries the text.
   */
  body(): { Type: string; message: string; Message: string } {
    return { Type: 'User', message: this.message, Message: this.message };
  }
}

/** An unknown function, version, alias, or configuration of one. */
export function notFound(message: string): LambdaApiError {
  return new LambdaApiError(404, 'ResourceNotFoundException', message);
}

/** The resource exists but cannot take this change now (an update in progress, a name taken, a version in use). */
export function conflict(message: string): LambdaApiError {
  return new LambdaApiError(409, 'ResourceConflictException', message);
}

/** A parameter AWS would refuse, or one this local API does not support. */
export function invalidParameter(message: string): LambdaApiError {
  return new LambdaApiError(400, 'InvalidParameterValueException', message);
}

/** The RevisionId the caller expected is not the current one. */
export function preconditionFailed(message: string): LambdaApiError {
  return new LambdaApiError(412, 'PreconditionFailedException', message);
}

/** An Invoke payload over the limit of its invocation type. */
export function requestTooLarge(message: string): LambdaApiError {
  return new LambdaApiError(413, 'RequestTooLargeException', message);
}

/** A request body (a zip) over the API's upload limit. */
export function entityTooLarge(message: string): LambdaApiError {
  return new LambdaApiError(413, 'RequestEntityTooLargeException', message);
}

/** A request body that is not the JSON the operation takes. */
export function invalidRequestContent(message: string): LambdaApiError {
  return new LambdaApiError(400, 'InvalidRequestContentException', message);
}
