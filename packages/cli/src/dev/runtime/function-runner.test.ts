import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUNTIME_DIR } from './child-process.js';
import { createFunctionRunner, type FunctionRunner, type RunnableVersion, type RunOutcome } from './function-runner.js';

const folders: string[] = [];
const runners: FunctionRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A code folder holding `files` (name -> source), as an unzipped bundle. */
function codeDir(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'durable-runner-'));
  folders.push(folder);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(folder, name), source);
  return folder;
}

function version(dir: string, overrides: Partial<RunnableVersion> = {}): RunnableVersion {
  return {
    functionName: 'reviews',
    version: '3',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews',
    codeDir: dir,
    handler: 'index.handler',
    timeoutSeconds: 3,
    memorySizeMb: 128,
    environment: {},
    ...overrides,
  };
}

function runnerOf(files: Record<string, string>, overrides: Partial<RunnableVersion> = {}, maxChildren?: number) {
  const lines: string[] = [];
  const runner = createFunctionRunner(version(codeDir(files), overrides), {
    endpointUrl: 'http://127.0.0.1:1',
    region: 'eu-west-1',
    accountId: '123456789012',
    log: (line) => lines.push(line),
    maxChildren,
  });
  runners.push(runner);
  return { runner, lines };
}

function invoke(runner: FunctionRunner, event: unknown = {}, requestId: string = randomUUID()): Promise<RunOutcome> {
  return runner.run({
    requestId,
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:live',
    payload: new TextEncoder().encode(JSON.stringify(event)),
  });
}

