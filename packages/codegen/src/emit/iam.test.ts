/**
 * The IAM policies `generate` writes for the two-services fixture (`reviews` invokes `notifier`) are
 * least-privilege, checked by {@link assertLeastPrivilege}, which is itself shown to reject the
 * policies it exists to catch.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../generate.js';
import type { PolicyDocument, PolicyStatement } from './iam.js';
import type { Manifest } from './manifest.js';

const FIXTURE = fileURLToPath(new URL('../__fixtures__/two-services/', import.meta.url));
const NATIVE_FIXTURE = fileURLToPath(new URL('../__fixtures__/lambda-durable/', import.meta.url));
const SCRATCH = fileURLToPath(new URL('../../.tmp/', import.meta.url));
const ACCOUNT = '123456789012';
const NOTIFIER_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:notifier`;
const REVIEWS_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:reviews`;

/**
 * Throws, naming every problem, unless `policy` grants `serviceName` no more than least privilege allows: no `*` or
 * `service:*` action nor any action with a wildcard, no `*` resource nor a wildcard in an ARN's partition,
 * service, region or account, table access only to the service's own keys (`dynamodb:LeadingKeys`) and only for
 * requests that have leading keys (a `Null` condition: `ForAllValues` alone holds for none), and
 * `lambda:InvokeFunction` only on qualified functions (a version or alias, never `$LATEST`), with an explicit
 * `Deny` on the `$LATEST` of each (an allowed `:*` matches it), and the durable execution actions of Lambda
 * (checkpoints, state, callbacks) only on the service's own function, qualified (the service authorizes them on
 * an execution's ARN, under a version: an unqualified ARN never matches).
 */
