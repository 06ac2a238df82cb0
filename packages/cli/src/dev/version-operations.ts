import { randomUUID } from 'node:crypto';
import {
  type ControlPlane,
  page,
  type Reply,
  requireRevision,
  requireUpdatable,
  shortSha,
  unqualifiedName,
} from './control-plane.js';
import { functionConfiguration } from './function-configuration.js';
import { type FunctionRecord, highestVersion, lambdaTimestamp, type VersionRecord } from './function-record.js';
import { invalidParameter } from './lambda-error.js';
import { type Body, optionalString } from './request-params.js';

/**
 * PublishVersion: a snapshot of `$LATEST`'s code and configuration as the
 * next version number. With nothing changed since the last version, that
 * version is the answer and no new one is made, as in Lambda; `CodeSha256`
 * and `RevisionId` make the publish conditional on what the caller last saw.
 */
export async function publishVersion(plane: ControlPlane, nameInPath: string, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    requireUpdatable(plane, record);
    requireRevision(optionalString(body, 'RevisionId'), record.latest.revisionId);
    const expectedSha = optionalString(body, 'CodeSha256');
    if (expectedSha !== undefined && expectedSha !== record.latest.codeSha256) {
      throw invalidParameter(
        `CodeSha256 (${expectedSha}) is different from current CodeSha256 in $LATEST ` +
          `(${record.latest.codeSha256}). Please try again with the CodeSha256 in $LATEST.`,
      );
    }
    const { record: published, version } = await publishLatest(plane, record, optionalString(body, 'Description'));
    return { status: 201, body: functionConfiguration(plane.scope, published, version, version.version) };
  });
}

/**
 * Publishes `$LATEST` (or finds the version that already holds it) and saves
 * the record. Runs inside the registry's turn of the change that calls it.
 */
export async function publishLatest(
  plane: ControlPlane,
  record: FunctionRecord,
  description: string | undefined,
): Promise<{ record: FunctionRecord; version: VersionRecord }> {
  const content = contentOf(record.latest);
  const last = highestVersion(record);
  if (last !== undefined && last.publishedFrom === content) return { record, version: last };
  const number = record.lastVersionNumber + 1;
  const { pendingUntil: _until, pendingKind: _kind, ...latest } = record.latest;
  const version: VersionRecord = {
    ...latest,
    version: String(number),
    description: description ?? record.latest.description,
    lastModified: lambdaTimestamp(),
    revisionId: randomUUID(),
    publishedFrom: content,
  };
  const changed: FunctionRecord = { ...record, versions: [...record.versions, version], lastVersionNumber: number };
  await plane.registry.save(changed);
  plane.log(`published ${record.name}:${number} (sha256 ${shortSha(version.codeHex)})`);
  return { record: changed, version };
}

/** ListVersionsByFunction: `$LATEST` first, then the published versions in order. */
export function listVersions(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Reply {
  const record = plane.registry.require(unqualifiedName(plane, nameInPath));
  const all = [record.latest, ...record.versions];
  const { items, nextMarker } = page(all, query);
  return {
    status: 200,
    body: {
      Versions: items.map((version) => functionConfiguration(plane.scope, record, version, version.version)),
      ...(nextMarker === undefined ? {} : { NextMarker: nextMarker }),
    },
  };
}

/** Everything a version is made of, as one comparable string: equal strings, nothing to publish. */
function contentOf(version: VersionRecord): string {
  return JSON.stringify([
    version.codeSha256,
    version.runtime,
    version.role,
    version.handler,
    version.description,
    version.timeout,
    version.memorySize,
    Object.entries(version.environment).sort(([a], [b]) => a.localeCompare(b)),
    version.architectures,
  ]);
}
