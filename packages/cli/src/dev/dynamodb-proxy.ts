import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { sendError } from './http-io.js';
import { LambdaApiError } from './lambda-error.js';

/** The `x-amz-target` prefix of DynamoDB's JSON API: such requests are DynamoDB's, not Lambda's. */
const DYNAMODB_TARGET = 'DynamoDB_20120810.';

/** True for a request of DynamoDB's API. */
export function isDynamoDbRequest(request: IncomingMessage): boolean {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(DYNAMODB_TARGET);
}

/** The embedded DynamoDB, and how to hand it a request. */
export interface DynamoDbProxy {
  forward(request: IncomingMessage, response: ServerResponse): void;
  close(): Promise<void>;
}

/**
 * Starts dynalite on disk under `folder`, on a loopback port of its own, and
 * forwards DynamoDB's requests to it, so that one URL serves both APIs and
 * functions get the same endpoint for Lambda and DynamoDB. (Forwarding,
 * rather than handing dynalite the request in-process, keeps dynalite's own
 * close, which only flushes its LevelDB when its server was listening.)
 */
export async function startDynamoDbProxy(folder: string): Promise<DynamoDbProxy> {
  const server = dynalite({ path: folder, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a port');
  const agent = new Agent({ keepAlive: true });
  return {
    forward: (request, response) => {
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port: address.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => {
        sendError(
          response,
          new LambdaApiError(500, 'InternalServerError', `The embedded DynamoDB failed: ${error.message}`),
        );
      });
      request.pipe(upstream);
    },
    close: async () => {
      agent.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
