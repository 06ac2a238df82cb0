import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every side effect of the sample appends one JSON line here, so a reader can
 * check that each happened exactly once, and, in Lambda (AWS's or
 * `durable-gen dev`'s), on which function version. Stands in for GitHub, the
 * database and the chat service. Path: SAMPLE_OUTBOX, else
 * `.durable/outbox.jsonl`.
 */
export function recordSideEffect(effect: string, detail: Record<string, unknown>): void {
  const file = process.env.SAMPLE_OUTBOX ?? path.join('.durable', 'outbox.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  const lambda = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const where = lambda === undefined ? {} : { function: lambda, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
  appendFileSync(file, `${JSON.stringify({ effect, ...detail, pid: process.pid, ...where })}\n`);
}
