import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer } from '../../packages/cli/src/dev/dev-server.js';
import type { Manifest } from '../../packages/codegen/src/index.js';
import { DEFAULT_TABLE } from '../../packages/core/src/index.js';
import { emptyApp, removeMadeDirs } from '../bundle/bundle-app.js';
import { assertCliBuilt, cleanUp, runCli } from '../cli/cli-harness.js';
import { ACCOUNT, bundledSampleApp, generateAndBundle, REGION } from './sample-app.js';

/**
 * `durable-gen deploy` against `durable-gen dev`'s Lambda API, driven and
 * checked with the real `@aws-sdk/client-lambda`: a copy of the sample app,
 * bundled once, deployed, deployed again unchanged, then with a changed
 * notifier; and the refusals that must leave the API untouched.
 */

const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-deploy-test`;
const TABLE = DEFAULT_TABLE;

interface DeployJson {
  services: {
    name: string;
    functionName: string;
    version: string;
    alias: string;
    qualifiedArn: string;
    aliasArn: string;
    change: string;
    schedule: { skipped?: string };
  }[];
}

let app: string;
let server: Awaited<ReturnType<typeof startDevServer>>;
let lambda: LambdaClient;

/** The SDK's usual configuration, as a person would have it for dev: deploy reads it, as it reads AWS's. */
const AWS_ENV = { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
const clientConfig = () => ({
  endpoint: server.url,
  region: REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  assertCliBuilt();
  app = await bundledSampleApp();
  server = await startDevServer({ root: app, port: 0, accountId: ACCOUNT, region: REGION });
  lambda = new LambdaClient(clientConfig());
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  await cleanUp();
  removeMadeDirs();
});

/** `durable-gen deploy --endpoint <dev> <args>`, a real process in the app's folder. */
async function deploy(args: string[], env: Record<string, string> = {}, endpoint = server.url) {
  const result = await runCli(['deploy', '--endpoint', endpoint, ...args], app, { ...AWS_ENV, ...env });
  const json = args.includes('json') && result.code === 0 ? (JSON.parse(result.stdout) as DeployJson) : undefined;
  return { ...result, lines: result.stdout.trimEnd().split('\n'), json };
}

async function functionNames(): Promise<string[]> {
  const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
  return Functions.map((f) => f.FunctionName ?? '').sort();
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as Manifest;
}

function base64Sha256(file: string): string {
  return createHash('sha256')
    .update(readFileSync(path.join(app, file)))
    .digest('base64');
}

describe('durable-gen deploy', () => {
  it('refuses a zip that is not the one bundle recorded, before anything is created', async () => {
    const zip = path.join(app, 'dist/notifier.zip');
    const original = readFileSync(zip);
    writeFileSync(zip, Buffer.concat([original, Buffer.from('tampered')]));
    try {
      const { code, stderr } = await deploy(['--role', ROLE]);
      expect(stderr).toMatch(
        /dist\/notifier\.zip of service 'notifier' is not the zip the manifest recorded .*run `durable-gen bundle`.*\[ZIP_CHANGED\]/,
      );
      expect(code).toBe(1);
    } finally {
      writeFileSync(zip, original);
    }
    expect(await functionNames()).toEqual([]);
  });

  it('refuses to create functions without --role, and an unknown --service as a usage error', async () => {
    const noRole = await deploy([]);
    expect(noRole.stderr).toMatch(/'notifier', 'reviews' do not exist yet.*pass --role.*\[ROLE_REQUIRED\]/);
    expect(noRole.code).toBe(1);

    const unknown = await deploy(['--role', ROLE, '--service', 'nope']);
    expect(unknown.stderr).toMatch(/has no service 'nope' \(it has: notifier, reviews\).*\[UNKNOWN_SERVICE\]/);
    expect(unknown.code).toBe(2);
    expect(await functionNames()).toEqual([]);
  });

  it('refuses a region other than the one the services were generated for', async () => {
    const { code, stderr } = await deploy(['--role', ROLE], { AWS_REGION: 'eu-west-1' });
    expect(stderr).toMatch(
      /region is eu-west-1, but 'notifier', 'reviews' were generated for us-east-1.*\[WRONG_REGION\]/,
    );
    expect(code).toBe(1);
    expect(await functionNames()).toEqual([]);
  });

  it("creates the table and both functions, callees first, the callee's version ARN in the caller", async () => {
    const { code, json, stderr } = await deploy(['--role', ROLE, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const arn = (name: string, qualifier: string) =>
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:${qualifier}`;
    expect(json?.services.map((s) => [s.name, s.version, s.alias, s.change, s.qualifiedArn, s.aliasArn])).toEqual([
      ['notifier', '1', 'live', 'created', arn('notifier', '1'), arn('notifier', 'live')],
      ['reviews', '1', 'live', 'created', arn('reviews', '1'), arn('reviews', 'live')],
    ]);
    expect(json?.services[0]?.schedule.skipped).toMatch(/durable-gen dev sweeps by itself/);

    const reviews = await lambda.send(new GetFunctionCommand({ FunctionName: 'reviews' }));
    expect(reviews.Configuration).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: ROLE,
      Timeout: 60,
      MemorySize: 512,
      CodeSha256: base64Sha256('dist/reviews.zip'),
      Environment: { Variables: { DURABLE_TABLE: TABLE, DURABLE_TARGET_NOTIFIER_ARN: arn('notifier', '1') } },
    });
    expect(reviews.Tags).toMatchObject({ 'durable:service': 'reviews' });
    // Callees first: reviews was created with the ARN of notifier's published version (above).
    const notifier = await lambda.send(new GetFunctionCommand({ FunctionName: 'notifier', Qualifier: '1' }));
    expect(notifier.Configuration?.Environment?.Variables).toEqual({ DURABLE_TABLE: TABLE });
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'reviews', Name: 'live' }));
    expect(alias.FunctionVersion).toBe('1');

    const dynamoDb = new DynamoDBClient(clientConfig());
    try {
      const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      dynamoDb.destroy();
    }

    const recorded = manifest().services.reviews?.deployment;
    expect(recorded).toMatchObject({
      publishedVersion: '1',
      qualifiedArn: arn('reviews', '1'),
      alias: 'live',
      aliasArn: arn('reviews', 'live'),
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:reviews`,
      codeSha256: manifest().services.reviews?.bundle?.sha256,
      endpoint: server.url,
    });
    expect(recorded?.versions?.map((v) => v.version)).toEqual(['1']);
    expect(Number.isNaN(Date.parse(recorded?.deployedAt ?? ''))).toBe(false);
  });

  it('runs a review through the alias: reviews invokes notifier by its version ARN', async () => {
    const event = JSON.parse(readFileSync(path.join(app, 'events/pull-request-opened.json'), 'utf8'));
    const payload = { executionId: 'deploy-test-review-1', input: { ...event, cooldownSeconds: 0 } };
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'reviews', Qualifier: 'live', Payload: JSON.stringify(payload) }),
    );
    const result = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));
    expect(answer.FunctionError, JSON.stringify(result)).toBeUndefined();
    expect(answer.ExecutedVersion).toBe('1');
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { pullRequest: 42, notifiedIn: '#reviews-payments' },
    });
  });

  it('deploys again with nothing changed: same versions, nothing published, "unchanged"', async () => {
    const { code, lines } = await deploy(['--role', ROLE]);
    expect(code).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(
        /^notifier {2}version 1 {2}alias live {2}unchanged {2}arn:aws:lambda:us-east-1:\d{12}:function:notifier:1$/,
      ),
      expect.stringMatching(
        /^reviews {3}version 1 {2}alias live {2}unchanged {2}arn:aws:lambda:us-east-1:\d{12}:function:reviews:1$/,
      ),
      `table ${TABLE} ready`,
      expect.stringMatching(/^sweep schedules skipped: .*durable-gen dev sweeps by itself$/),
      'attach generated/iam/notifier.json to the role of function notifier',
      'attach generated/iam/reviews.json to the role of function reviews',
    ]);
    for (const name of ['notifier', 'reviews']) {
      const { Versions = [] } = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
      expect(Versions.map((v) => v.Version)).toEqual(['$LATEST', '1']);
      expect(manifest().services[name]?.deployment?.versions?.map((v) => v.version)).toEqual(['1']);
    }
  });

  it('publishes version 2 of a changed zip and moves the alias; version 1 keeps its code', async () => {
    const source = path.join(app, 'src/notifier-service.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace('`#reviews-${', '`#code-review-${'));
    await generateAndBundle(app, ['notifier']);
    const oldSha = manifest().services.notifier?.deployment?.codeSha256;

    const notifierOnly = await deploy(['--role', ROLE, '--service', 'notifier']);
    expect(notifierOnly.code).toBe(0);
    expect(notifierOnly.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^notifier {2}version 2 {2}alias live {2}updated {2}arn:\S+:function:notifier:2$/),
        'reviews still invokes its earlier version of notifier: deploy reviews too to move it to version 2',
      ]),
    );
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'notifier', Name: 'live' }));
    expect(alias.FunctionVersion).toBe('2');
    const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'notifier', Qualifier: '1' }));
    const v2 = await lambda.send(new GetFunctionCommand({ FunctionName: 'notifier', Qualifier: '2' }));
    expect(v1.Configuration?.CodeSha256).toBe(Buffer.from(oldSha ?? '', 'hex').toString('base64'));
    expect(v2.Configuration?.CodeSha256).toBe(base64Sha256('dist/notifier.zip'));
    expect(manifest().services.notifier?.deployment?.versions?.map((v) => v.version)).toEqual(['1', '2']);

    // reviews alone: notifier's version ARN comes from the manifest's record; reviews' code is the same, its
    // environment is not, so it gets version 2 too.
    const reviewsOnly = await deploy(['--role', ROLE, '--service', 'reviews', '--format', 'json']);
    expect(reviewsOnly.stderr).toBe('');
    expect(reviewsOnly.code).toBe(0);
    expect(reviewsOnly.json?.services.map((s) => [s.name, s.version, s.change])).toEqual([['reviews', '2', 'updated']]);
    const reviews = await lambda.send(new GetFunctionCommand({ FunctionName: 'reviews', Qualifier: 'live' }));
    expect(reviews.Configuration?.Version).toBe('2');
    expect(reviews.Configuration?.Environment?.Variables?.DURABLE_TARGET_NOTIFIER_ARN).toBe(
      manifest().services.notifier?.deployment?.qualifiedArn,
    );
    expect(manifest().services.notifier?.deployment?.qualifiedArn).toMatch(/:function:notifier:2$/);

    // Each version runs its own code.
    const notification = { repository: 'acme/payments', pullRequest: 42, findings: 1, threadUrl: 'https://x' };
    const channels: string[] = [];
    for (const version of ['1', '2']) {
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: 'notifier',
          Qualifier: version,
          Payload: JSON.stringify({ executionId: `deploy-test-notify-v${version}`, input: notification }),
        }),
      );
      const result = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));
      expect(answer.FunctionError, JSON.stringify(result)).toBeUndefined();
      channels.push(result.output.channel);
    }
    expect(channels).toEqual(['#reviews-payments', '#code-review-payments']);
  });

  it('refuses a Lambda API of another account, and records nothing', async () => {
    const other = await startDevServer({ root: emptyApp(), port: 0, accountId: '210987654321', region: REGION });
    const before = manifest().services.notifier?.deployment;
    try {
      const { code, stderr } = await deploy(['--role', ROLE, '--service', 'notifier'], {}, other.url);
      expect(stderr).toMatch(
        /service 'notifier': .*in account 210987654321 .* generated for account 123456789012 .*--account 210987654321.*\[WRONG_ACCOUNT\]/,
      );
      expect(code).toBe(1);
    } finally {
      await other.close();
    }
    expect(manifest().services.notifier?.deployment).toEqual(before);
  });

  it("sets the app's own --env variables beside deploy's, and refuses one that would replace deploy's", async () => {
    const owned = await deploy(['--role', ROLE, '--service', 'notifier', '--env', 'DURABLE_TABLE=elsewhere']);
    expect(owned.code).toBe(2); // a usage error, as every bad option
    expect(owned.stderr).toMatch(/--env DURABLE_TABLE: deploy sets the DURABLE_\* variables itself/);
    const malformed = await deploy(['--role', ROLE, '--service', 'notifier', '--env', 'no-equals-sign']);
    expect(malformed.stderr).toMatch(/--env 'no-equals-sign' is not KEY=VALUE/);
    const before = (await lambda.send(new GetFunctionCommand({ FunctionName: 'notifier' }))).Configuration;

    const { code, json } = await deploy([
      '--role',
      ROLE,
      '--service',
      'notifier',
      '--env',
      'CHAT_URL=https://chat.example/x=1',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const version = json?.services[0]?.version ?? '';
    expect(Number(version)).toBeGreaterThan(Number(before?.Version === '$LATEST' ? 0 : before?.Version));
    const published = await lambda.send(new GetFunctionCommand({ FunctionName: 'notifier', Qualifier: version }));
    // Only the first '=' splits: the value keeps the rest.
    expect(published.Configuration?.Environment?.Variables).toEqual({
      DURABLE_TABLE: TABLE,
      CHAT_URL: 'https://chat.example/x=1',
    });
    expect(before?.Environment?.Variables).toEqual({ DURABLE_TABLE: TABLE });
  });
});
