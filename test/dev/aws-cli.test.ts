import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  awsLambda,
  type DevProcess,
  handlerZip,
  REGION,
  ROLE,
  startDev,
  stopAll,
  tempRoot,
} from './dev-process.js';

/**
 * `durable-gen dev` driven by the AWS CLI, as a user would from a shell: the
 * real `aws` program (v1 or v2) with `--endpoint-url`, against the real
 * `durable-gen dev` process.
 */

/** Says which version and alias ran, and what it was given; hangs when asked to (for the timeout). */
const ECHO = `
export const handler = async (event, context) => {
  if (event.hang) await new Promise(() => {});
  if (event.fail) throw new TypeError('asked to fail');
  return {
    event,
    version: context.functionVersion,
    envVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: context.invokedFunctionArn,
    greeting: process.env.GREETING ?? null,
  };
};
`;

/** Appends its request id to a file, then hangs: an asynchronous invocation in flight when dev is killed. */
const IN_FLIGHT = `
import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(event.file, context.awsRequestId + '\\n');
  if (event.hangFirst && readCount(event.file) === 1) await new Promise(() => {});
  return 'done';
};
import { readFileSync } from 'node:fs';
function readCount(file) { return readFileSync(file, 'utf8').trim().split('\\n').length; }
`;

const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:echo`;

let app: ReturnType<typeof tempRoot>;
let dev: DevProcess;
const aws = (...args: string[]) => awsLambda(dev.url, args, app.root);

/** Invokes and returns the CLI's answer, the response payload and the CLI exit status. */
function invoke(functionName: string, payload: unknown, ...more: string[]) {
  const out = path.join(app.root, `response-${Math.random().toString(36).slice(2)}.json`);
  const run = aws('invoke', '--function-name', functionName, '--payload', JSON.stringify(payload), ...more, out);
  const body = existsSync(out) ? readFileSync(out, 'utf8') : '';
  return {
    run,
    answer: run.json as Record<string, unknown> | undefined,
    body: body === '' ? undefined : JSON.parse(body),
  };
}

beforeAll(async () => {
  app = tempRoot();
  writeFileSync(path.join(app.root, 'echo.zip'), handlerZip(ECHO));
  dev = await startDev(app.root);
  const created = aws(
    'create-function',
    '--function-name',
    'echo',
    '--runtime',
    'nodejs22.x',
    '--role',
    ROLE,
    '--handler',
    'index.handler',
    '--timeout',
    '2',
    '--zip-file',
    'fileb://echo.zip',
    '--environment',
    'Variables={GREETING=hello}',
    '--tags',
    JSON.stringify({ 'durable:service': 'echo' }),
  );
  expect(created.status, created.stderr).toBe(0);
  expect(created.json).toMatchObject({ FunctionName: 'echo', FunctionArn: FUNCTION_ARN, Runtime: 'nodejs22.x' });
  const waited = aws('wait', 'function-active-v2', '--function-name', 'echo');
  expect(waited.status, waited.stderr).toBe(0);
  const published = aws('publish-version', '--function-name', 'echo');
  expect(published.status, published.stderr).toBe(0);
  expect(published.json).toMatchObject({ Version: '1', FunctionArn: `${FUNCTION_ARN}:1` });
  const alias = aws('create-alias', '--function-name', 'echo', '--name', 'live', '--function-version', '1');
  expect(alias.status, alias.stderr).toBe(0);
  expect(alias.json).toMatchObject({ Name: 'live', FunctionVersion: '1', AliasArn: `${FUNCTION_ARN}:live` });
});

afterEach(async () => {
  // The restart test starts dev processes of its own; the shared one stays.
  if (!dev.isRunning()) dev = await startDev(app.root);
});

afterAll(async () => {
  await stopAll();
  app.remove();
});

describe('durable-gen dev, driven by the AWS CLI', () => {
  it('invokes a version by name:version, by full ARN, by --qualifier and through an alias', () => {
    for (const [name, qualifier, invoked] of [
      ['echo:1', [], `${FUNCTION_ARN}:1`],
      [`${FUNCTION_ARN}:1`, [], `${FUNCTION_ARN}:1`],
      ['echo', ['--qualifier', '1'], `${FUNCTION_ARN}:1`],
      ['echo:live', [], `${FUNCTION_ARN}:live`],
    ] as const) {
      const { run, answer, body } = invoke(name, { n: 1 }, ...qualifier);
      expect(run.status, run.stderr).toBe(0);
      expect(answer).toMatchObject({ StatusCode: 200, ExecutedVersion: '1' });
      expect(answer?.FunctionError).toBeUndefined();
      // The context keeps what was invoked (an alias stays an alias); the version is the one that ran.
      expect(body).toEqual({
        event: { n: 1 },
        version: '1',
        envVersion: '1',
        invokedFunctionArn: invoked,
        greeting: 'hello',
      });
    }
  });

  it('refuses $LATEST and the unqualified name of a durable service, and runs nothing', () => {
    for (const name of ['echo', 'echo:$LATEST', FUNCTION_ARN]) {
      const { run, body } = invoke(name, { n: 2 });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/InvalidParameterValueException/);
      expect(run.stderr).toMatch(/version|alias/i);
      expect(body).toBeUndefined();
    }
  });

  it('answers Event with 202 and DryRun with 204, and says a function error is one', () => {
    expect(invoke('echo:1', {}, '--invocation-type', 'Event').answer).toMatchObject({ StatusCode: 202 });
    expect(invoke('echo:1', {}, '--invocation-type', 'DryRun').answer).toMatchObject({ StatusCode: 204 });
    const failed = invoke('echo:1', { fail: true });
    expect(failed.answer).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(failed.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
  });

  it('kills an invocation at its timeout: Sandbox.Timedout, and the next one starts cold', () => {
    const timedOut = invoke('echo:1', { hang: true });
    expect(timedOut.answer).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(timedOut.body).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(timedOut.body.errorMessage).toMatch(/Task timed out after 2\.00 seconds/);
    expect(invoke('echo:1', { n: 3 }).body).toMatchObject({ event: { n: 3 }, version: '1' });
  });

  it('updates code and configuration, publishes version 2 and moves the alias; version 1 keeps its code', () => {
    writeFileSync(path.join(app.root, 'echo2.zip'), handlerZip(ECHO.replace('?? null', "?? 'v2'")));
    const stale = aws(
      'update-function-code',
      '--function-name',
      'echo',
      '--zip-file',
      'fileb://echo2.zip',
      '--revision-id',
      'not-the-revision',
    );
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toMatch(/PreconditionFailedException/);

    expect(aws('update-function-code', '--function-name', 'echo', '--zip-file', 'fileb://echo2.zip').status).toBe(0);
    expect(aws('wait', 'function-updated-v2', '--function-name', 'echo').status).toBe(0);
    const configured = aws('update-function-configuration', '--function-name', 'echo', '--environment', 'Variables={}');
    expect(configured.status, configured.stderr).toBe(0);
    expect(aws('wait', 'function-updated-v2', '--function-name', 'echo').status).toBe(0);

    const wrongSha = aws('publish-version', '--function-name', 'echo', '--code-sha256', 'AAAA');
    expect(wrongSha.status).not.toBe(0);
    expect(wrongSha.stderr).toMatch(/InvalidParameterValueException/);

    const published = aws('publish-version', '--function-name', 'echo');
    expect(published.json).toMatchObject({ Version: '2' });
    // Nothing changed since: the same version again, as Lambda answers.
    expect(aws('publish-version', '--function-name', 'echo').json).toMatchObject({ Version: '2' });
    const versions = aws('list-versions-by-function', '--function-name', 'echo').json as {
      Versions: { Version: string }[];
    };
    expect(versions.Versions.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);

    expect(aws('update-alias', '--function-name', 'echo', '--name', 'live', '--function-version', '2').status).toBe(0);
    expect(invoke('echo:live', {}).body).toMatchObject({ version: '2', greeting: 'v2' });
    expect(invoke('echo:1', {}).body).toMatchObject({ version: '1', greeting: 'hello' });
  });

  it('names what is missing: an unknown function, version or alias is ResourceNotFoundException', () => {
    for (const name of ['nobody:1', 'echo:99', 'echo:staging']) {
      const { run } = invoke(name, {});
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/ResourceNotFoundException/);
    }
    const config = aws('get-function-configuration', '--function-name', 'nobody');
    expect(config.stderr).toMatch(/ResourceNotFoundException/);
  });

  it('refuses a request payload over 6 MB with RequestTooLargeException', () => {
    writeFileSync(path.join(app.root, 'big.json'), JSON.stringify({ blob: 'x'.repeat(6 * 1024 * 1024 + 1) }));
    const out = path.join(app.root, 'big-response.json');
    const run = aws('invoke', '--function-name', 'echo:1', '--payload', 'fileb://big.json', out);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/RequestTooLargeException/);
  });

  it('keeps functions, versions, aliases and a queued asynchronous invocation across a SIGKILL of dev', async () => {
    writeFileSync(path.join(app.root, 'in-flight.zip'), handlerZip(IN_FLIGHT));
    const created = aws(
      'create-function',
      '--function-name',
      'in-flight',
      '--runtime',
      'nodejs22.x',
      '--role',
      ROLE,
      '--handler',
      'index.handler',
      '--timeout',
      '30',
      '--zip-file',
      'fileb://in-flight.zip',
      '--publish',
    );
    expect(created.status, created.stderr).toBe(0);
    const version = (created.json as { Version: string }).Version;
    expect(aws('wait', 'function-active-v2', '--function-name', 'in-flight').status).toBe(0);

    const file = path.join(app.root, 'in-flight.log');
    const event = invoke(`in-flight:${version}`, { file, hangFirst: true }, '--invocation-type', 'Event');
    expect(event.answer).toMatchObject({ StatusCode: 202 });
    // The first attempt has started (it hangs until its 30 s timeout): kill dev under it.
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').trim() !== '');
    await dev.kill();

    dev = await startDev(app.root);
    // Started again, dev runs the event it had accepted; Lambda's retries keep the request id, and so does this one.
    await waitFor(() => readFileSync(file, 'utf8').trim().split('\n').length === 2);
    const [first, second] = readFileSync(file, 'utf8').trim().split('\n');
    expect(second).toBe(first);
    expect(invoke('echo:live', {}).body).toMatchObject({ version: '2' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
