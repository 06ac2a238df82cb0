import { leadingKeyPattern, RESUMABLE_INDEX } from '@durable/core';
import type { ServiceModel } from '../model.js';
import { functionNameOf } from './names.js';

/** Where a service deploys, resolved from its decorator and the generate options. */
export interface Placement {
  account: string;
  region: string;
  table: string;
  partition?: string;
}

/** One statement of a generated policy. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  /** Operator → condition key → value(s), as IAM writes them. */
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A generated IAM policy document. */

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * What `DynamoDbStore` sends to the table: a conditional put or update per
 * write, one read of the execution, one query of a journal, and batches of
 * chunks for large values. The service and a completer of its callbacks need
 * the same, on the service's own keys.
 */
const TABLE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/**
 * `iam/<service>.json`: least privilege. The checkpoint table and
 * its `resumable` index, only for requests whose leading keys are all under the
 * service's own prefix (`dynamodb:LeadingKeys`), and only for requests that
 * have leading keys; `lambda:InvokeFunction` only on the qualified ARNs
 * of the services its code invokes (`function:<name>:*`: never the
 * unqualified ARN), and an explicit `Deny` on their `$LATEST`; its own log
 * group. No wildcard action, no `*` resource.
 *
 * Any published version of a callee, not the one last deployed: the role is
 * shared by every version of the caller, and an execution pinned to an older
 * caller version calls the callee version its environment names. Naming one
 * version would strand those executions at the next deploy of the callee.
 */
export function emitPolicy(
  service: ServiceModel,
  placement: Placement,
  targets: readonly ServiceModel[],
): PolicyDocument {
  const { account, region, table } = placement;
  const partition = placement.partition ?? 'aws';
  const tableArn = `arn:${partition}:dynamodb:${region}:${account}:table/${table}`;
  const ownKeys = ownKeysOf(service);
  const functionName = functionNameOf(service);
  const logGroup = `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${functionName}`;
  const statements: PolicyStatement[] = [
    {
      Sid: 'CheckpointTable',
      Effect: 'Allow',
      Action: [...TABLE_ACTIONS],
      Resource: [tableArn],
      Condition: ownKeys,
    },
    {
      Sid: 'ResumableIndex',
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: [`${tableArn}/index/${RESUMABLE_INDEX}`],
      Condition: ownKeys,
    },
  ];
  const functionArnOf = (target: ServiceModel): string =>
    `arn:${partition}:lambda:${region}:${account}:function:${functionNameOf(target)}`;
  const sorted = [...targets].sort((a, b) => a.name.localeCompare(b.name));
  if (sorted.length > 0) {
    statements.push({
      Sid: 'InvokeServices',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: sorted.map((target) => `${functionArnOf(target)}:*`),
    });
  }
  statements.push(
    {
      // The sweeper resumes each due execution on the version of this function it is pinned to.
      Sid: 'ResumeOwnVersions',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: [`${functionArnOf(service)}:*`],
    },
    {
      // `:*` matches `:$LATEST` too, which pins no code: a replay could meet other code than recorded it.
      Sid: 'DenyLatest',
      Effect: 'Deny',
      Action: ['lambda:InvokeFunction'],
      Resource: [...new Set([service, ...sorted].map((s) => `${functionArnOf(s)}:$LATEST`))],
    },
  );
  if (service.backend === 'lambda-durable') {
    statements.push({
      Sid: 'DurableExecution',
      Effect: 'Allow',
      Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
      Resource: [`arn:${partition}:lambda:${region}:${account}:function:${functionName}:*`],
    });
  }
  statements.push(
    { Sid: 'LogGroup', Effect: 'Allow', Action: ['logs:CreateLogGroup'], Resource: [logGroup] },
    {
      Sid: 'LogStreams',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroup}:*`],
    },
  );
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * `iam/<service>-callbacks.json`: what a completer of the service's
 * callbacks needs (another service, a webhook function, a person's CLI), and
 * nothing more: the table requests `completeCallback` and `failCallback`
 * make (read the execution and its journal, write the callback's outcome,
 * its large values in chunks, ask for the resume), only on the service's own
 * keys, and invoking the service's published versions to resume an execution
 * at once ( `$LATEST` denied).
 */
export function emitCallbacksPolicy(service: ServiceModel, placement: Placement): PolicyDocument {
  const { account, region, table } = placement;
  const partition = placement.partition ?? 'aws';
  const functionArn = `arn:${partition}:lambda:${region}:${account}:function:${functionNameOf(service)}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CompleteCallbacks',
        Effect: 'Allow',
        Action: [...TABLE_ACTIONS],
        Resource: [`arn:${partition}:dynamodb:${region}:${account}:table/${table}`],
        Condition: ownKeysOf(service),
      },
      {
        Sid: 'ResumeExecutions',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [`${functionArn}:*`],
      },
      { Sid: 'DenyLatest', Effect: 'Deny', Action: ['lambda:InvokeFunction'], Resource: [`${functionArn}:$LATEST`] },
    ],
  };
}

/** The service's own keys, and only requests that carry keys at all. */
function ownKeysOf(service: ServiceModel): Record<string, Record<string, string[] | string>> {
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeyPattern(service.name)] },
    // ForAllValues holds for an empty set: without this, a request that has no leading keys (a Scan) would pass.
    Null: { 'dynamodb:LeadingKeys': 'false' },
  };
}
