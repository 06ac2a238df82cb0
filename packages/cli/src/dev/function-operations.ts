import { randomUUID } from 'node:crypto';
import { storeCode } from './code-store.js';
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
import { type FunctionRecord, lambdaTimestamp, type VersionRecord } from './function-record.js';
import { readArchitectures, readSettings } from './function-settings.js';
import { parseFunctionRef, requestedQualifier } from './lambda-arn.js';
import { conflict, invalidParameter, notFound } from './lambda-error.js';
import { type Body, flag, optionalString, optionalStringMap, requiredString } from './request-params.js';
import { publishLatest } from './version-operations.js';

/** CreateFunction: a new function from a zip, `$LATEST` Pending for a moment, optionally published as version 1. */
export async function createFunction(plane: ControlPlane, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, requiredString(body, 'FunctionName'));
  if (plane.registry.find(name) !== undefined) {
    throw conflict(`Function already exist: ${name}`);
  }
  const packageType = optionalString(body, 'PackageType') ?? 'Zip';
  if (packageType !== 'Zip') throw invalidParameter('durable-gen dev runs zip packages only, not container images.');
  const settings = readSettings(body);
  for (const member of ['Runtime', 'Role', 'Handler'] as const) requiredString(body, member);
  const tags = optionalStringMap(body.Tags, 'Tags') ?? {};
  const code = await storeCode(plane.folder, name, (body.Code as { ZipFile?: unknown } | undefined)?.ZipFile);
  return plane.registry.change(async () => {
    const now = Date.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      description: settings.description ?? '',
      runtime: settings.runtime!,
      role: settings.role!,
      handler: settings.handler!,
      timeout: settings.timeout ?? 3,
      memorySize: settings.memorySize ?? 128,
      environment: settings.environment ?? {},
      architectures: readArchitectures(body.Architectures) ?? ['x86_64'],
      codeSha256: code.sha256,
      codeHex: code.hex,
      codeSize: code.size,
      lastModified: lambdaTimestamp(new Date(now)),
      revisionId: randomUUID(),
      pendingUntil: now + plane.pendingMs,
      pendingKind: 'create',
    };
    const record: FunctionRecord = {
      name,
      latest,
      versions: [],
      lastVersionNumber: 0,
      aliases: [],
      tags,
      eventInvokeConfigs: {},
    };
    await plane.registry.add(record);
    plane.log(`created function ${name} (sha256 ${shortSha(code.hex)})`);
    return { status: 201, body: await configurationAfter(plane, record, flag(body, 'Publish')) };
  });
}

/** UpdateFunctionCode: new code for `$LATEST` (InProgress for a moment), optionally published. */
export async function updateFunctionCode(plane: ControlPlane, nameInPath: string, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  plane.registry.require(name);
  const architectures = readArchitectures(body.Architectures);
  const code = await storeCode(plane.folder, name, body.ZipFile);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    requireUpdatable(plane, record);
    requireRevision(optionalString(body, 'RevisionId'), record.latest.revisionId);
    const changed: FunctionRecord = {
      ...record,
      latest: {
        ...updated(plane, record.latest),
        codeSha256: code.sha256,
        codeHex: code.hex,
        codeSize: code.size,
        ...(architectures === undefined ? {} : { architectures }),
      },
    };
    if (flag(body, 'DryRun')) return { status: 200, body: latestConfiguration(plane, changed) };
    await plane.registry.save(changed);
    plane.registry.retire({ functionName: name, version: '$LATEST' });
    plane.log(`updated code of ${name} (sha256 ${shortSha(code.hex)})`);
    return { status: 200, body: await configurationAfter(plane, changed, flag(body, 'Publish')) };
  });
}

/** UpdateFunctionConfiguration: new settings for `$LATEST`; members left out keep their values. */
export async function updateFunctionConfiguration(plane: ControlPlane, nameInPath: string, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  const settings = readSettings(body);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    requireUpdatable(plane, record);
    requireRevision(optionalString(body, 'RevisionId'), record.latest.revisionId);
    const changed: FunctionRecord = { ...record, latest: { ...updated(plane, record.latest), ...settings } };
    await plane.registry.save(changed);
    plane.registry.retire({ functionName: name, version: '$LATEST' });
    plane.log(`updated configuration of ${name}`);
    return { status: 200, body: latestConfiguration(plane, changed) };
  });
}