function assertLeastPrivilege(policy: PolicyDocument, serviceName: string): void {
  const problems: string[] = [];
  if (policy.Statement.length === 0) problems.push('the policy has no statement');
  const deniedInvokes = new Set(
    policy.Statement.filter((s) => s.Effect === 'Deny' && s.Action.includes('lambda:InvokeFunction')).flatMap(
      (s) => s.Resource,
    ),
  );
  for (const [index, statement] of policy.Statement.entries()) {
    const where = `statement ${statement.Sid ?? index}`;
    // A Deny takes away; only what is allowed can be too broad.
    if (statement.Effect !== 'Allow') continue;
    for (const broad of ['NotAction', 'NotResource']) {
      if (broad in statement) problems.push(`${where}: ${broad} grants everything it does not list`);
    }
    for (const action of statement.Action) {
      if (/[*?]/.test(action)) problems.push(`${where}: wildcard action '${action}'`);
    }
    for (const resource of statement.Resource) {
      if (resource === '*') {
        problems.push(`${where}: '*' resource`);
        continue;
      }
      const [scheme, partition, service, region, account] = resource.split(':');
      if (scheme !== 'arn' || [partition, service, region, account].some((part) => part === undefined)) {
        problems.push(`${where}: '${resource}' is not an ARN`);
      } else if ([partition, service, region, account].some((part) => /[*?]/.test(part!))) {
        problems.push(`${where}: wildcard in the partition, service, region or account of '${resource}'`);
      }
    }
    if (statement.Action.some((action) => action.startsWith('dynamodb:'))) {
      const leadingKeys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      if (!isDeepStrictEqual(leadingKeys, [`${serviceName}#*`])) {
        problems.push(
          `${where}: table access must be limited to ForAllValues:StringLike dynamodb:LeadingKeys ['${serviceName}#*'], ` +
            `found ${JSON.stringify(statement.Condition ?? null)}`,
        );
      }
      if (statement.Condition?.Null?.['dynamodb:LeadingKeys'] !== 'false') {
        problems.push(
          `${where}: table access must require leading keys (Null dynamodb:LeadingKeys 'false'), ` +
            `found ${JSON.stringify(statement.Condition ?? null)}`,
        );
      }
    }
    if (statement.Action.some((action) => DURABLE_EXECUTION_ACTION.test(action))) {
      for (const resource of statement.Resource) {
        const [, , , , , kind, functionName, qualifier, ...rest] = resource.split(':');
        if (kind !== 'function' || functionName !== serviceName || rest.length > 0) {
          problems.push(
            `${where}: '${resource}' reaches the durable executions of another function than '${serviceName}'`,
          );
        } else if (qualifier === undefined || qualifier === '') {
          problems.push(`${where}: '${resource}' is unqualified, which never matches a durable execution: use ':*'`);
        }
      }
    }
    if (statement.Action.includes('lambda:InvokeFunction')) {
      for (const resource of statement.Resource) {
        const [, , , , , kind, functionName, qualifier, ...rest] = resource.split(':');
        if (kind !== 'function' || functionName === undefined || /[*?]/.test(functionName) || rest.length > 0) {
          problems.push(`${where}: '${resource}' is not one Lambda function`);
        } else if (qualifier === undefined || qualifier === '') {
          problems.push(`${where}: '${resource}' is unqualified: invoke a version or an alias`);
        } else if (qualifier === '$LATEST') {
          problems.push(`${where}: '${resource}' invokes $LATEST`);
        } else {
          const latest = `${resource.split(':').slice(0, 7).join(':')}:$LATEST`;
          if (!deniedInvokes.has(latest)) problems.push(`${where}: '${resource}' allows '${latest}': deny it`);
        }
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`policy of '${serviceName}' is not least-privilege:\n${problems.join('\n')}`);
}

/** Lambda's actions on durable executions: checkpoints, their state, callbacks. */
const DURABLE_EXECUTION_ACTION = /^lambda:\w*DurableExecution/;

function statementsAllowing(policy: PolicyDocument, action: string): PolicyStatement[] {
  return policy.Statement.filter((statement) => statement.Effect === 'Allow' && statement.Action.includes(action));
}

function statementsDenying(policy: PolicyDocument, action: string): PolicyStatement[] {
  return policy.Statement.filter((statement) => statement.Effect === 'Deny' && statement.Action.includes(action));
}

const apps: string[] = [];
afterAll(() => {
  for (const root of apps) rmSync(root, { recursive: true, force: true });
});

/** Generates the app at `root` as `durable-gen generate` would, and expects no diagnostic. */
function generateApp(root: string): void {
  // The table is every dynamodb service's default; a lambda-durable one uses none.
  const result = generate({
    root,
    paths: ['src/**/*.ts'],
    account: ACCOUNT,
    region: 'eu-west-1',
    table: 'durable-executions',
  });
  expect(result.diagnostics).toEqual([]);
}

/** Generates a fresh copy of the fixture app and returns its root. */
function generateFixture(fixture = FIXTURE): string {
  mkdirSync(SCRATCH, { recursive: true });
  writeFileSync(path.join(SCRATCH, '.gitignore'), '*\n');
  const root = mkdtempSync(path.join(SCRATCH, 'iam-'));
  apps.push(root);
  cpSync(fixture, root, { recursive: true, filter: (source) => !/[\\/](generated|node_modules)$/.test(source) });
  generateApp(root);
  return root;
}

function readPolicy(root: string, service: string): PolicyDocument {
  return JSON.parse(readFileSync(path.join(root, `generated/iam/${service}.json`), 'utf8')) as PolicyDocument;
}

function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'generated/manifest.json'), 'utf8')) as Manifest;
}

