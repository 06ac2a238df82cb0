/**
 * The floor of a warm invoke: an HTTP server on 127.0.0.1 that answers every request with the same Lambda-shaped
 * 200, at once. A `LambdaClient` pointed at it pays for its own work (middleware, serialisation, SigV4 signing,
 * Node's HTTP) and one loopback round trip, and nothing else: what any local Lambda API costs on top of that is
 * the gap between its figure and this one.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A running canned server. */
export interface CannedLambda {
  /** `http://127.0.0.1:<port>`: the endpoint for a `LambdaClient`. */
  url: string;
  /** Requests answered so far: a caller checks that its invokes reached this server. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Starts a server that answers `payload` to every request, with the headers dev's Invoke sends for a
 * RequestResponse invocation of version 1 (content type, length, executed version, request id).
 */
export async function startCannedLambda(payload: string): Promise<CannedLambda> {
  const body = Buffer.from(payload);
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // The request is read to its end, as a real server must before it answers on a kept-alive connection.
    request.resume();
    request.on('end', () => {
      requests++;
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.length,
        'x-amz-executed-version': '1',
        'x-amzn-requestid': `canned-${requests}`,
      });
      response.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the canned Lambda server bound no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get requests() {
      return requests;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The client's kept-alive connections would otherwise hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}
