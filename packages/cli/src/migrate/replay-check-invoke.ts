import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type ReplayVerdict, replayCheckEvent } from '@durable/core';

/** A version's answer to a replay check: its verdict, or why it gave none. */
export type ReplayCheckAnswer = { verdict: ReplayVerdict } | { failed: string };

/**
 * Asks version `version` of the function whether its code replays the execution's journal: a RequestResponse
 * invoke of `<functionName>:<version>` with the replay-check event, which the deployed handler answers from its own
 * table without writing anything.
 */
export async function askReplayCheck(
  lambda: LambdaClient,
  options: { functionName: string; version: string; service: string; executionId: string },
): Promise<ReplayCheckAnswer> {
  let answer: { FunctionError?: string; Payload?: Uint8Array };
  try {
    answer = await lambda.send(
      new InvokeCommand({
        FunctionName: `${options.functionName}:${options.version}`,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(replayCheckEvent(options.service, options.executionId))),
      }),
    );
  } catch (error) {
    return { failed: `Invoke failed: ${(error as Error).message}` };
  }
  const text = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    return { failed: `the answer is not JSON: ${text.slice(0, 200)}` };
  }
  if (answer.FunctionError !== undefined) {
    const { errorType, errorMessage } = (body ?? {}) as { errorType?: string; errorMessage?: string };
    return { failed: `${errorType ?? answer.FunctionError}: ${errorMessage ?? text}` };
  }
  if (!isVerdict(body, options.executionId)) {
    // An older handler reads the event as a workflow event and refuses it, or answers something else entirely.
    return {
      failed:
        `version ${options.version} did not answer the replay check (${text.slice(0, 200)}): its handler predates ` +
        'replay checks; deploy the service again with this durable-gen, then migrate to the new version',
    };
  }
  return { verdict: body };
}

function isVerdict(value: unknown, executionId: string): value is ReplayVerdict {
  const fields = value as Partial<ReplayVerdict> | null | undefined;
  return (
    typeof fields === 'object' &&
    fields !== null &&
    fields.executionId === executionId &&
    typeof fields.compatible === 'boolean' &&
    typeof fields.invocations === 'number'
  );
}
