import {
  CreateAliasCommand,
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { SERVICE_TAG } from '../deployed-service.js';
import { apiCall, DeployError, isNotFound } from './deploy-error.js';
import {
  configurationChange,
  type DesiredConfiguration,
  HANDLER,
  lambdaCodeSha256,
  RUNTIME,
} from './function-config.js';
import { waitForFunction } from './function-waits.js';

/** A service's function as GetFunction found it. */
export interface ExistingFunction {
  configuration: FunctionConfiguration;
  tags: Record<string, string>;
}

/** What changed for a service: its function is new, its live version moved, or nothing happened. */
export type FunctionChange = 'created' | 'updated' | 'unchanged';

/** One service's function, deployed: the version published and the alias pointing at it. */
export interface DeployedFunction {
  change: FunctionChange;
  version: string;
  /** `…:function:<name>:<version>`. */
  qualifiedArn: string;
  /** `…:function:<name>`. */
  functionArn: string;
  aliasArn: string;
}

/** What {@link deployFunction} deploys. */
export interface FunctionDeployInput {
  service: string;
  functionName: string;
  zip: Uint8Array;
  /** Hex sha256 of `zip`. */
  sha256: string;
  configuration: DesiredConfiguration;
  alias: string;
  /** What {@link findFunction} found; undefined creates the function (then `configuration.role` is required). */
  existing: ExistingFunction | undefined;
  /** Checks every function ARN the API answers with before anything is published under it. */
  checkArn(arn: string | undefined): void;
}

/** GetFunction: the service's function, or undefined when there is none. */
export async function findFunction(
  lambda: LambdaClient,
  service: string,
  functionName: string,
): Promise<ExistingFunction | undefined> {
  return apiCall(service, 'GetFunction', async () => {
    try {
      const found = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
      return { configuration: found.Configuration ?? {}, tags: found.Tags ?? {} };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
}

/**
 * Makes the function run `zip` with `configuration` (creating it, or
 * updating only what differs, each change waited for), publishes a version
 * of exactly that code and revision, and points the alias at it. Lambda
 * answers a publish with nothing new by the version it already has, so
 * deploying the same zip again changes nothing.
 */
export async function deployFunction(lambda: LambdaClient, input: FunctionDeployInput): Promise<DeployedFunction> {
  const { service, functionName: name } = input;
  const codeSha256 = lambdaCodeSha256(input.sha256);
  let revisionId: string | undefined;
  let changed: boolean;
  let functionArn: string | undefined;

  if (input.existing === undefined) {
    const created = await apiCall(service, 'CreateFunction', () =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: RUNTIME,
          Handler: HANDLER,
          Role: input.configuration.role,
          Timeout: input.configuration.timeoutSeconds,
          MemorySize: input.configuration.memoryMb,
          Code: { ZipFile: input.zip },
          Environment: { Variables: input.configuration.environment },
          Tags: { [SERVICE_TAG]: service },
          ...(input.configuration.durableConfig === undefined
            ? {}
            : { DurableConfig: input.configuration.durableConfig }),
        }),
      ),
    );
    input.checkArn(created.FunctionArn);
    functionArn = created.FunctionArn;
    await waitForFunction(lambda, service, name, 'active');
    changed = true;
  } else {
    let existing = input.existing;
    // Another change still in flight would fail ours with ResourceConflictException, and may change what we compare.
    const { State: state, LastUpdateStatus: lastUpdate } = existing.configuration;
    if (state === 'Pending' || lastUpdate === 'InProgress') {
      await waitForFunction(lambda, service, name, state === 'Pending' ? 'active' : 'updated');
      existing = (await findFunction(lambda, service, name)) ?? existing;
    }
    const current = existing.configuration;
    input.checkArn(current.FunctionArn);
    functionArn = current.FunctionArn;
    const codeChanged = current.CodeSha256 !== codeSha256;
    if (codeChanged) {
      await apiCall(service, 'UpdateFunctionCode', () =>
        lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: input.zip })),
      );
      await waitForFunction(lambda, service, name, 'updated');
    }
    const change = configurationChange(current, input.configuration);
    if (change !== undefined) {
      await apiCall(service, 'UpdateFunctionConfiguration', () =>
        lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...change })),
      );
      await waitForFunction(lambda, service, name, 'updated');
    }
    if (existing.tags[SERVICE_TAG] !== service && current.FunctionArn !== undefined) {
      const resource = current.FunctionArn;
      await apiCall(service, 'TagResource', () =>
        lambda.send(new TagResourceCommand({ Resource: resource, Tags: { [SERVICE_TAG]: service } })),
      );
    }
    changed = codeChanged || change !== undefined;
    revisionId = changed ? undefined : current.RevisionId;
  }

  // The revision after every update settled: publishing it fails if anyone changed the function since.
  revisionId ??= (
    await apiCall(service, 'GetFunctionConfiguration', () =>
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
    )
  ).RevisionId;
  const published = await apiCall(service, 'PublishVersion', () =>
    lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: codeSha256, RevisionId: revisionId })),
  );
  const { Version: version, FunctionArn: qualifiedArn } = published;
  if (version === undefined || qualifiedArn === undefined) {
    throw new DeployError(
      'API_FAILED',
      `service '${service}': PublishVersion answered without a Version or FunctionArn`,
    );
  }
  input.checkArn(qualifiedArn);
  if (published.State !== undefined && published.State !== 'Active') {
    await waitForFunction(lambda, service, name, 'version-active', version);
  }

  const { aliasArn, previousVersion } = await pointAlias(lambda, service, name, input.alias, version);
  input.checkArn(aliasArn);
  let change: FunctionChange = 'unchanged';
  if (input.existing === undefined) change = 'created';
  else if (changed || previousVersion !== version) change = 'updated';
  return {
    change,
    version,
    qualifiedArn,
    functionArn: functionArn ?? qualifiedArn.slice(0, qualifiedArn.lastIndexOf(':')),
    aliasArn,
  };
}

/** Creates the alias, or moves it to `version` when it points elsewhere; says where it pointed before. */
async function pointAlias(
  lambda: LambdaClient,
  service: string,
  name: string,
  alias: string,
  version: string,
): Promise<{ aliasArn: string; previousVersion: string | undefined }> {
  const current = await apiCall(service, 'GetAlias', async () => {
    try {
      return await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  if (current === undefined) {
    const created = await apiCall(service, 'CreateAlias', () =>
      lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version })),
    );
    return { aliasArn: created.AliasArn ?? '', previousVersion: undefined };
  }
  if (current.FunctionVersion === version && current.AliasArn !== undefined) {
    return { aliasArn: current.AliasArn, previousVersion: version };
  }
  const updated = await apiCall(service, 'UpdateAlias', () =>
    lambda.send(
      new UpdateAliasCommand({
        FunctionName: name,
        Name: alias,
        FunctionVersion: version,
        ...(current.RevisionId === undefined ? {} : { RevisionId: current.RevisionId }),
      }),
    ),
  );
  return { aliasArn: updated.AliasArn ?? '', previousVersion: current.FunctionVersion };
}
