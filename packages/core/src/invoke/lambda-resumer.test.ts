import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTargetArnError } from '../errors.js';
import { rejectionOf } from '../testing/fixtures.js';
import { LambdaResumer } from './lambda-resumer.js';

interface Received {
  method: string;
  path: string;
  invocationType: string | undefined;
  body: string;
}

// A server that answers Invoke as Lambda answers an accepted asynchronous invoke (202, no body), or with a
// Lambda-shaped throttle for function `throttled`: the real client talks to it over HTTP.
const received: Received[] = [];
let server: Server;
let client: LambdaClient;

async function read(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await read(request);
    const path = decodeURIComponent(request.url ?? '');
    received.push({
      method: request.method ?? '',
      path,
      invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
      body,
    });
    if (path.includes('function:throttled')) {
      response.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      response.end(JSON.stringify({ Type: 'User', message: 'Rate exceeded' }));
      return;
    }
    response.writeHead(202);
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  client = new LambdaClient({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  server.close();
  await once(server, 'close');
});

const VERSION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:reminders:3';

describe('LambdaResumer', () => {
  it('sends an asynchronous Invoke of the pinned version with { executionId }', async () => {
    received.length = 0;
    await new LambdaResumer({ client }).resume(VERSION_ARN, 'order-7');
    expect(received).toEqual([
      {
        method: 'POST',
        path: `/2015-03-31/functions/${VERSION_ARN}/invocations`,
        invocationType: 'Event',
        body: JSON.stringify({ executionId: 'order-7' }),
      },
    ]);
  });

  it('throws what Lambda refuses, for the sweeper to report', async () => {
    const error = await rejectionOf(
      new LambdaResumer({ client }).resume('arn:aws:lambda:eu-west-1:123456789012:function:throttled:1', 'x'),
    );
    expect((error as Error).name).toBe('TooManyRequestsException');
  });

  it.each([
    ['unqualified', 'arn:aws:lambda:eu-west-1:123456789012:function:reminders'],
    ['$LATEST', 'arn:aws:lambda:eu-west-1:123456789012:function:reminders:$LATEST'],
    ['not an ARN', 'reminders'],
  ])('refuses an ARN that is %s before sending anything', async (_what, arn) => {
    received.length = 0;
    expect(await rejectionOf(new LambdaResumer({ client }).resume(arn, 'x'))).toBeInstanceOf(InvalidTargetArnError);
    expect(received).toEqual([]);
  });
});
