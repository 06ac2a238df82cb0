import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SweepResult } from '@durable/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFunctionRunner, type RunOutcome } from './function-runner.js';
import { SweeperLoop, type SweeperLoopOptions, type SweepInvocation, type SweepTarget } from './sweeper-loop.js';

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function startLoop(options: Partial<SweeperLoopOptions> & Pick<SweeperLoopOptions, 'run' | 'listDurableFunctions'>) {
  const lines: string[] = [];
  const loop = SweeperLoop.start({ log: (line) => lines.push(line), intervalMs: 10, ...options });
  closers.push(() => loop.close());
  return { loop, lines };
}

function answer(result: Partial<SweepResult>): RunOutcome {
  const swept: SweepResult = { status: 'SWEPT', service: 'reviews', resumed: [], failed: [], more: false, ...result };
  return { payload: new TextEncoder().encode(JSON.stringify(swept)), log: '' };
}

function payloadOf(invocation: SweepInvocation): unknown {
  return JSON.parse(new TextDecoder().decode(invocation.payload));
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const targets: SweepTarget[] = [
  { functionName: 'reviews', service: 'reviews', qualifier: '3' },
  { functionName: 'notifier', service: 'notifier', qualifier: '1' },
];

describe('SweeperLoop', () => {
  it("sends each durable function the sweep event through the server's run, each with its own request id", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'durable-sweeper-'));
    closers.push(async () => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(
      path.join(folder, 'index.mjs'),
      "export const handler = async (event) => ({ status: 'SWEPT', service: event.service, resumed: [], failed: [], more: false, seen: event });\n",
    );
    const runner = createFunctionRunner(
      {
        functionName: 'reviews',
        version: '3',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews',
        codeDir: folder,
        handler: 'index.handler',
        timeoutSeconds: 3,
        memorySizeMb: 128,
        environment: {},
      },
      { endpointUrl: 'http://127.0.0.1:1', region: 'eu-west-1', accountId: '123456789012', log: () => {} },
    );
    closers.push(() => runner.close());
    const calls: Array<{ invocation: SweepInvocation; answer: unknown }> = [];
    const { lines } = startLoop({
      listDurableFunctions: () => targets,
      run: async (invocation) => {
        const outcome = await runner.run({ ...invocation, invokedFunctionArn: `arn:${invocation.functionName}` });
        calls.push({ invocation, answer: JSON.parse(new TextDecoder().decode(outcome.payload)) });
        return outcome;
      },
    });
    const sweepsOf = (name: string) => calls.filter((call) => call.invocation.functionName === name).length;
    await waitFor(() => sweepsOf('reviews') >= 2 && sweepsOf('notifier') >= 2, 'two sweeps of each function');
    const reviews = calls.find((call) => call.invocation.functionName === 'reviews')!;
    expect(reviews.invocation.qualifier).toBe('3');
    expect(payloadOf(reviews.invocation)).toEqual({ durableSweep: 1, service: 'reviews' });
    expect(reviews.answer).toMatchObject({ status: 'SWEPT', seen: { durableSweep: 1, service: 'reviews' } });
    const notifier = calls.find((call) => call.invocation.functionName === 'notifier')!;
    expect(payloadOf(notifier.invocation)).toEqual({ durableSweep: 1, service: 'notifier' });
    expect(new Set(calls.map((call) => call.invocation.requestId)).size).toBe(calls.length);
    // Sweeps that resumed nothing and failed nothing are not worth a line.
    expect(lines).toEqual([]);
  });

  it('never sweeps one function twice at the same time, while the others go on', async () => {
    const running = new Map<string, number>();
    const calls = new Map<string, number>();
    let overlaps = 0;
    let releaseReviews: () => void = () => {};
    const reviewsHeld = new Promise<void>((resolve) => {
      releaseReviews = resolve;
    });
    startLoop({
      listDurableFunctions: () => targets,
      run: async ({ functionName }) => {
        calls.set(functionName, (calls.get(functionName) ?? 0) + 1);
        running.set(functionName, (running.get(functionName) ?? 0) + 1);
        if ((running.get(functionName) ?? 0) > 1) overlaps++;
        if (functionName === 'reviews' && calls.get('reviews') === 1) await reviewsHeld;
        running.set(functionName, (running.get(functionName) ?? 0) - 1);
        return answer({});
      },
    });
    await waitFor(() => (calls.get('notifier') ?? 0) >= 5, 'five sweeps of notifier');
    expect(calls.get('reviews')).toBe(1);
    releaseReviews();
    await waitFor(() => (calls.get('reviews') ?? 0) >= 3, 'more sweeps of reviews');
    expect(overlaps).toBe(0);
  });

  it('sweeps again at once while a sweep says there is more', async () => {
    const answers = [
      answer({
        resumed: [{ executionId: 'e1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:2' }],
        more: true,
      }),
      answer({}),
    ];
    const calls: SweepInvocation[] = [];
    const { lines } = startLoop({
      // One round only within the test: the second sweep can come from `more` alone.
      intervalMs: 60_000,
      listDurableFunctions: () => [targets[0]!],
      run: async (invocation) => {
        calls.push(invocation);
        return answers.shift() ?? answer({});
      },
    });
    await waitFor(() => calls.length === 2, 'the follow-up sweep');
    // The version it went to is the pinned one (2), not the one the sweep ran on (3).
    expect(lines).toEqual(['[sweeper] reviews (swept through reviews:3): resumed 1 (e1 on reviews:2)']);
  });

  it('logs what a sweep could not resume, and an error once until it changes', async () => {
    const outcomes: RunOutcome[] = [
      answer({ failed: [{ executionId: 'e2', error: 'AccessDenied' }] }),
      {
        payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"table missing"}'),
        functionError: 'Unhandled',
        log: '',
      },
      {
        payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"table missing"}'),
        functionError: 'Unhandled',
        log: '',
      },
      { payload: new TextEncoder().encode('{"status":"SUCCEEDED"}'), log: '' },
    ];
    let calls = 0;
    const { lines } = startLoop({
      listDurableFunctions: () => [targets[0]!],
      run: async () => {
        calls++;
        return outcomes.shift() ?? answer({});
      },
    });
    await waitFor(() => calls >= 5, 'five sweeps');
    expect(lines).toEqual([
      '[sweeper] reviews (swept through reviews:3): resumed 0, could not resume 1 (e2: AccessDenied); the next sweep tries again',
      '[sweeper] the sweep of reviews:3 failed: Error: table missing (logged once until it changes)',
      '[sweeper] reviews:3 answered the sweep event with {"status":"SUCCEEDED"}, not a sweep result: is its handler ' +
        'generated by durable-gen? (logged once until it changes)',
    ]);
  });

  it('close() waits for the sweep under way', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    let started = false;
    const { loop } = startLoop({
      listDurableFunctions: () => [targets[0]!],
      run: () =>
        new Promise<RunOutcome>((resolve) => {
          started = true;
          release = () => {
            order.push('released');
            resolve(answer({}));
          };
        }),
    });
    await waitFor(() => started, 'the sweep to start');
    const closing = loop.close().then(() => order.push('closed'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    release();
    await closing;
    expect(order).toEqual(['released', 'closed']);
  });
});