/** The fixture generated once, then again after a deploy recorded notifier's version 7 in the manifest. */
let beforeDeploy: string;
let afterDeploy: string;
beforeAll(() => {
  beforeDeploy = generateFixture();
  afterDeploy = generateFixture();
  const manifest = readManifest(afterDeploy);
  manifest.services.notifier!.deployment = { publishedVersion: '7', qualifiedArn: `${NOTIFIER_FUNCTION}:7` };
  writeFileSync(path.join(afterDeploy, 'generated/manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  generateApp(afterDeploy);
});

describe('generated IAM policies', () => {
  it('are least-privilege for every service, before and after a deploy', () => {
    for (const root of [beforeDeploy, afterDeploy]) {
      const services = Object.keys(readManifest(root).services);
      expect(services).toEqual(['notifier', 'reviews']);
      for (const service of services)
        expect(() => assertLeastPrivilege(readPolicy(root, service), service)).not.toThrow();
    }
  });

  it('reach only the configured checkpoint table and its resumable index', () => {
    const table = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/durable-executions`;
    for (const service of ['notifier', 'reviews']) {
      const tableResources = readPolicy(beforeDeploy, service)
        .Statement.filter((statement) => statement.Action.some((action) => action.startsWith('dynamodb:')))
        .flatMap((statement) => statement.Resource);
      expect(tableResources.sort()).toEqual([table, `${table}/index/resumable`]);
    }
  });

  it('let the invoking service invoke only the invoked function, qualified: any published version, also after a deploy', () => {
    const invokeResources = (root: string): string[] =>
      statementsAllowing(readPolicy(root, 'reviews'), 'lambda:InvokeFunction')
        .filter((s) => s.Sid === 'InvokeServices')
        .flatMap((s) => s.Resource);

    expect(invokeResources(beforeDeploy)).toEqual([`${NOTIFIER_FUNCTION}:*`]);
    // Not only version 7: executions pinned to an older version of the caller call the callee version they recorded.
    expect(invokeResources(afterDeploy)).toEqual([`${NOTIFIER_FUNCTION}:*`]);
  });

  it('let each service invoke its own versions, for the sweeper, and nothing else besides what it calls', () => {
    for (const [service, functionArn] of [
      ['notifier', NOTIFIER_FUNCTION],
      ['reviews', REVIEWS_FUNCTION],
    ] as const) {
      const own = readPolicy(beforeDeploy, service).Statement.filter((s) => s.Sid === 'ResumeOwnVersions');
      expect(own).toEqual([
        {
          Sid: 'ResumeOwnVersions',
          Effect: 'Allow',
          Action: ['lambda:InvokeFunction'],
          Resource: [`${functionArn}:*`],
        },
      ]);
    }
  });

  it("deny the invoked function's $LATEST explicitly, before and after a deploy", () => {
    for (const root of [beforeDeploy, afterDeploy]) {
      const denied = statementsDenying(readPolicy(root, 'reviews'), 'lambda:InvokeFunction');
      expect(denied.flatMap((s) => s.Resource)).toEqual([
        `${REVIEWS_FUNCTION}:$LATEST`,
        `${NOTIFIER_FUNCTION}:$LATEST`,
      ]);
      expect(denied.flatMap((s) => s.Action)).toEqual(['lambda:InvokeFunction']);
    }
  });

  it('require every table request to have leading keys, all of them the service own', () => {
    for (const service of ['notifier', 'reviews']) {
      const table = readPolicy(beforeDeploy, service).Statement.filter((s) =>
        s.Action.some((a) => a.startsWith('dynamodb:')),
      );
      expect(table.map((s) => s.Sid)).toEqual(['CheckpointTable', 'ResumableIndex']);
      for (const statement of table) {
        expect(statement.Condition).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${service}#*`] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        });
      }
    }
  });

  it('give the invoked service, which invokes nothing, no lambda:InvokeFunction but on its own versions', () => {
    for (const root of [beforeDeploy, afterDeploy]) {
      const policy = readPolicy(root, 'notifier');
      const invoke = policy.Statement.filter((s) => s.Action.includes('lambda:InvokeFunction'));
      expect(invoke.flatMap((s) => s.Resource)).toEqual([`${NOTIFIER_FUNCTION}:*`, `${NOTIFIER_FUNCTION}:$LATEST`]);
    }
  });
});

