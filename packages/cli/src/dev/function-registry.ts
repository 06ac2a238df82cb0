import { type AliasRecord, type FunctionRecord, findVersion, type VersionRecord } from './function-record.js';
import { type ArnScope, functionArn } from './lambda-arn.js';
import { conflict, notFound } from './lambda-error.js';
import type { StateFolder } from './state-folder.js';

/** What an invocation or a qualified read names: a version, reached directly or through an alias. */
export interface ResolvedVersion {
  record: FunctionRecord;
  version: VersionRecord;
  /** Set when the qualifier was an alias. */
  alias?: AliasRecord;
}

/** Code or configuration a running version may no longer use: its warm processes must go. */
export interface Retirement {
  functionName: string;
  /** A version, `$LATEST`, or undefined for every version (the function was deleted). */
  version?: string;
}

/**
 * The functions of the local Lambda API, in memory and on disk. Changes run
 * one at a time ({@link change}), so two requests racing on a function act as
 * if one came after the other, as Lambda's own revision checks assume; reads
 * (invocations among them) need no turn.
 */
export class FunctionRegistry {
  private readonly records = new Map<string, FunctionRecord>();
  private turn: Promise<unknown> = Promise.resolve();
  private readonly retirementListeners: ((retirement: Retirement) => void)[] = [];

  private constructor(
    readonly folder: StateFolder,
    readonly scope: ArnScope,
  ) {}

  /** Loads every function kept under the state folder. */
  static async open(folder: StateFolder, scope: ArnScope): Promise<FunctionRegistry> {
    await folder.removeLeftovers();
    const registry = new FunctionRegistry(folder, scope);
    for (const record of folder.loadAll()) registry.records.set(record.name, record);
    return registry;
  }

  /** Every function, by name. */
  all(): FunctionRecord[] {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): FunctionRecord | undefined {
    return this.records.get(name);
  }

  /** The function, or Lambda's 404 for it. */
  require(name: string): FunctionRecord {
    const record = this.records.get(name);
    if (record === undefined) throw notFound(`Function not found: ${functionArn(this.scope, name)}`);
    return record;
  }

  /**
   * The version a qualifier names: `$LATEST` when there is none, a version
   * number, or an alias (then the version it points to).
   */
  resolve(name: string, qualifier: string | undefined): ResolvedVersion {
    const record = this.require(name);
    const wanted = qualifier ?? '$LATEST';
    const alias = record.aliases.find((candidate) => candidate.name === wanted);
    const version = findVersion(record, alias?.functionVersion ?? wanted);
    if (version === undefined) throw notFound(`Function not found: ${functionArn(this.scope, name, wanted)}`);
    return alias === undefined ? { record, version } : { record, version, alias };
  }

  /**
   * Runs `work` when no other change is running. Work that changes a record
   * saves it with {@link save} before it returns, so that what a client was
   * told has happened is on disk.
   */
  change<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Adds a new function; refused when the name is taken. */
  async add(record: FunctionRecord): Promise<void> {
    if (this.records.has(record.name)) {
      throw conflict(`Function already exist: ${record.name}`);
    }
    await this.folder.save(record);
    this.records.set(record.name, record);
  }

  /** Writes a changed record. */
  async save(record: FunctionRecord): Promise<void> {
    await this.folder.save(record);
    this.records.set(record.name, record);
  }

  /** Forgets a function, its versions and its code. */
  async remove(name: string): Promise<void> {
    this.records.delete(name);
    this.retire({ functionName: name });
    await this.folder.remove(name);
  }

  /** Tells the runtime that a version's code or configuration is gone or replaced. */
  retire(retirement: Retirement): void {
    for (const listener of this.retirementListeners) listener(retirement);
  }

  onRetire(listener: (retirement: Retirement) => void): void {
    this.retirementListeners.push(listener);
  }
}
