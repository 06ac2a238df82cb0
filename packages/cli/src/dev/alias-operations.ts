import { randomUUID } from 'node:crypto';
import { type ControlPlane, page, type Reply, requireRevision, unqualifiedName } from './control-plane.js';
import { type AliasRecord, type FunctionRecord, findVersion } from './function-record.js';
import { functionArn } from './lambda-arn.js';
import { conflict, invalidParameter, notFound } from './lambda-error.js';
import { type Body, optionalString, requiredString } from './request-params.js';

/** Lambda's alias names: letters, digits, '-' and '_', not only digits (that would read as a version). */
const ALIAS_NAME = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

/** CreateAlias: a name for a published version (or `$LATEST`). */
export async function createAlias(plane: ControlPlane, nameInPath: string, body: Body): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  const aliasName = requiredString(body, 'Name');
  if (!ALIAS_NAME.test(aliasName) || aliasName === '$LATEST') {
    throw invalidParameter(
      `'${aliasName}' is not an alias name: use 1 to 128 letters, digits, '-' and '_', not only digits.`,
    );
  }
  requireNoRouting(body);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    if (record.aliases.some((alias) => alias.name === aliasName)) {
      throw conflict(`Alias already exists: ${functionArn(plane.scope, name, aliasName)}`);
    }
    const alias: AliasRecord = {
      name: aliasName,
      functionVersion: requireVersion(plane, record, requiredString(body, 'FunctionVersion')),
      description: optionalString(body, 'Description') ?? '',
      revisionId: randomUUID(),
    };
    await plane.registry.save({ ...record, aliases: [...record.aliases, alias] });
    plane.log(`alias ${name}:${aliasName} -> ${alias.functionVersion}`);
    return { status: 201, body: aliasConfiguration(plane, name, alias) };
  });
}

/** UpdateAlias: points the alias at another version, or changes its description. */
export async function updateAlias(
  plane: ControlPlane,
  nameInPath: string,
  aliasName: string,
  body: Body,
): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  requireNoRouting(body);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    const current = requireAlias(plane, record, aliasName);
    requireRevision(optionalString(body, 'RevisionId'), current.revisionId, 'alias');
    const functionVersion = optionalString(body, 'FunctionVersion');
    const alias: AliasRecord = {
      ...current,
      functionVersion:
        functionVersion === undefined ? current.functionVersion : requireVersion(plane, record, functionVersion),
      description: optionalString(body, 'Description') ?? current.description,
      revisionId: randomUUID(),
    };
    await plane.registry.save({
      ...record,
      aliases: record.aliases.map((candidate) => (candidate.name === aliasName ? alias : candidate)),
    });
    if (alias.functionVersion !== current.functionVersion) {
      plane.log(`alias ${name}:${aliasName} -> ${alias.functionVersion} (was ${current.functionVersion})`);
    }
    return { status: 200, body: aliasConfiguration(plane, name, alias) };
  });
}

/** GetAlias. */
export function getAlias(plane: ControlPlane, nameInPath: string, aliasName: string): Reply {
  const record = plane.registry.require(unqualifiedName(plane, nameInPath));
  return { status: 200, body: aliasConfiguration(plane, record.name, requireAlias(plane, record, aliasName)) };
}

/** ListAliases, optionally of one version only. */
export function listAliases(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Reply {
  const record = plane.registry.require(unqualifiedName(plane, nameInPath));
  const version = query.get('FunctionVersion');
  const aliases = record.aliases.filter((alias) => version === null || alias.functionVersion === version);
  const { items, nextMarker } = page(aliases, query);
  return {
    status: 200,
    body: {
      Aliases: items.map((alias) => aliasConfiguration(plane, record.name, alias)),
      ...(nextMarker === undefined ? {} : { NextMarker: nextMarker }),
    },
  };
}

/** DeleteAlias; the version it pointed to stays. */
export async function deleteAlias(plane: ControlPlane, nameInPath: string, aliasName: string): Promise<Reply> {
  const name = unqualifiedName(plane, nameInPath);
  return plane.registry.change(async () => {
    const record = plane.registry.require(name);
    requireAlias(plane, record, aliasName);
    const { [aliasName]: _removed, ...eventInvokeConfigs } = record.eventInvokeConfigs;
    await plane.registry.save({
      ...record,
      aliases: record.aliases.filter((alias) => alias.name !== aliasName),
      eventInvokeConfigs,
    });
    plane.log(`deleted alias ${name}:${aliasName}`);
    return { status: 204 };
  });
}

function aliasConfiguration(plane: ControlPlane, name: string, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasArn: functionArn(plane.scope, name, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RevisionId: alias.revisionId,
  };
}

function requireAlias(plane: ControlPlane, record: FunctionRecord, aliasName: string): AliasRecord {
  const alias = record.aliases.find((candidate) => candidate.name === aliasName);
  if (alias === undefined) {
    throw notFound(`Alias not found: ${functionArn(plane.scope, record.name, aliasName)}`);
  }
  return alias;
}

function requireVersion(plane: ControlPlane, record: FunctionRecord, version: string): string {
  if (findVersion(record, version) === undefined) {
    throw notFound(`Function not found: ${functionArn(plane.scope, record.name, version)}`);
  }
  return version;
}

/**
 * Weighted aliases would send part of the traffic to another version than
 * the one an execution is pinned to; this local API keeps one version per alias.
 */
function requireNoRouting(body: Body): void {
  const weights = (body.RoutingConfig as { AdditionalVersionWeights?: Record<string, unknown> } | undefined)
    ?.AdditionalVersionWeights;
  if (weights !== undefined && weights !== null && Object.keys(weights).length > 0) {
    throw invalidParameter('durable-gen dev does not route an alias to several versions: leave RoutingConfig out.');
  }
}
