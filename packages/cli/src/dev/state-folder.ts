import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../cli-error.js';
import type { FunctionRecord } from './function-record.js';

/** Where `durable-gen dev` keeps its state, inside the app's `.durable/`. */
export const DEV_FOLDER = path.join('.durable', 'dev');

const RECORD_FILE = 'function.json';

/**
 * The files of the local Lambda API under `<root>/.durable/dev/`:
 * `functions/<name>/function.json` (the record), `functions/<name>/code/<sha256 hex>/`
 * (the unzipped code of each version, shared by versions with the same zip) and
 * `<sha256 hex>.zip` beside it, and `dynamodb/` for the embedded DynamoDB.
 * Every write goes to a temporary file renamed over the old one, so a crash
 * leaves either the old record or the new one, never half of one.
 */
export class StateFolder {
  readonly folder: string;

  constructor(root: string) {
    this.folder = path.join(root, DEV_FOLDER);
  }

  get dynamoDbFolder(): string {
    return path.join(this.folder, 'dynamodb');
  }

  get lockFile(): string {
    return path.join(this.folder, 'lock');
  }

  functionFolder(name: string): string {
    return path.join(this.folder, 'functions', name);
  }

  codeFolder(name: string, codeHex: string): string {
    return path.join(this.functionFolder(name), 'code', codeHex);
  }

  zipFile(name: string, codeHex: string): string {
    return path.join(this.functionFolder(name), 'code', `${codeHex}.zip`);
  }

  /** Every function record written so far. */
  loadAll(): FunctionRecord[] {
    const functions = path.join(this.folder, 'functions');
    if (!existsSync(functions)) return [];
    const records: FunctionRecord[] = [];
    for (const entry of readdirSync(functions, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const file = path.join(functions, entry.name, RECORD_FILE);
      if (!existsSync(file)) continue;
      try {
        records.push(JSON.parse(readFileSync(file, 'utf8')) as FunctionRecord);
      } catch (error) {
        throw new CliError(
          `${file} is not a function record (${(error as Error).message}). ` +
            `Delete the folder ${path.dirname(file)} to forget that function.`,
        );
      }
    }
    return records;
  }

  /** Writes a record durably: temporary file, flushed, renamed over the old one. */
  async save(record: FunctionRecord): Promise<void> {
    const folder = this.functionFolder(record.name);
    await mkdir(folder, { recursive: true });
    await writeAtomically(path.join(folder, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Forgets a function: its record first (one rename), then its code. */
  async remove(name: string): Promise<void> {
    const folder = this.functionFolder(name);
    const doomed = path.join(this.folder, 'functions', `.deleted-${name}-${randomUUID()}`);
    try {
      await rename(folder, doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  /** Removes leftovers of deletions a crash interrupted. */
  async removeLeftovers(): Promise<void> {
    const functions = path.join(this.folder, 'functions');
    if (!existsSync(functions)) return;
    for (const entry of readdirSync(functions)) {
      if (entry.startsWith('.deleted-')) await rm(path.join(functions, entry), { recursive: true, force: true });
    }
  }
}

/** Writes `file` so that readers, and a crash, see the old content or the new one, nothing between. */
export async function writeAtomically(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
