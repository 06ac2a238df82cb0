import { type FunctionRecord, isPending, type VersionRecord } from './function-record.js';
import type { ArnScope } from './lambda-arn.js';
import { functionArn } from './lambda-arn.js';

/**
 * A version's `FunctionConfiguration` as Lambda returns it from
 * GetFunctionConfiguration, CreateFunction, PublishVersion and the rest.
 *
 * @param arnQualifier what the ARN is qualified with: the version for a
 *   published one, the alias when the caller named an alias, none for the
 *   unqualified `$LATEST`.
 */
export function functionConfiguration(
  scope: ArnScope,
  record: FunctionRecord,
  version: VersionRecord,
  arnQualifier: string | undefined,
  now: number = Date.now(),
): Record<string, unknown> {
  const name = record.name;
  return {
    FunctionName: name,
    FunctionArn: functionArn(scope, name, arnQualifier),
    Runtime: version.runtime,
    Role: version.role,
    Handler: version.handler,
    CodeSize: version.codeSize,
    Description: version.description,
    Timeout: version.timeout,
    MemorySize: version.memorySize,
    LastModified: version.lastModified,
    CodeSha256: version.codeSha256,
    Version: version.version,
    ...(Object.keys(version.environment).length > 0 ? { Environment: { Variables: { ...version.environment } } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: version.revisionId,
    ...stateFields(version, now),
    PackageType: 'Zip',
    Architectures: [...version.architectures],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
  };
}

/**
 * `State` and `LastUpdateStatus`: a new function is Pending, an updated one
 * InProgress, until its pending time has passed; the SDK's waiters poll for
 * exactly these fields.
 */
function stateFields(version: VersionRecord, now: number): Record<string, string> {
  if (!isPending(version, now)) return { State: 'Active', LastUpdateStatus: 'Successful' };
  if (version.pendingKind === 'create') {
    return {
      State: 'Pending',
      StateReason: 'The function is being created.',
      StateReasonCode: 'Creating',
      LastUpdateStatus: 'InProgress',
      LastUpdateStatusReason: 'The function is being created.',
      LastUpdateStatusReasonCode: 'Creating',
    };
  }
  return {
    State: 'Active',
    LastUpdateStatus: 'InProgress',
    LastUpdateStatusReason: 'The function is being updated.',
    LastUpdateStatusReasonCode: 'Updating',
  };
}
