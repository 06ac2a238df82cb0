import type { FunctionRecord, VersionRecord } from './function-record.js';
import type { Retirement } from './function-registry.js';
import { type ArnScope, functionArn } from './lambda-arn.js';
import { LambdaApiError } from './lambda-error.js';
import type { FunctionRunner, RunnableVersion, RunOutcome, RunRequest } from './runtime/function-runner.js';
import type { StateFolder } from './state-folder.js';

/** Makes the runner of one version (the runtime's `createFunctionRunner`, bound to this server's endpoint). */
export type RunnerFactory = (version: RunnableVersion) => FunctionRunner;

interface Entry {
  key: string;
  functionName: string;
  version: string;
  revisionId: string;
  runner: FunctionRunner;
  inFlight: number;
  isRetired: boolean;
  isClosed: boolean;
}

/**
 * The runners of the versions being invoked, one per version and revision:
 * a published version keeps its runner (its warm processes) for as long as
 * it exists; `$LATEST` gets a new one whenever its code or configuration
 * changes. A retired runner finishes the invocations it is running before
 * its processes are stopped, as Lambda lets running invocations of replaced
 * code finish.
 */
export class RunnerPool {
  /** The current runner of each version, by `name:version`. */
  private readonly entries = new Map<string, Entry>();
  /** Every runner not closed yet, retired ones still finishing included. */
  private readonly open = new Set<Entry>();
  private readonly closing = new Set<Promise<void>>();
  private isClosed = false;

  constructor(
    private readonly createRunner: RunnerFactory,
    private readonly folder: StateFolder,
    private readonly scope: ArnScope,
  ) {}

  /** Runs one invocation of `version` of `record`. */
  async run(record: FunctionRecord, version: VersionRecord, request: RunRequest): Promise<RunOutcome> {
    // A request on a connection kept alive may still arrive while the server stops: it must start no process.
    if (this.isClosed) throw new LambdaApiError(503, 'ServiceException', 'durable-gen dev is stopping.');
    const entry = this.entryFor(record, version);
    entry.inFlight++;
    try {
      return await entry.runner.run(request);
    } finally {
      entry.inFlight--;
      if (entry.isRetired && entry.inFlight === 0) this.closeEntry(entry);
    }
  }

  /** Lets go of the runners of a version (or of every version of a function). */
  retire(retirement: Retirement): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.functionName !== retirement.functionName) continue;
      if (retirement.version !== undefined && entry.version !== retirement.version) continue;
      this.retireEntry(entry);
    }
  }

  /** Stops every process; invocations still running end as function errors. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.entries.clear();
    for (const entry of [...this.open]) this.closeEntry(entry);
    await Promise.allSettled([...this.closing]);
  }

  private entryFor(record: FunctionRecord, version: VersionRecord): Entry {
    const key = `${record.name}:${version.version}`;
    const current = this.entries.get(key);
    if (current !== undefined && current.revisionId === version.revisionId) return current;
    if (current !== undefined) this.retireEntry(current);
    const entry: Entry = {
      key,
      functionName: record.name,
      version: version.version,
      revisionId: version.revisionId,
      runner: this.createRunner({
        functionName: record.name,
        version: version.version,
        functionArn: functionArn(this.scope, record.name),
        codeDir: this.folder.codeFolder(record.name, version.codeHex),
        handler: version.handler,
        timeoutSeconds: version.timeout,
        memorySizeMb: version.memorySize,
        environment: { ...version.environment },
      }),
      inFlight: 0,
      isRetired: false,
      isClosed: false,
    };
    this.entries.set(key, entry);
    this.open.add(entry);
    return entry;
  }

  private retireEntry(entry: Entry): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    entry.isRetired = true;
    if (entry.inFlight === 0) this.closeEntry(entry);
  }

  private closeEntry(entry: Entry): void {
    if (entry.isClosed) return;
    entry.isClosed = true;
    this.open.delete(entry);
    const closed = entry.runner.close().catch(() => undefined);
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
  }
}
