import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A loopback TCP proxy in front of a DynamoDB endpoint that injects the
 * faults a real network and a loaded DynamoDB inflict, per HTTP request:
 * - `throttle`: answers 400 ThrottlingException itself (the request never arrives);
 * - `server-error`: answers 500 InternalServerError itself;
 * - `delay`: holds the request 20–200 ms, then forwards it;
 * - `drop-before-request`: closes the connection instead of forwarding;
 * - `drop-before-response`: forwards the request, then closes the connection
 *   instead of returning the answer: the server did the work, the client
 *   cannot know it (the hard case for conditional writes).
 * The client sees real HTTP errors and real connection resets, through its
 * own retry strategy, exactly as it would in production.
 */

export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'delay',
  'drop-before-request',
  'drop-before-response',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const HEADER_END = Buffer.from('\r\n\r\n');

export class FaultProxy {
  /** Share of requests that get a fault, 0..1 (1: a persistent outage). */
  faultRate = 0;
  /** The kinds a faulty request draws from, uniformly. */
  kinds: readonly FaultKind[] = FAULT_KINDS;
  /**
   * An outage: after `skip` more requests pass, the next `requests` requests (Infinity: all, until cleared) get
   * `kind`, whatever `faultRate` says.
   */
  outage: { kind: FaultKind; requests: number; skip?: number } | undefined;
  /** Requests seen. */
  requests = 0;
  /** Faults injected, by kind. */
  readonly injected: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;
  readonly #server: Server;
  readonly #upstream: URL;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, upstream: URL) {
    this.#server = server;
    this.#upstream = upstream;
    server.on('connection', (client) => this.#relay(client));
  }

  /** Starts a proxy on a free loopback port in front of `upstreamEndpoint` (`http://host:port`). */
  static async start(upstreamEndpoint: string): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, new URL(upstreamEndpoint));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** Where clients should send their requests. */
  get endpoint(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('the fault proxy is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Faults injected in all. */
  get injectedTotal(): number {
    return Object.values(this.injected).reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: Socket): void {
    const upstream = connect(Number(this.#upstream.port), this.#upstream.hostname);
    this.#sockets.add(client).add(upstream);
    let buffered = Buffer.alloc(0);
    let dropAnswer = false;
    // One request at a time per connection, in order (HTTP/1.1 clients do not pipeline).
    let queue = Promise.resolve();
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
    }
    upstream.on('data', (chunk: Buffer) => {
      if (dropAnswer) closeBoth();
      else client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const length = requestLength(buffered);
        if (length === undefined) return;
        const request = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        queue = queue.then(async () => {
          const fault = this.#draw();
          if (fault === 'delay') await delay(20 + Math.random() * 180);
          if (client.destroyed) return;
          switch (fault) {
            case undefined:
            case 'delay':
              upstream.write(request);
              return;
            case 'throttle':
              client.write(
                errorResponse(400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.'),
              );
              return;
            case 'server-error':
              client.write(errorResponse(500, 'InternalServerError', 'Internal server error'));
              return;
            case 'drop-before-request':
              closeBoth();
              return;
            case 'drop-before-response':
              dropAnswer = true;
              upstream.write(request);
              return;
          }
        });
      }
    });
  }

  #draw(): FaultKind | undefined {
    this.requests += 1;
    const outage = this.outage;
    if (outage?.skip !== undefined && outage.skip > 0) {
      outage.skip -= 1;
      return undefined;
    }
    if (outage !== undefined && outage.requests > 0) {
      outage.requests -= 1;
      this.injected[outage.kind] += 1;
      return outage.kind;
    }
    if (Math.random() >= this.faultRate || this.kinds.length === 0) return undefined;
    const kind = this.kinds[Math.floor(Math.random() * this.kinds.length)]!;
    this.injected[kind] += 1;
    return kind;
  }
}

/** Bytes of the first complete HTTP request in `buffered`, or undefined while it is incomplete. */
function requestLength(buffered: Buffer): number | undefined {
  const headerEnd = buffered.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const headers = buffered.subarray(0, headerEnd).toString('latin1');
  if (/^transfer-encoding:/im.test(headers)) throw new Error('the fault proxy handles Content-Length bodies only');
  const contentLength = Number(/^content-length:\s*(\d+)/im.exec(headers)?.[1] ?? '0');
  const length = headerEnd + HEADER_END.length + contentLength;
  return buffered.length >= length ? length : undefined;
}

/** An error answer as DynamoDB sends it (awsJson1_0), so the SDK parses and classifies it as it would a real one. */
function errorResponse(status: 400 | 500, type: string, message: string): string {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  return [
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Internal Server Error'}`,
    'Content-Type: application/x-amz-json-1.0',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `x-amzn-RequestId: fault-proxy-${Math.random().toString(36).slice(2)}`,
    `Date: ${new Date().toUTCString()}`,
    '',
    body,
  ].join('\r\n');
}
