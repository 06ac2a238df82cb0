import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { FunctionRecord } from './function-record.js';
import { entityTooLarge, invalidParameter } from './lambda-error.js';
import { type StateFolder, writeAtomically } from './state-folder.js';

/** Lambda's limit on a zip uploaded in the request itself. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** Lambda's limit on a function's code once unzipped. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** A zip that has been checked, unzipped and kept. */
export interface StoredCode {
  /** Base64 of the zip's sha256, as Lambda reports `CodeSha256`. */
  sha256: string;
  /** Hex of the same hash: the folder's name. */
  hex: string;
  size: number;
}

/**
 * Checks the `ZipFile` of a request (base64, as the SDK sends it) against
 * Lambda's limits and unzips it into the function's code folder for its
 * hash. A zip already kept (the same bytes uploaded again) is not unzipped
 * twice. The folder appears whole or not at all: it is written under a
 * temporary name and renamed.
 */
export async function storeCode(folder: StateFolder, functionName: string, zipFile: unknown): Promise<StoredCode> {
  if (typeof zipFile !== 'string' || zipFile === '') {
    throw invalidParameter(
      'durable-gen dev takes code as ZipFile (the zip itself in the request): S3 locations and images are not supported.',
    );
  }
  const zip = Buffer.from(zipFile, 'base64');
  if (zip.length > MAX_ZIP_BYTES) {
    throw entityTooLarge(
      `The zip is ${zip.length} bytes; a zip uploaded with the request must be at most ${MAX_ZIP_BYTES} bytes.`,
    );
  }
  const digest = createHash('sha256').update(zip).digest();
  const code: StoredCode = { sha256: digest.toString('base64'), hex: digest.toString('hex'), size: zip.length };
  const target = folder.codeFolder(functionName, code.hex);
  if (existsSync(target)) return code;
  const files = unzipChecked(zip);
  const temporary = `${target}.${randomUUID()}.tmp`;
  try {
    await mkdir(temporary, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) {
      if (name.endsWith('/')) {
        await mkdir(path.join(temporary, name), { recursive: true });
        continue;
      }
      const file = path.join(temporary, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
    await writeAtomically(folder.zipFile(functionName, code.hex), zip);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    // Another request stored the same zip meanwhile: its folder is as good as this one.
    if (existsSync(target)) return code;
    throw error;
  }
  return code;
}

/** Unzips in memory, refusing what Lambda refuses: unreadable zips, code over the unzipped limit, escaping paths. */
function unzipChecked(zip: Uint8Array): Record<string, Uint8Array> {
  let unzippedBytes = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        unzippedBytes += file.originalSize;
        return unzippedBytes <= MAX_UNZIPPED_BYTES;
      },
    });
  } catch (error) {
    throw invalidParameter(
      `Could not unzip uploaded file (${(error as Error).message}). Please check your file, then try to upload again.`,
    );
  }
  if (unzippedBytes > MAX_UNZIPPED_BYTES) {
    throw invalidParameter(
      `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes; this zip holds ${unzippedBytes} bytes.`,
    );
  }
  for (const name of Object.keys(files)) {
    const normal = path.posix.normalize(name);
    if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || name.includes('\\')) {
      throw invalidParameter(`The zip holds '${name}', a path outside the function's folder: rebuild the zip.`);
    }
  }
  return files;
}

/**
 * Removes the code no version of `record` uses any more (and what an
 * interrupted upload left), at start, while nothing runs any of it.
 */
export async function pruneCode(folder: StateFolder, record: FunctionRecord): Promise<void> {
  const codeFolder = path.join(folder.functionFolder(record.name), 'code');
  if (!existsSync(codeFolder)) return;
  const used = new Set([record.latest, ...record.versions].map((version) => version.codeHex));
  for (const entry of await readdir(codeFolder)) {
    const hex = entry.endsWith('.zip') ? entry.slice(0, -'.zip'.length) : entry;
    if (!used.has(hex)) await rm(path.join(codeFolder, entry), { recursive: true, force: true });
  }
}
