import { leadingKeyPattern, RESUMABLE_INDEX } from '@durable/core';
import { backendOf, type ServiceModel } from '../model.js';
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
 * A service on backend `lambda-durable` gets no table nor index and no invoke
 * of its own versions (the service keeps the journal and resumes executions),
 * but `lambda:CheckpointDurableExecution` and `lambda:GetDurableExecutionState`
 * on its own executions (`function:<name>:*`); its invokes and logs as above.
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
  const functionArnOf = (target: ServiceModel): string =>
    `arn:${partition}:lambda:${region}:${account}:function:${functionNameOf(target)}`;
  const sorted = [...targets].sort((a, b) => a.name.localeCompare(b.name));
  const invokes: PolicyStatement[] =
    sorted.length === 0
      ? []
      : [
          {
            Sid: 'InvokeServices',
            Effect: 'Allow',
            Action: ['lambda:InvokeFunction'],
            Resource: sorted.map((target) => `${functionArnOf(target)}:*`),
          },
        ];
  // `:*` matches `:$LATEST` too, which pins no code: a replay could meet other code than recorded it.
  const denyLatest = (denied: readonly ServiceModel[]): PolicyStatement => ({
    Sid: 'DenyLatest',
    Effect: 'Deny',
    Action: ['lambda:InvokeFunction'],
    Resource: [...new Set(denied.map((s) => `${functionArnOf(s)}:$LATEST`))],
  });
  const logs = logStatements(service, placement);

  if (backendOf(service) === 'lambda-durable') {
    // The service keeps the journal and resumes its executions itself: no table, no index, no invoke of its own
    // versions. Its chained invokes are made with this role, on the callees' published versions.
    return {
      Version: '2012-10-17',
      Statement: [
        {
          // The service authorizes these on the execution's ARN, under a version (`function:<name>:3/durable-execution/…`):
          // an unqualified function ARN never matches it.
          Sid: 'DurableExecution',
          Effect: 'Allow',
          Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
          Resource: [`${functionArnOf(service)}:*`],
        },
        ...invokes,
        ...(sorted.length === 0 ? [] : [denyLatest(sorted)]),
        ...logs,
      ],
    };
  }

  const tableArn = `arn:${partition}:dynamodb:${region}:${account}:table/${table}`;
  const ownKeys = ownKeysOf(service);
  return {
    Version: '2012-10-17',
    Statement: [
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
      ...invokes,
      {
        // The sweeper resumes each due execution on the version of this function it is pinned to.
        Sid: 'ResumeOwnVersions',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [`${functionArnOf(service)}:*`],
      },
      denyLatest([service, ...sorted]),
      ...logs,
    ],
  };
}

/** The function's own log group, and writing to its streams. */
function logStatements(service: ServiceModel, placement: Placement): PolicyStatement[] {
  const partition = placement.partition ?? 'aws';
  const logGroup = `arn:${partition}:logs:${placement.region}:${placement.account}:log-group:/aws/lambda/${functionNameOf(service)}`;
  return [
    { Sid: 'LogGroup', Effect: 'Allow', Action: ['logs:CreateLogGroup'], Resource: [logGroup] },
    {
      Sid: 'LogStreams',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroup}:*`],
    },
  ];
}

/**
 * What a completer of a `lambda-durable` service's callbacks sends, by `CallbackId`: the outcome, or a heartbeat
 * that keeps a callback with a heartbeat timeout alive.
 */
const CALLBACK_ACTIONS = [
  'lambda:SendDurableExecutionCallbackFailure',
  'lambda:SendDurableExecutionCallbackHeartbeat',
  'lambda:SendDurableExecutionCallbackSuccess',
] as const;

/**
 * `iam/<service>-callbacks.json`: what a completer of the service's
 * callbacks needs (another service, a webhook function, a person's CLI), and
 * nothing more: the table requests `completeCallback` and `failCallback`
 * make (read the execution and its journal, write the callback's outcome,
 * its large values in chunks, ask for the resume), only on the service's own
 * keys, and invoking the service's published versions to resume an execution
 * at once ( `$LATEST` denied). For a service on backend `lambda-durable`: the
 * service's callback API (`SendDurableExecutionCallbackSuccess`, `…Failure`,
 * `…Heartbeat`) on its executions, and nothing else: no table, and no invoke,
 * since the service itself resumes the execution.
 */
export function emitCallbacksPolicy(service: ServiceModel, placement: Placement): PolicyDocument {
  const { account, region, table } = placement;
  const partition = placement.partition ?? 'aws';
  const functionArn = `arn:${partition}:lambda:${region}:${account}:function:${functionNameOf(service)}`;
  if (backendOf(service) === 'lambda-durable') {
    // The service resumes the execution itself once told: a completer calls its callback API, and nothing else.
    return {
      Version: '2012-10-17',
      Statement: [
        {
          // Authorized on the execution's ARN, under a version: only a qualified pattern matches it.
          Sid: 'CompleteCallbacks',
          Effect: 'Allow',
          Action: [...CALLBACK_ACTIONS],
          Resource: [`${functionArn}:*`],
        },
      ],
    };
  }
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