function json(outcome: RunOutcome): unknown {
  return JSON.parse(new TextDecoder().decode(outcome.payload));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const echoPid = 'export const handler = async () => process.pid;\n';

describe('createFunctionRunner', () => {
  it("answers the handler's return value as JSON, with Lambda's context", async () => {
    const { runner } = runnerOf({
      'index.mjs': `export const handler = async (event, context) => ({
        event,
        awsRequestId: context.awsRequestId,
        invokedFunctionArn: context.invokedFunctionArn,
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        memoryLimitInMB: context.memoryLimitInMB,
        logGroupName: context.logGroupName,
        logStreamName: context.logStreamName,
        remaining: context.getRemainingTimeInMillis(),
        waits: context.callbackWaitsForEmptyEventLoop,
        cwd: process.cwd(),
      });\n`,
    });
    const outcome = await invoke(runner, { hello: 'world' }, 'request-1');
    expect(outcome.functionError).toBeUndefined();
    const answer = json(outcome) as Record<string, unknown>;
    expect(answer).toMatchObject({
      event: { hello: 'world' },
      awsRequestId: 'request-1',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:live',
      functionName: 'reviews',
      functionVersion: '3',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/reviews',
      waits: true,
    });
    expect(answer.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[3\][0-9a-f]{32}$/);
    expect(answer.remaining).toBeGreaterThan(0);
    expect(answer.remaining).toBeLessThanOrEqual(3000);
    expect(answer.cwd).toBe(folders[0]);
  });

  it("answers 'null' for undefined, and supports callback-style and CommonJS handlers", async () => {
    const undefinedAnswer = runnerOf({ 'index.mjs': 'export const handler = async () => undefined;\n' });
    expect(new TextDecoder().decode((await invoke(undefinedAnswer.runner)).payload)).toBe('null');

    const callback = runnerOf({
      'index.cjs': 'exports.handler = (event, context, done) => { setImmediate(() => done(null, event.n + 1)); };\n',
    });
    expect(json(await invoke(callback.runner, { n: 41 }))).toBe(42);
  });

  it("answers a throw as an Unhandled function error of Lambda's shape, and logs it", async () => {
    const { runner } = runnerOf({
      'index.mjs': `class ReviewMissing extends Error { name = 'ReviewMissing'; }
        export const handler = async () => { throw new ReviewMissing('review 7 is gone'); };\n`,
    });
    const outcome = await invoke(runner, {}, 'request-throw');
    expect(outcome.functionError).toBe('Unhandled');
    const error = json(outcome) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error.errorType).toBe('ReviewMissing');
    expect(error.errorMessage).toBe('review 7 is gone');
    expect(error.trace[0]).toBe('ReviewMissing: review 7 is gone');
    expect(error.trace.length).toBeGreaterThan(1);
    expect(outcome.log).toMatch(/\trequest-throw\tERROR\tInvoke Error \t\{"errorType":"ReviewMissing"/);
  });

  it('kills an invocation at its timeout (Sandbox.Timedout), and the next one starts a fresh process', async () => {
    const { runner } = runnerOf(
      {
        'index.mjs': `export const handler = async (event) => event.hang ? new Promise(() => {}) : process.pid;\n`,
      },
      { timeoutSeconds: 1 },
    );
    const firstPid = json(await invoke(runner)) as number;
    const outcome = await invoke(runner, { hang: true }, 'request-hang');
    expect(outcome.functionError).toBe('Unhandled');
    expect(json(outcome)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: request-hang Error: Task timed out after 1.00 seconds',
    });
    expect(outcome.log).toContain('request-hang Task timed out after 1.00 seconds');
    expect(outcome.log).toMatch(/REPORT RequestId: request-hang\t.*\tStatus: timeout/);
    expect(isAlive(firstPid)).toBe(false);

    const after = await invoke(runner);
    expect(after.functionError).toBeUndefined();
    expect(json(after)).not.toBe(firstPid);
    expect(after.log).toContain('Init Duration:');
  });

  it('answers Runtime.ExitError when the process exits mid-invocation, and starts a fresh one after', async () => {
    const { runner } = runnerOf({
      'index.mjs': `export const handler = async (event) => {
        if (event.exit !== undefined) { console.log('leaving'); process.exit(event.exit); }
        return process.pid;
      };\n`,
    });
    const firstPid = json(await invoke(runner)) as number;
    const outcome = await invoke(runner, { exit: 3 }, 'request-exit');
    expect(outcome.functionError).toBe('Unhandled');
    expect(json(outcome)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: request-exit Error: Runtime exited with error: exit status 3',
    });
    expect(outcome.log).toContain('\trequest-exit\tINFO\tleaving');
    expect(outcome.log).toMatch(/Status: error\tError Type: Runtime.ExitError/);

    const clean = await invoke(runner, { exit: 0 }, 'request-exit-0');
    expect((json(clean) as { errorMessage: string }).errorMessage).toBe(
      'RequestId: request-exit-0 Error: Runtime exited without providing a reason',
    );
    const after = await invoke(runner);
    expect(after.functionError).toBeUndefined();
    expect(json(after)).not.toBe(firstPid);
  });

  it('fails the invocation on an error thrown outside the handler, then starts a fresh process', async () => {
    const { runner } = runnerOf({
      'index.mjs': `export const handler = async (event) => {
        if (event.crash) { setTimeout(() => { throw new TypeError('late crash'); }); return new Promise(() => {}); }
        return process.pid;
      };\n`,
    });
    const outcome = await invoke(runner, { crash: true });
    expect(outcome.functionError).toBe('Unhandled');
    expect(json(outcome)).toMatchObject({ errorType: 'TypeError', errorMessage: 'late crash' });
    expect((await invoke(runner)).functionError).toBeUndefined();
  });

  it("gives the child Lambda's reserved variables and the function's own, and none of the dev process's", async () => {
    const marker = `DURABLE_RUNNER_MARKER_${process.pid}`;
    process.env[marker] = 'leaked';
    const previousNodeOptions = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--no-warnings';
    try {
      const { runner } = runnerOf(
        { 'index.mjs': 'export const handler = async () => ({ ...process.env });\n' },
        { environment: { TABLE_NAME: 'checkpoints', AWS_REGION: 'us-east-1' } },
      );
      const env = json(await invoke(runner)) as Record<string, string>;
      expect(env).toMatchObject({
        TABLE_NAME: 'checkpoints',
        AWS_LAMBDA_FUNCTION_NAME: 'reviews',
        AWS_LAMBDA_FUNCTION_VERSION: '3',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/reviews',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        LAMBDA_TASK_ROOT: folders[0],
        LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
        _HANDLER: 'index.handler',
        TZ: ':UTC',
        AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/\[3\][0-9a-f]{32}$/);
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
        expect(env[key]).toBeTruthy();
        expect(env[key]).not.toBe(process.env[key]);
      }
      expect(env[marker]).toBeUndefined();
      expect(env.NODE_OPTIONS).toBeUndefined();
      expect(env.HOME).toBeUndefined();
    } finally {
      delete process.env[marker];
      if (previousNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = previousNodeOptions;
    }
  });

  it('runs concurrent invocations in different children, and queues them beyond maxChildren', async () => {
    const wide = runnerOf({ 'index.mjs': echoPid });
    const pids = await Promise.all([invoke(wide.runner), invoke(wide.runner)]);
    expect(json(pids[0]!)).not.toBe(json(pids[1]!));

    const narrow = runnerOf({ 'index.mjs': echoPid }, {}, 1);
    const queued = await Promise.all([invoke(narrow.runner), invoke(narrow.runner), invoke(narrow.runner)]);
    expect(new Set(queued.map(json)).size).toBe(1);
    // Only the first invocation paid the cold start; the queued ones found the child warm.
    expect(queued.filter((outcome) => outcome.log.includes('Init Duration:'))).toHaveLength(1);
  });

  it("keeps each invocation's log lines apart, prefixes the dev log, and reports Lambda's lines", async () => {
    const { runner, lines } = runnerOf({
      'index.mjs': `export const handler = async (event) => {
        for (let i = 0; i < 20; i++) { console.log('line of', event.tag); await new Promise((r) => setImmediate(r)); }
        console.warn('multi\\nline');
        return event.tag;
      };\n`,
    });
    const [a, b] = await Promise.all([
      invoke(runner, { tag: 'a' }, 'request-a'),
      invoke(runner, { tag: 'b' }, 'request-b'),
    ]);
    for (const [outcome, tag, other] of [
      [a!, 'a', 'b'],
      [b!, 'b', 'a'],
    ] as const) {
      const text = outcome.log;
      expect(text.match(new RegExp(`\\trequest-${tag}\\tINFO\\tline of ${tag}\\n`, 'g'))).toHaveLength(20);
      expect(text).not.toContain(`request-${other}`);
      expect(text).toContain(`\tWARN\tmulti\nline\n`);
      expect(text).toMatch(new RegExp(`^START RequestId: request-${tag} Version: 3\\n`));
      expect(text).toMatch(
        new RegExp(
          `END RequestId: request-${tag}\\nREPORT RequestId: request-${tag}\\tDuration: \\d+\\.\\d\\d ms\\t` +
            'Billed Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\n$',
        ),
      );
    }
    expect(lines.every((line) => line.startsWith('[reviews:3] '))).toBe(true);
    expect(lines).toContain('[reviews:3] line');
    const warm = await invoke(runner, { tag: 'c' });
    expect(warm.log).not.toContain('Init Duration');
  });

  it("keeps a quiet invocation's lines in its outcome only, and prints the next one's again", async () => {
    const { runner, lines } = runnerOf({
      'index.mjs': `export const handler = async (event) => { console.log('said', event.tag); return event.tag; };\n`,
    });
    const quiet = await runner.run({
      requestId: 'request-quiet',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:live',
      payload: new TextEncoder().encode(JSON.stringify({ tag: 'q' })),
      quiet: true,
    });
    expect(quiet.log).toMatch(
      /START RequestId: request-quiet[\s\S]*\tINFO\tsaid q\n[\s\S]*REPORT RequestId: request-quiet/,
    );
    expect(lines.filter((line) => line.includes('request-quiet') || line.includes('said q'))).toEqual([]);
    await invoke(runner, { tag: 'loud' }, 'request-loud');
    expect(lines.some((line) => line.includes('said loud'))).toBe(true);
    expect(lines.some((line) => line.startsWith('[reviews:3] START RequestId: request-loud'))).toBe(true);
  });

  it('answers Lambda init errors: a missing module, a missing export, a syntax error, a throwing module', async () => {
    const missing = runnerOf({ 'other.mjs': echoPid });
    const missingOutcome = await invoke(missing.runner);
    expect(missingOutcome.functionError).toBe('Unhandled');
    expect(json(missingOutcome)).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    expect((json(missingOutcome) as { errorMessage: string }).errorMessage).toContain("Cannot find module 'index'");
    expect(missingOutcome.log).toContain('Status: error\tError Type: Runtime.ImportModuleError');

    const noExport = runnerOf({ 'index.mjs': 'export const other = async () => 1;\n' });
    expect(json(await invoke(noExport.runner))).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });

    const dependency = runnerOf({ 'index.mjs': "import 'not-installed-anywhere';\nexport const handler = () => 1;\n" });
    const dependencyError = json(await invoke(dependency.runner)) as { errorType: string; errorMessage: string };
    expect(dependencyError.errorType).toBe('Runtime.ImportModuleError');
    expect(dependencyError.errorMessage).toContain('not-installed-anywhere');

    const syntax = runnerOf({ 'index.mjs': 'export const handler = async () => {;\n' });
    expect(json(await invoke(syntax.runner))).toMatchObject({ errorType: 'Runtime.UserCodeSyntaxError' });

    const throwing = runnerOf({ 'index.mjs': "throw new RangeError('no config');\n" });
    const throwingOutcome = await invoke(throwing.runner);
    expect(json(throwingOutcome)).toMatchObject({ errorType: 'RangeError', errorMessage: 'no config' });
    expect(throwingOutcome.log).toMatch(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":"RangeError"/);
  });

  it('notices a warm child that exits between invocations, and starts a fresh one for the next', async () => {
    const { runner, lines } = runnerOf({
      'index.mjs': `export const handler = async (event) => {
        if (event.exitLater) setTimeout(() => process.exit(5), 0);
        return process.pid;
      };\n`,
    });
    const firstPid = json(await invoke(runner, { exitLater: true }));
    await waitFor(() =>
      lines.includes(
        '[reviews:3] Runtime exited with error: exit status 5 between invocations; ' +
          'the next one starts a fresh process',
      ),
    );
    const after = await invoke(runner);
    expect(after.functionError).toBeUndefined();
    expect(json(after)).not.toBe(firstPid);
  });

  it('close() kills every child and refuses further invocations', async () => {
    const { runner, lines } = runnerOf({ 'index.mjs': echoPid });
    const pids = (await Promise.all([invoke(runner), invoke(runner)])).map(json) as number[];
    expect(pids.every(isAlive)).toBe(true);
    await runner.close();
    expect(pids.some(isAlive)).toBe(false);
    await expect(invoke(runner)).rejects.toMatchObject({ code: 'RUNNER_CLOSED' });
    expect(lines.filter((line) => line.includes('between invocations'))).toEqual([]);
  });
});