/** GetFunctionConfiguration: the configuration of `$LATEST`, a version, or the version behind an alias. */
export function getFunctionConfiguration(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Reply {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier'));
  const { record, version } = plane.registry.resolve(ref.name, qualifier);
  return { status: 200, body: functionConfiguration(plane.scope, record, version, qualifier) };
}

/** GetFunction: the configuration, where the zip can be downloaded, and the tags. */
export function getFunction(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Reply {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier'));
  const { record, version } = plane.registry.resolve(ref.name, qualifier);
  return {
    status: 200,
    body: {
      Configuration: functionConfiguration(plane.scope, record, version, qualifier),
      Code: { RepositoryType: 'S3', Location: `${plane.url()}/durable-dev/code/${record.name}/${version.codeHex}.zip` },
      Tags: { ...record.tags },
    },
  };
}

/** ListFunctions: each function's `$LATEST`, or every version with `FunctionVersion=ALL`. */
export function listFunctions(plane: ControlPlane, query: URLSearchParams): Reply {
  const all = query.get('FunctionVersion') === 'ALL';
  const configurations = plane.registry
    .all()
    .flatMap((record) =>
      (all ? [record.latest, ...record.versions] : [record.latest]).map((version) =>
        functionConfiguration(
          plane.scope,
          record,
          version,
          version.version === '$LATEST' ? undefined : version.version,
        ),
      ),
    );
  const { items, nextMarker } = page(configurations, query);
  return { status: 200, body: { Functions: items, ...(nextMarker === undefined ? {} : { NextMarker: nextMarker }) } };
}

/**
 * DeleteFunction: the whole function, or one published version. A version
 * an alias points to stays (delete or move the alias first), and `$LATEST`
 * goes only with the function, as in Lambda.
 */
export async function deleteFunction(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Promise<Reply> {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier'));
  return plane.registry.change(async () => {
    const record = plane.registry.require(ref.name);
    if (qualifier === undefined) {
      await plane.registry.remove(record.name);
      plane.log(`deleted function ${record.name}`);
      return { status: 204 };
    }
    if (qualifier === '$LATEST') {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    }
    if (record.aliases.some((alias) => alias.name === qualifier)) {
      throw invalidParameter(`${qualifier} is an alias: delete it with DeleteAlias.`);
    }
    if (!record.versions.some((version) => version.version === qualifier)) {
      throw notFound(`Function not found: ${record.name}:${qualifier}`);
    }
    const referencing = record.aliases.filter((alias) => alias.functionVersion === qualifier).map((a) => a.name);
    if (referencing.length > 0) {
      throw conflict(
        `Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`,
      );
    }
    const { [qualifier]: _removed, ...eventInvokeConfigs } = record.eventInvokeConfigs;
    await plane.registry.save({
      ...record,
      versions: record.versions.filter((version) => version.version !== qualifier),
      eventInvokeConfigs,
    });
    plane.registry.retire({ functionName: record.name, version: qualifier });
    plane.log(`deleted version ${record.name}:${qualifier}`);
    return { status: 204 };
  });
}

/** `$LATEST` after a change: a new revision, InProgress for a moment. */
function updated(plane: ControlPlane, latest: VersionRecord): VersionRecord {
  const now = Date.now();
  return {
    ...latest,
    lastModified: lambdaTimestamp(new Date(now)),
    revisionId: randomUUID(),
    pendingUntil: now + plane.pendingMs,
    pendingKind: 'update',
  };
}

function latestConfiguration(plane: ControlPlane, record: FunctionRecord): Record<string, unknown> {
  return functionConfiguration(plane.scope, record, record.latest, undefined);
}

/** What Create and UpdateFunctionCode answer: `$LATEST`, or the version `Publish` made of it. */
async function configurationAfter(
  plane: ControlPlane,
  record: FunctionRecord,
  publish: boolean,
): Promise<Record<string, unknown>> {
  if (!publish) return latestConfiguration(plane, record);
  const { record: published, version } = await publishLatest(plane, record, undefined);
  return functionConfiguration(plane.scope, published, version, version.version);
}
