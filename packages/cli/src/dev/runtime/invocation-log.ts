/**
 * The lines Lambda itself writes around an invocation (START, END, REPORT and the timeout notice), and the
 * collection of one invocation's lines for `LogType: Tail`.
 */

/** What the REPORT line of an invocation says. */
export interface InvocationReport {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  /** Peak memory of the execution environment; unknown when it was killed. */
  maxMemoryUsedMb?: number;
  /** Set on a cold start only. */
  initDurationMs?: number;
  /** Set when the invocation did not end with the handler's answer. */
  status?: { kind: 'timeout' } | { kind: 'error'; errorType: string };
}

/** `START RequestId: <id> Version: <version>`. */
export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** `END RequestId: <id>`. */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** Lambda's REPORT line: tab-separated fields, durations with two decimals, billed by the millisecond. */
export function reportLine(report: InvocationReport): string {
  const fields = [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(report.durationMs))} ms`,
    `Memory Size: ${report.memorySizeMb} MB`,
  ];
  if (report.maxMemoryUsedMb !== undefined) fields.push(`Max Memory Used: ${report.maxMemoryUsedMb} MB`);
  if (report.initDurationMs !== undefined) fields.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  if (report.status?.kind === 'timeout') fields.push('Status: timeout');
  if (report.status?.kind === 'error') fields.push('Status: error', `Error Type: ${report.status.errorType}`);
  return fields.join('\t');
}

/** The line Lambda writes when it stops an invocation at its timeout. */
export function timedOutLine(requestId: string, timeoutSeconds: number, now: Date = new Date()): string {
  return `${now.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** The lines of one invocation, kept for its outcome (and for `X-Amz-Log-Result`). */
export class InvocationLog {
  private readonly lines: string[] = [];

  /** @param isQuiet Its lines are kept for the outcome only, not printed as they come. */
  constructor(readonly isQuiet = false) {}

  add(line: string): void {
    this.lines.push(line);
  }

  /** The lines so far, each ending in a newline, as Lambda's log tail has them. */
  text(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }
}
