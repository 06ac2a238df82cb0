// The process of one execution environment of `durable-gen dev`: what Lambda's Node.js runtime does for a
// function, in a child the dev server forks. It imports the handler once (init), then serves one invocation at a
// time that the parent sends over IPC. Plain JavaScript, uncompiled: it must run as it ships, without the dev
// server's TypeScript loader, and it imports nothing of the server so that the function's module graph is its own.
//
// Messages from the parent: { type: 'invoke', requestId, invokedFunctionArn, payload (string), deadline (epoch ms) }.
// Messages to the parent, in order on one channel (so a log line never arrives after the result it preceded):
//   { type: 'ready' } | { type: 'initError', error }
//   { type: 'log', requestId, line }
//   { type: 'result', requestId, payload (JSON text), maxRssKb } | { type: 'error', requestId, error, maxRssKb, fatal? }
// where `error` is Lambda's error JSON: { errorType, errorMessage, trace }, and `fatal` says this process exits.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

if (typeof process.send !== 'function') {
  process.stderr.write('bootstrap.mjs is started by durable-gen dev over IPC; it does nothing on its own.\n');
  process.exit(2);
}

/** The request id of the invocation under way, as Lambda prints it in log lines ('undefined' outside one). */
let currentRequestId;

function send(message, callback) {
  if (process.connected) process.send(message, callback);
}

// Lambda's console: one line per call, `<time>\t<request id>\t<LEVEL>\t<message>`. The lines travel over IPC,
// tagged with their invocation, rather than through stdout, which reaches the parent on another stream and could
// arrive after the result.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(levels)) {
  console[method] = (...args) => {
    const message = method === 'trace' ? formatTrace(args) : format(...args);
    emitLog(level, message);
  };
}

function formatTrace(args) {
  const stack = new Error().stack?.split('\n').slice(3).join('\n') ?? '';
  return `Trace: ${format(...args)}\n${stack}`;
}

function emitLog(level, message) {
  const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}`;
  send({ type: 'log', requestId: currentRequestId, line });
}

/** Lambda's error JSON of anything thrown. */
function errorJson(error, errorType) {
  if (error instanceof Error) {
    return {
      errorType: errorType ?? error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: errorType ?? typeof error, errorMessage: String(error), trace: [] };
}

function runtimeError(errorType, errorMessage, cause) {
  const trace = cause instanceof Error && typeof cause.stack === 'string' ? cause.stack.split('\n') : [];
  return { errorType, errorMessage, trace };
}

/** Loads the handler as Lambda's runtime does: `dir/module.export.path`, module tried as .js, .mjs, .cjs. */
async function loadHandler() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const handlerString = process.env._HANDLER ?? '';
  const moduleRoot = path.dirname(handlerString);
  const match = /^([^.]+)\.(.+)$/.exec(path.basename(handlerString));
  if (match === null) {
    throw runtimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}: expected 'file.export'`);
  }
  const [, moduleName, exportPath] = match;
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const extensions = ['.js', '.mjs', '.cjs'];
  const file = extensions.map((extension) => base + extension).find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw runtimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${path.join(moduleRoot, moduleName)}': none of ` +
        `${extensions.map((extension) => moduleName + extension).join(', ')} is in ${path.dirname(base)}`,
    );
  }
  let loaded;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw runtimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error);
    }
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'MODULE_NOT_FOUND') {
      throw runtimeError('Runtime.ImportModuleError', `Error: ${error.message}`, error);
    }
    // As in Lambda, an error the module's own top level threw reaches the caller as itself.
    throw errorJson(error);
  }
  // A CommonJS module's exports sit on `default` unless Node could name them statically.
  const handler = resolvePath(loaded, exportPath) ?? resolvePath(loaded.default, exportPath);
  if (typeof handler !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  return handler;
}

function resolvePath(root, dottedPath) {
  let value = root;
  for (const key of dottedPath.split('.')) {
    if (value === null || value === undefined) return undefined;
    value = value[key];
  }
  return value;
}

/** Calls an async handler, or a callback-style one (three parameters), and settles on whichever answers first. */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error, result) => {
      if (settled) return;
      settled = true;
      if (error === null || error === undefined) resolve(result);
      else reject(error);
    };
    try {
      const returned = handler(event, context, settle);
      if (typeof returned?.then === 'function') {
        returned.then(
          (result) => settle(null, result),
          (error) => settle(error ?? new Error('the handler rejected with no reason')),
        );
      } else if (handler.length < 3) {
        settle(null, returned);
      }
    } catch (error) {
      settle(error);
    }
  });
}

function maxRssKb() {
  return process.resourceUsage().maxRSS;
}

function parseEvent(payload) {
  // An Invoke with no payload hands the handler an empty object, as Lambda does.
  return payload === '' ? {} : JSON.parse(payload);
}

async function invoke(handler, message) {
  const { requestId, invokedFunctionArn, payload, deadline } = message;
  currentRequestId = requestId;
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let event;
  try {
    event = parseEvent(payload);
  } catch (error) {
    finishWithError(requestId, runtimeError('Runtime.UnmarshalError', `Unable to parse the payload as JSON: ${error}`));
    return;
  }
  let result;
  try {
    result = await callHandler(handler, event, context);
  } catch (error) {
    finishWithError(requestId, errorJson(error));
    return;
  }
  let json;
  try {
    json = JSON.stringify(result) ?? 'null';
  } catch (error) {
    finishWithError(requestId, errorJson(error, 'Runtime.SerializationError'));
    return;
  }
  currentRequestId = undefined;
  send({ type: 'result', requestId, payload: json, maxRssKb: maxRssKb() });
}

function finishWithError(requestId, error) {
  emitLog('ERROR', `Invoke Error \t${JSON.stringify(error)}`);
  currentRequestId = undefined;
  send({ type: 'error', requestId, error, maxRssKb: maxRssKb() });
}

// An error nothing caught ends the environment, as in Lambda: the invocation under way fails with it, and the
// parent starts a fresh process for the next one. The exit waits until the message is on its way.
function die(error) {
  emitLog('ERROR', `Uncaught Exception \t${JSON.stringify(error)}`);
  const requestId = currentRequestId;
  currentRequestId = undefined;
  if (requestId === undefined) {
    send({ type: 'log', line: 'the runtime exits: an error was thrown outside any invocation' }, () =>
      process.exit(129),
    );
  } else {
    send({ type: 'error', requestId, error, maxRssKb: maxRssKb(), fatal: true }, () => process.exit(129));
  }
  setTimeout(() => process.exit(129), 1000).unref();
}

process.on('uncaughtException', (error) => die(errorJson(error)));
process.on('unhandledRejection', (reason) => {
  const described = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  die(runtimeError('Runtime.UnhandledPromiseRejection', described, reason));
});

// The parent closing the channel (it stopped, or was killed) ends the environment too.
process.on('disconnect', () => process.exit(0));

let handler;
try {
  handler = await loadHandler();
} catch (error) {
  const json = typeof error?.errorType === 'string' ? error : errorJson(error);
  emitLog('ERROR', `Uncaught Exception \t${JSON.stringify(json)}`);
  send({ type: 'initError', error: json });
}

if (handler !== undefined) {
  process.on('message', (message) => {
    if (message?.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready' });
}