describe('iam/<service>-callbacks.json: what a completer of its callbacks needs', () => {
  const APPROVALS = `import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService({ name: 'approvals' })
export class ApprovalService {
  @Workflow()
  async approve(ctx: DurableContext, input: { id: string }): Promise<boolean> {
    const answer = await ctx.waitForCallback<{ ok: boolean }>('manager', (token) => console.log(token));
    return answer.ok && input.id !== '';
  }
}
`;

  it('is written for a service that waits for callbacks, and for no other', () => {
    mkdirSync(SCRATCH, { recursive: true });
    const root = mkdtempSync(path.join(SCRATCH, 'iam-callbacks-'));
    apps.push(root);
    cpSync(FIXTURE, root, { recursive: true, filter: (source) => !/[\\/](generated|node_modules)$/.test(source) });
    writeFileSync(path.join(root, 'src/approvals.ts'), APPROVALS);
    generateApp(root);

    const policy = readPolicy(root, 'approvals-callbacks');
    assertLeastPrivilege(policy, 'approvals');
    const approvals = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:approvals`;
    expect(policy.Statement).toEqual([
      {
        Sid: 'CompleteCallbacks',
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        Resource: [`arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/durable-executions`],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['approvals#*'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
      { Sid: 'ResumeExecutions', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [`${approvals}:*`] },
      { Sid: 'DenyLatest', Effect: 'Deny', Action: ['lambda:InvokeFunction'], Resource: [`${approvals}:$LATEST`] },
    ]);
    expect(() => readPolicy(root, 'reviews-callbacks')).toThrow(/ENOENT/);
    expect(() => readPolicy(root, 'notifier-callbacks')).toThrow(/ENOENT/);
  });
});

describe('generated IAM policies of services on backend lambda-durable', () => {
  const PAYMENTS_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:payments`;
  const RECEIPTS_FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:receipts`;
  let root: string;
  beforeAll(() => {
    root = generateFixture(NATIVE_FIXTURE);
  });

  it('are least-privilege, the callbacks policy too', () => {
    expect(Object.keys(readManifest(root).services)).toEqual(['payments', 'receipts']);
    for (const service of ['payments', 'receipts']) assertLeastPrivilege(readPolicy(root, service), service);
    assertLeastPrivilege(readPolicy(root, 'payments-callbacks'), 'payments');
  });

  it('reach no table nor index, and do not invoke their own versions: the service keeps the journal and resumes', () => {
    for (const service of ['payments', 'receipts']) {
      const policy = readPolicy(root, service);
      expect(policy.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
      expect(JSON.stringify(policy)).not.toContain(':dynamodb:');
      expect(policy.Statement.map((s) => s.Sid)).not.toContain('ResumeOwnVersions');
    }
    const receipts = readPolicy(root, 'receipts');
    expect(receipts.Statement.filter((s) => s.Action.includes('lambda:InvokeFunction'))).toEqual([]);
  });

  it('checkpoint and read the state of their own executions, on every version', () => {
    for (const [service, functionArn] of [
      ['payments', PAYMENTS_FUNCTION],
      ['receipts', RECEIPTS_FUNCTION],
    ] as const) {
      expect(readPolicy(root, service).Statement[0]).toEqual({
        Sid: 'DurableExecution',
        Effect: 'Allow',
        Action: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
        Resource: [`${functionArn}:*`],
      });
    }
  });

  it('invoke the callee on its published versions only, its $LATEST denied', () => {
    const policy = readPolicy(root, 'payments');
    expect(statementsAllowing(policy, 'lambda:InvokeFunction').flatMap((s) => s.Resource)).toEqual([
      `${RECEIPTS_FUNCTION}:*`,
    ]);
    expect(statementsDenying(policy, 'lambda:InvokeFunction').flatMap((s) => s.Resource)).toEqual([
      `${RECEIPTS_FUNCTION}:$LATEST`,
    ]);
  });

  it("let a completer of the service's callbacks send their outcome and heartbeats, and nothing else", () => {
    expect(readPolicy(root, 'payments-callbacks').Statement).toEqual([
      {
        Sid: 'CompleteCallbacks',
        Effect: 'Allow',
        Action: [
          'lambda:SendDurableExecutionCallbackFailure',
          'lambda:SendDurableExecutionCallbackHeartbeat',
          'lambda:SendDurableExecutionCallbackSuccess',
        ],
        Resource: [`${PAYMENTS_FUNCTION}:*`],
      },
    ]);
    expect(() => readPolicy(root, 'receipts-callbacks')).toThrow(/ENOENT/);
  });

  it.each([
    {
      problem: 'checkpoints on the unqualified function, which never match an execution',
      change: (s: PolicyStatement) => {
        s.Resource = [PAYMENTS_FUNCTION];
      },
      says: 'is unqualified, which never matches a durable execution',
    },
    {
      problem: "checkpoints on another function's executions",
      change: (s: PolicyStatement) => {
        s.Resource = [`${RECEIPTS_FUNCTION}:*`];
      },
      says: "reaches the durable executions of another function than 'payments'",
    },
  ])('are told apart by assertLeastPrivilege from $problem', ({ change, says }) => {
    const policy = readPolicy(root, 'payments');
    change(statementsAllowing(policy, 'lambda:CheckpointDurableExecution')[0]!);
    expect(() => assertLeastPrivilege(policy, 'payments')).toThrow(says);
  });
});

describe('assertLeastPrivilege', () => {
  /**
   * The generated reviews policy, with one statement changed by `change` (it finds the statement by an action it
   * allows, or denies with `effect: 'Deny'`).
   */
  function spoiled(
    action: string,
    change: (statement: PolicyStatement) => void,
    effect: 'Allow' | 'Deny' = 'Allow',
  ): PolicyDocument {
    const policy = readPolicy(beforeDeploy, 'reviews');
    const [statement] = (effect === 'Allow' ? statementsAllowing : statementsDenying)(policy, action);
    if (statement === undefined) throw new Error(`the reviews policy no longer allows ${action}: update this test`);
    change(statement);
    return policy;
  }

  it('accepts the policy the cases below spoil', () => {
    expect(() => assertLeastPrivilege(readPolicy(beforeDeploy, 'reviews'), 'reviews')).not.toThrow();
  });

  it.each([
    {
      problem: 'a `*` action',
      policy: () => spoiled('logs:CreateLogGroup', (s) => s.Action.push('*')),
      says: "wildcard action '*'",
    },
    {
      problem: 'a service:* action',
      policy: () => spoiled('dynamodb:PutItem', (s) => s.Action.push('dynamodb:*')),
      says: "wildcard action 'dynamodb:*'",
    },
    {
      problem: 'an action with a wildcard',
      policy: () => spoiled('dynamodb:PutItem', (s) => s.Action.push('dynamodb:Delete*')),
      says: "wildcard action 'dynamodb:Delete*'",
    },
    {
      problem: 'a `*` resource',
      policy: () =>
        spoiled('lambda:InvokeFunction', (s) => {
          s.Resource = ['*'];
        }),
      says: "statement InvokeServices: '*' resource",
    },
    {
      problem: 'a table in any account',
      policy: () =>
        spoiled('dynamodb:PutItem', (s) => {
          s.Resource = ['arn:aws:dynamodb:eu-west-1:*:table/durable-executions'];
        }),
      says: 'wildcard in the partition, service, region or account',
    },
    {
      problem: 'table access without the LeadingKeys condition',
      policy: () =>
        spoiled('dynamodb:PutItem', (s) => {
          delete s.Condition;
        }),
      says: "statement CheckpointTable: table access must be limited to ForAllValues:StringLike dynamodb:LeadingKeys ['reviews#*'], found null",
    },
    {
      problem: 'table access that does not require leading keys',
      policy: () =>
        spoiled('dynamodb:PutItem', (s) => {
          delete s.Condition?.Null;
        }),
      says: "statement CheckpointTable: table access must require leading keys (Null dynamodb:LeadingKeys 'false')",
    },
    {
      problem: 'table access that requires no leading keys',
      policy: () =>
        spoiled('dynamodb:Query', (s) => {
          s.Condition = { ...s.Condition, Null: { 'dynamodb:LeadingKeys': 'true' } };
        }),
      says: 'table access must require leading keys',
    },
    {
      problem: "table access to another service's keys",
      policy: () =>
        spoiled('dynamodb:Query', (s) => {
          s.Condition = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['notifier#*'] } };
        }),
      says: 'table access must be limited',
    },
    {
      problem: 'table access to every key',
      policy: () =>
        spoiled('dynamodb:Query', (s) => {
          s.Condition = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['*'] } };
        }),
      says: 'table access must be limited',
    },
    {
      problem: 'an unqualified invoke',
      policy: () =>
        spoiled('lambda:InvokeFunction', (s) => {
          s.Resource = [NOTIFIER_FUNCTION];
        }),
      says: 'is unqualified',
    },
    {
      problem: 'an invoke of $LATEST',
      policy: () =>
        spoiled('lambda:InvokeFunction', (s) => {
          s.Resource = [`${NOTIFIER_FUNCTION}:$LATEST`];
        }),
      says: 'invokes $LATEST',
    },
    {
      problem: 'an invoke of any version without the Deny of $LATEST',
      policy: () => {
        const policy = readPolicy(beforeDeploy, 'reviews');
        policy.Statement = policy.Statement.filter((s) => s.Effect === 'Allow');
        return policy;
      },
      says: `statement InvokeServices: '${NOTIFIER_FUNCTION}:*' allows '${NOTIFIER_FUNCTION}:$LATEST': deny it`,
    },
    {
      problem: "a Deny of another function's $LATEST",
      policy: () =>
        spoiled(
          'lambda:InvokeFunction',
          (s) => {
            s.Resource = [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:other:$LATEST`];
          },
          'Deny',
        ),
      says: `allows '${NOTIFIER_FUNCTION}:$LATEST': deny it`,
    },
    {
      problem: 'an invoke of every function',
      policy: () =>
        spoiled('lambda:InvokeFunction', (s) => {
          s.Resource = [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:*`];
        }),
      says: 'is not one Lambda function',
    },
  ])('rejects $problem', ({ policy, says }) => {
    expect(() => assertLeastPrivilege(policy(), 'reviews')).toThrow(says);
  });
});
