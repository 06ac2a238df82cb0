/**
 * What the local Lambda API keeps of a function, as it is written to
 * `.durable/dev/functions/<name>/function.json`: its `$LATEST`, its published
 * versions (each a snapshot of code and configuration), its aliases, tags and
 * asynchronous-invoke settings.
 */

/** The configuration and code of `$LATEST` or of one published version. */
export interface VersionRecord {
  /** `$LATEST`, or the published version's number as a string. */
  version: string;
  description: string;
  runtime: string;
  role: string;
  handler: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  architectures: string[];
  /** Base64 of the sha256 of the zip, as Lambda reports it. */
  codeSha256: string;
  /** Hex of the same sha256: the name of the folder holding the unzipped code. */
  codeHex: string;
  codeSize: number;
  /** Lambda's own format: `2024-05-01T10:00:00.000+0000`. */
  lastModified: string;
  revisionId: string;
  /** `$LATEST` only: until this time (epoch ms) the function is being created or updated. */
  pendingUntil?: number;
  pendingKind?: 'create' | 'update';
  /** Published versions only: what `$LATEST` held when it was published, to tell whether anything changed since. */
  publishedFrom?: string;
}

/** An alias: a name for one version. */
export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
}

/** The settings of asynchronous invocations of one qualifier. */
export interface EventInvokeConfigRecord {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  destinationConfig?: unknown;
  /** Epoch seconds, as the API returns it. */
  lastModified: number;
}

/** Everything kept of one function. */
export interface FunctionRecord {
  name: string;
  latest: VersionRecord;
  /** Published versions, in ascending order. */
  versions: VersionRecord[];
  /** Version numbers are never reused, also after a version is deleted. */
  lastVersionNumber: number;
  aliases: AliasRecord[];
  tags: Record<string, string>;
  /** By qualifier (`$LATEST`, a version or an alias). */
  eventInvokeConfigs: Record<string, EventInvokeConfigRecord>;
}

/** Lambda's timestamp format. */
export function lambdaTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}

/** True while `$LATEST` is still being created or updated. */
export function isPending(version: VersionRecord, now: number = Date.now()): boolean {
  return version.pendingUntil !== undefined && now < version.pendingUntil;
}

/** The published version an alias or version number names, `$LATEST`, or undefined when there is none. */
export function findVersion(record: FunctionRecord, version: string): VersionRecord | undefined {
  if (version === '$LATEST') return record.latest;
  return record.versions.find((candidate) => candidate.version === version);
}

/** The highest published version, if any. */
export function highestVersion(record: FunctionRecord): VersionRecord | undefined {
  return record.versions[record.versions.length - 1];
}
