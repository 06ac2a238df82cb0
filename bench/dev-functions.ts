/**
 * Functions on `durable-gen dev`, made the way any deploy tool makes them: through the Lambda API with the real
 * `@aws-sdk/client-lambda` (CreateFunction, UpdateFunctionCode, PublishVersion, the SDK's waiters between them),
 * never by writing dev's files. Also the timed invoke both sides of the dev rows use.
 */
import {
  CreateFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { strToU8, unzipSync, zipSync } from 'fflate';

const ROLE = 'arn:aws:iam::123456789012:role/durable-bench';
/** Seconds a waiter may take; dev runs with no Pending time, so each passes on its first look. */
const WAIT_SECONDS = 30;
/** Fixed, so that the zips of one code are the same bytes from run to run. */
const ZIP_TIME = new Date('2020-01-01T00:00:00Z');

/**
 * The client of both sides of a comparison: only the endpoint differs. No retries, which would hide a failure
 * inside a figure.
 */
export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** A zip whose `index.mjs` returns its event; `mark` gives each zip code of its own (a version of its own). */
export function echoZip(mark: number): Uint8Array {
  const source = `const MARK = ${mark};\nexport const handler = async (event) => event;\n`;
  return zipSync({ 'index.mjs': strToU8(source) }, { mtime: ZIP_TIME });
}

/**
 * `zip` with a comment appended to its `index.mjs`: the same handler, but new code to Lambda (another
 * CodeSha256), so its version unzips into a folder of its own as a new deploy would.
 */
export function remarkedZip(zip: Uint8Array, mark: number): Uint8Array {
  const files = unzipSync(zip);
  const entry = files['index.mjs'];
  if (entry === undefined) throw new Error('the bundle zip holds no index.mjs');
  const remark = strToU8(`\n// durable bench, version ${mark}\n`);
  const marked = new Uint8Array(entry.length + remark.length);
  marked.set(entry);
  marked.set(remark, entry.length);
  return zipSync({ ...files, 'index.mjs': marked }, { mtime: ZIP_TIME });
}

/** What a function is created with. */
export interface FunctionSpec {
  functionName: string;
  /** Seconds (default 30). */
  timeout?: number;
  memorySize?: number;
}

/**
 * Creates `spec.functionName` from the first zip and publishes one version per zip: CreateFunction, then
 * UpdateFunctionCode for each further zip, PublishVersion after each, waiting as the SDK's waiters do.
 * Resolves with the version numbers, in order.
 */
export async function publishVersions(
  lambda: LambdaClient,
  spec: FunctionSpec,
  zips: readonly Uint8Array[],
): Promise<string[]> {
  const { functionName } = spec;
  const waiter = { client: lambda, maxWaitTime: WAIT_SECONDS };
  const versions: string[] = [];
  for (const [index, zip] of zips.entries()) {
    if (index === 0) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: functionName,
          Runtime: 'nodejs22.x',
          Role: ROLE,
          Handler: 'index.handler',
          Timeout: spec.timeout ?? 30,
          ...(spec.memorySize === undefined ? {} : { MemorySize: spec.memorySize }),
          Code: { ZipFile: zip },
        }),
      );
      await waitUntilFunctionActiveV2(waiter, { FunctionName: functionName });
    } else {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip }));
      await waitUntilFunctionUpdatedV2(waiter, { FunctionName: functionName });
    }
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
    // PublishVersion of unchanged code answers the version it already has: each zip must be new code.
    if (Version === undefined || versions.includes(Version)) {
      throw new Error(`${functionName}: PublishVersion answered version ${Version} again; zip ${index} is not new`);
    }
    await waitUntilPublishedVersionActive(waiter, { FunctionName: functionName, Qualifier: Version });
    versions.push(Version);
  }
  return versions;
}

/** One timed RequestResponse invoke of a qualified name (`fn:1`). */
export interface TimedInvoke {
  ms: number;
  /** The answer's payload, as text. */
  payload: string;
  executedVersion: string | undefined;
  /** `Init Duration` of dev's REPORT line, when `withLog` was set and the invoke was cold. */
  initMs: number | undefined;
}

/**
 * Sends one InvokeCommand and times it, the command's construction included, as a caller's code pays for both;
 * `withLog` asks for the log tail (`LogType: Tail`), whose REPORT line says how long the cold start's init took.
 * A function error is thrown: it is no figure.
 */
export async function invokeTimed(
  lambda: LambdaClient,
  qualifiedName: string,
  payload: string,
  withLog = false,
): Promise<TimedInvoke> {
  const started = performance.now();
  const output: InvokeCommandOutput = await lambda.send(
    new InvokeCommand({ FunctionName: qualifiedName, Payload: payload, ...(withLog ? { LogType: 'Tail' } : {}) }),
  );
  const ms = performance.now() - started;
  const answer = new TextDecoder().decode(output.Payload);
  if (output.FunctionError !== undefined) {
    throw new Error(`${qualifiedName} failed (${output.FunctionError}): ${answer.slice(0, 500)}`);
  }
  const log = output.LogResult === undefined ? '' : Buffer.from(output.LogResult, 'base64').toString();
  const init = /Init Duration: ([\d.]+) ms/.exec(log);
  return {
    ms,
    payload: answer,
    executedVersion: output.ExecutedVersion,
    initMs: init === null ? undefined : Number(init[1]),
  };
}
