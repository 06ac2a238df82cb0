import type { ControlPlane, Reply } from './control-plane.js';
import type { EventInvokeConfigRecord, FunctionRecord } from './function-record.js';
import { functionArn, parseFunctionRef, requestedQualifier } from './lambda-arn.js';
import { notFound } from './lambda-error.js';
import { type Body, optionalInteger } from './request-params.js';
import type { EventInvokeLimits } from './runtime/event-queue.js';

/**
 * Put (`replace`: members left out go back to their defaults) or Update
 * (members left out keep their values) FunctionEventInvokeConfig, for
 * `$LATEST`, a version or an alias.
 */
export async function putEventInvokeConfig(
  plane: ControlPlane,
  nameInPath: string,
  query: URLSearchParams,
  body: Body,
  mode: 'replace' | 'merge',
): Promise<Reply> {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier')) ?? '$LATEST';
  const retries = optionalInteger(body, 'MaximumRetryAttempts', 0, 2);
  const maxAge = optionalInteger(body, 'MaximumEventAgeInSeconds', 60, 21_600);
  return plane.registry.change(async () => {
    plane.registry.resolve(ref.name, qualifier);
    const record = plane.registry.require(ref.name);
    const base = mode === 'merge' ? record.eventInvokeConfigs[qualifier] : undefined;
    const config: EventInvokeConfigRecord = {
      ...(base ?? {}),
      ...(retries === undefined ? {} : { maximumRetryAttempts: retries }),
      ...(maxAge === undefined ? {} : { maximumEventAgeInSeconds: maxAge }),
      ...(body.DestinationConfig === undefined ? {} : { destinationConfig: body.DestinationConfig }),
      lastModified: Date.now() / 1000,
    };
    await plane.registry.save({ ...record, eventInvokeConfigs: { ...record.eventInvokeConfigs, [qualifier]: config } });
    plane.log(`event invoke config of ${ref.name}:${qualifier}: ${describe(config)}`);
    return { status: 200, body: eventInvokeConfigJson(plane, record.name, qualifier, config) };
  });
}

/** GetFunctionEventInvokeConfig. */
export function getEventInvokeConfig(plane: ControlPlane, nameInPath: string, query: URLSearchParams): Reply {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier')) ?? '$LATEST';
  const record = plane.registry.require(ref.name);
  return {
    status: 200,
    body: eventInvokeConfigJson(plane, record.name, qualifier, requireConfig(plane, record, qualifier)),
  };
}

/** DeleteFunctionEventInvokeConfig: asynchronous invocations go back to Lambda's defaults. */
export async function deleteEventInvokeConfig(
  plane: ControlPlane,
  nameInPath: string,
  query: URLSearchParams,
): Promise<Reply> {
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier')) ?? '$LATEST';
  return plane.registry.change(async () => {
    const record = plane.registry.require(ref.name);
    requireConfig(plane, record, qualifier);
    const { [qualifier]: _removed, ...rest } = record.eventInvokeConfigs;
    await plane.registry.save({ ...record, eventInvokeConfigs: rest });
    plane.log(`deleted event invoke config of ${ref.name}:${qualifier}`);
    return { status: 204 };
  });
}

/** ListFunctionEventInvokeConfigs. */
export function listEventInvokeConfigs(plane: ControlPlane, nameInPath: string): Reply {
  const record = plane.registry.require(parseFunctionRef(nameInPath, plane.scope).name);
  const configs = Object.entries(record.eventInvokeConfigs).map(([qualifier, config]) =>
    eventInvokeConfigJson(plane, record.name, qualifier, config),
  );
  return { status: 200, body: { FunctionEventInvokeConfigs: configs } };
}

/**
 * The limits of an asynchronous invocation: the settings of the qualifier it
 * was invoked through (an alias, a version or `$LATEST`); undefined ones are Lambda's defaults.
 */
export function eventInvokeLimits(
  record: FunctionRecord | undefined,
  qualifier: string,
): EventInvokeLimits | undefined {
  const config = record?.eventInvokeConfigs[qualifier];
  if (config === undefined) return undefined;
  return {
    ...(config.maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: config.maximumRetryAttempts }),
    ...(config.maximumEventAgeInSeconds === undefined
      ? {}
      : { maximumEventAgeInSeconds: config.maximumEventAgeInSeconds }),
  };
}

function requireConfig(plane: ControlPlane, record: FunctionRecord, qualifier: string): EventInvokeConfigRecord {
  const config = record.eventInvokeConfigs[qualifier];
  if (config === undefined) {
    throw notFound(
      `The function ${functionArn(plane.scope, record.name, qualifier)} doesn't have an EventInvokeConfig`,
    );
  }
  return config;
}

function eventInvokeConfigJson(
  plane: ControlPlane,
  name: string,
  qualifier: string,
  config: EventInvokeConfigRecord,
): Record<string, unknown> {
  return {
    FunctionArn: functionArn(plane.scope, name, qualifier),
    LastModified: config.lastModified,
    ...(config.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: config.maximumRetryAttempts }),
    ...(config.maximumEventAgeInSeconds === undefined
      ? {}
      : { MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds }),
    ...(config.destinationConfig === undefined ? {} : { DestinationConfig: config.destinationConfig }),
  };
}

function describe(config: EventInvokeConfigRecord): string {
  const retries = config.maximumRetryAttempts ?? 'default (2)';
  const age = config.maximumEventAgeInSeconds === undefined ? 'default (6 h)' : `${config.maximumEventAgeInSeconds} s`;
  // Kept and returned as given, but not delivered: say so where the person running dev looks.
  const destinations = config.destinationConfig === undefined ? '' : ' (destinations are kept, not delivered, by dev)';
  return `retries ${retries}, maximum event age ${age}${destinations}`;
}
