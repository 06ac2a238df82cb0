import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAlias, deleteAlias, getAlias, listAliases, updateAlias } from './alias-operations.js';
import type { ControlPlane, Reply } from './control-plane.js';
import {
  deleteEventInvokeConfig,
  getEventInvokeConfig,
  listEventInvokeConfigs,
  putEventInvokeConfig,
} from './event-invoke-config-operations.js';
import {
  createFunction,
  deleteFunction,
  getFunction,
  getFunctionConfiguration,
  listFunctions,
  updateFunctionCode,
  updateFunctionConfiguration,
} from './function-operations.js';
import { parseJsonObject, readBody, sendEmpty, sendJson } from './http-io.js';
import { type InvokePlane, invoke } from './invoke-operation.js';
import { entityTooLarge, LambdaApiError, notFound } from './lambda-error.js';
import type { Body } from './request-params.js';
import { listTags, tagResource, untagResource } from './tag-operations.js';
import { listVersions, publishVersion } from './version-operations.js';

/** A control-plane body holds a zip of at most 50 MB in base64 (4/3 of it), and little else. */
const MAX_JSON_BODY_BYTES = 75 * 1024 * 1024;

/** One request, as a route sees it. */
interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  /** The request's JSON body. */
  body(): Promise<Body>;
}

/** A route answers with a {@link Reply}, or undefined when it wrote the response itself. */
type Handler = (context: RouteContext) => Promise<Reply | undefined> | Reply | undefined;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/** The Lambda REST API's paths, as the SDK and the CLIs send them. */
function routes(plane: ControlPlane, invokePlane: InvokePlane): Route[] {
  const fn = '/2015-03-31/functions/:name';
  const config = '/2019-09-25/functions/:name/event-invoke-config';
  const table: [string, string, Handler][] = [
    ['POST', '/2015-03-31/functions', async (c) => createFunction(plane, await c.body())],
    ['GET', '/2015-03-31/functions', (c) => listFunctions(plane, c.query)],
    ['GET', fn, (c) => getFunction(plane, c.params.name!, c.query)],
    ['DELETE', fn, (c) => deleteFunction(plane, c.params.name!, c.query)],
    ['PUT', `${fn}/code`, async (c) => updateFunctionCode(plane, c.params.name!, await c.body())],
    ['GET', `${fn}/configuration`, (c) => getFunctionConfiguration(plane, c.params.name!, c.query)],
    ['PUT', `${fn}/configuration`, async (c) => updateFunctionConfiguration(plane, c.params.name!, await c.body())],
    [
      'POST',
      `${fn}/invocations`,
      async (c) => {
        await invoke(invokePlane, c.params.name!, c.query, c.request, c.response, c.requestId);
        return undefined;
      },
    ],
    ['GET', `${fn}/versions`, (c) => listVersions(plane, c.params.name!, c.query)],
    ['POST', `${fn}/versions`, async (c) => publishVersion(plane, c.params.name!, await c.body())],
    ['GET', `${fn}/aliases`, (c) => listAliases(plane, c.params.name!, c.query)],
    ['POST', `${fn}/aliases`, async (c) => createAlias(plane, c.params.name!, await c.body())],
    ['GET', `${fn}/aliases/:alias`, (c) => getAlias(plane, c.params.name!, c.params.alias!)],
    ['PUT', `${fn}/aliases/:alias`, async (c) => updateAlias(plane, c.params.name!, c.params.alias!, await c.body())],
    ['DELETE', `${fn}/aliases/:alias`, (c) => deleteAlias(plane, c.params.name!, c.params.alias!)],
    ['GET', '/2017-03-31/tags/:arn', (c) => listTags(plane, c.params.arn!)],
    ['POST', '/2017-03-31/tags/:arn', async (c) => tagResource(plane, c.params.arn!, await c.body())],
    ['DELETE', '/2017-03-31/tags/:arn', (c) => untagResource(plane, c.params.arn!, c.query)],
    ['GET', config, (c) => getEventInvokeConfig(plane, c.params.name!, c.query)],
    ['PUT', config, async (c) => putEventInvokeConfig(plane, c.params.name!, c.query, await c.body(), 'replace')],
    ['POST', config, async (c) => putEventInvokeConfig(plane, c.params.name!, c.query, await c.body(), 'merge')],
    ['DELETE', config, (c) => deleteEventInvokeConfig(plane, c.params.name!, c.query)],
    ['GET', `${config}/list`, (c) => listEventInvokeConfigs(plane, c.params.name!)],
    ['GET', '/durable-dev/code/:name/:zip', (c) => sendZip(plane, c.params.name!, c.params.zip!, c.response)],
  ];
  return table.map(([method, path, handler]) => ({ method, segments: path.split('/').slice(1), handler }));
}

/**
 * The Lambda half of the dev server's requests: finds the route, runs it, and
 * writes its reply. Throws {@link LambdaApiError} for the caller to answer.
 */
export function createLambdaRouter(
  plane: ControlPlane,
  invokePlane: InvokePlane,
): (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void> {
  const table = routes(plane, invokePlane);
  return async (request, response, requestId) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const segments = url.pathname
      .replace(/(.)\/$/, '$1')
      .split('/')
      .slice(1)
      .map(decodeSegment);
    const method = request.method ?? 'GET';
    for (const route of table) {
      if (route.method !== method) continue;
      const params = match(route.segments, segments);
      if (params === undefined) continue;
      const reply = await route.handler({
        params,
        query: url.searchParams,
        request,
        response,
        requestId,
        body: async () => {
          const read = await readBody(request, MAX_JSON_BODY_BYTES);
          if (read.tooLarge) throw entityTooLarge(`Request must be smaller than ${MAX_JSON_BODY_BYTES} bytes.`);
          return parseJsonObject(read.bytes);
        },
      });
      if (reply === undefined) return;
      if (reply.body === undefined) sendEmpty(response, reply.status);
      else sendJson(response, reply.status, reply.body);
      return;
    }
    throw new LambdaApiError(
      404,
      'UnknownOperationException',
      `durable-gen dev serves no ${method} ${url.pathname}: it implements the Lambda API's functions, versions, ` +
        'aliases, tags, event invoke configs and Invoke, and DynamoDB (by x-amz-target).',
    );
  };
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = segments[index]!;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      params[expected.slice(1)] = actual;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** GetFunction's `Code.Location`: the zip as it was uploaded. */
function sendZip(plane: ControlPlane, name: string, zip: string, response: ServerResponse): undefined {
  const hex = /^([0-9a-f]{64})\.zip$/.exec(zip)?.[1];
  const file = hex === undefined ? undefined : plane.folder.zipFile(name, hex);
  if (file === undefined || plane.registry.find(name) === undefined || !existsSync(file)) {
    throw notFound(`No code ${zip} of function ${name}.`);
  }
  response.writeHead(200, { 'content-type': 'application/zip' });
  createReadStream(file).pipe(response);
  return undefined;
}
