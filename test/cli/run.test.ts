import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import dynalite from 'dynalite';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { assertCliBuilt, CLI_TIMEOUT_MS, cleanUp, copyFixture, lastJsonLine, runCli, startCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const PLACE = 'OrderService.place';

/** The step bodies that really ran, in order (the fixture's steps append their names to steps.log). */
function stepsRun(app: string): string[] {
  const log = path.join(app, 'steps.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

async function waitForStep(app: string, step: string): Promise<void> {
  const deadline = Date.now() + CLI_TIMEOUT_MS;
  while (!stepsRun(app).includes(step)) {
    if (Date.now() > deadline) throw new Error(`step ${step} did not start; steps run: ${stepsRun(app).join(', ')}`);
    await sleep(20);
  }
}

/** A progress line: `  ✓ 1    step    reserve  executed  1 ms`. */
function progress(mark: string, position: string, kind: string, name: string, outcome: string): RegExp {
  return new RegExp(`^ +${mark} ${position} +${kind} +${name} +${outcome}\\b`, 'm');
}

describe('durable-gen run', () => {
  it('runs a workflow and the service it invokes, one line per operation, the result JSON last', async () => {
    const app = copyFixture();
    const input = JSON.stringify({ id: 'o-1', items: 2 });
    const { code, stdout, stderr } = await runCli(['run', PLACE, '--input', input, '--id', 'o-1'], app);
    expect(stdout).toMatch(progress('✓', '1', 'step', 'reserve', 'executed'));
    expect(stdout).toMatch(progress('✓', '2', 'step', 'confirm', 'executed'));
    expect(stdout).toMatch(progress('✓', '3', 'step', 'charge', 'executed'));
    expect(stdout).toMatch(progress('✓', '4', 'sleep', 'settle', 'executed'));
    // The invoked service runs in the same process: its step is nested under the invoke.
    expect(stdout).toMatch(progress('✓', '1', 'step', 'receipts: print', 'executed'));
    expect(stdout).toMatch(progress('✓', '5', 'invoke', 'receipts.issue', 'executed'));
    expect(lastJsonLine(stdout)).toEqual({
      status: 'SUCCEEDED',
      executionId: 'o-1',
      output: { reservation: 'reservation-o-1-2', charged: 20, receipt: 'receipt-o-1' },
    });
    expect(stderr).toContain('issuing receipt');
    expect(code).toBe(0);
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'charge', 'print']);
  });

  it('answers a second run with the same id from the journal, running no step again', async () => {
    const app = copyFixture();
    const args = ['run', PLACE, '--input', JSON.stringify({ id: 'o-2', items: 1 }), '--id', 'o-2'];
    const first = await runCli(args, app);
    expect(first.code).toBe(0);
    const second = await runCli(args, app);
    expect(second.stdout).toContain('already SUCCEEDED: answered from the journal');
    expect(lastJsonLine(second.stdout)).toEqual(lastJsonLine(first.stdout));
    expect(second.code).toBe(0);
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'charge', 'print']);
  });

  it('suspends on a long sleep (exit 0) and replays the finished steps when run again', async () => {
    const app = copyFixture();
    writeFileSync(path.join(app, 'order.json'), JSON.stringify({ id: 'o-3', items: 1, settleMs: 60_000 }));
    const first = await runCli(['run', PLACE, '--input-file', 'order.json', '--id', 'o-3', '--max-wait', '100'], app);
    expect(first.stdout).toMatch(progress('…', '4', 'sleep', 'settle', 'waiting'));
    const result = lastJsonLine(first.stdout) as { status: string; executionId: string; resumeAt: number };
    expect(result).toEqual({ status: 'SUSPENDED', executionId: 'o-3', resumeAt: expect.any(Number) });
    expect(result.resumeAt).toBeGreaterThan(Date.now() + 30_000);
    // What resumes it: the sleep's end, and a run with the same id.
    const wakes = new Date(result.resumeAt).toISOString();
    expect(first.stdout).toMatch(
      new RegExp(`^SUSPENDED after \\S+ \\S+, waiting for a timer: run again with --id o-3 after ${wakes}$`, 'm'),
    );
    expect(first.code).toBe(0);

    // Without --input: a resume of the existing execution.
    const second = await runCli(['run', PLACE, '--id', 'o-3', '--max-wait', '100'], app);
    expect(second.stdout).toContain('resuming (SUSPENDED');
    expect(second.stdout).toMatch(progress('↺', '1', 'step', 'reserve', 'replayed'));
    expect(second.stdout).toMatch(progress('↺', '3', 'step', 'charge', 'replayed'));
    expect(lastJsonLine(second.stdout)).toEqual(result);
    expect(second.code).toBe(0);
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'charge']);
  });

  it('reports a FAILED execution as one line on stderr and exits 1', async () => {
    const app = copyFixture();
    const input = JSON.stringify({ id: 'o-4', items: 1, decline: true });
    const { code, stdout, stderr } = await runCli(['run', PLACE, '--input', input, '--id', 'o-4'], app);
    expect(stdout).toMatch(progress('↻', '3', 'step', 'charge', 'retrying'));
    expect(stdout).toMatch(progress('✗', '3', 'step', 'charge', 'failed'));
    expect(stderr).toMatch(/^FAILED {2}execution o-4 {2}Error: card declined$/m);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(lastJsonLine(stdout)).toEqual({
      status: 'FAILED',
      executionId: 'o-4',
      error: { name: 'Error', message: 'card declined' },
    });
    expect(code).toBe(1);
  });

  it('resumes a run killed in the middle of a step: the dead owner is taken over, finished steps replayed', async () => {
    const app = copyFixture();
    const input = JSON.stringify({ id: 'o-5', items: 3, waitFor: 'release' });
    const args = ['run', PLACE, '--input', input, '--id', 'o-5'];
    const crashing = startCli(args, app);
    // Checkpoints of at-least-once steps are written while the next step runs: the progress line says reserve's
    // has landed; the log says confirm's body has begun. Then the kill lands in the middle of confirm.
    await crashing.waitForLine((line) => progress('✓', '1', 'step', 'reserve', 'executed').test(line));
    await waitForStep(app, 'confirm');
    const killed = await crashing.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toMatch(progress('✓', '1', 'step', 'reserve', 'executed'));

    writeFileSync(path.join(app, 'release'), '');
    const { code, stdout } = await runCli(args, app);
    expect(stdout).toContain(`process ${crashing.pid} left this execution running and is gone: taking over`);
    expect(stdout).toMatch(progress('↺', '1', 'step', 'reserve', 'replayed'));
    expect(stdout).toMatch(progress('✓', '2', 'step', 'confirm', 'executed'));
    expect(lastJsonLine(stdout)).toEqual({
      status: 'SUCCEEDED',
      executionId: 'o-5',
      output: { reservation: 'reservation-o-5-3', charged: 30, receipt: 'receipt-o-5' },
    });
    expect(code).toBe(0);
    // reserve finished before the kill and was replayed; confirm was cut off mid-body, so it ran again.
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'confirm', 'charge', 'print']);
  });

  it('refuses, exit 1, while another live run uses the app', async () => {
    const app = copyFixture();
    const input = JSON.stringify({ id: 'o-6', items: 1, waitFor: 'release' });
    const args = ['run', PLACE, '--input', input, '--id', 'o-6'];
    const first = startCli(args, app);
    await waitForStep(app, 'confirm');

    const second = await runCli(args, app);
    expect(second.stderr).toContain(`is in use by process ${first.pid} (durable-gen run ${PLACE} --id o-6`);
    expect(second.code).toBe(1);

    writeFileSync(path.join(app, 'release'), '');
    const finished = await first.exited();
    expect(lastJsonLine(finished.stdout)).toMatchObject({ status: 'SUCCEEDED', executionId: 'o-6' });
    expect(finished.code).toBe(0);
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'charge', 'print']);
  });

  it('refuses, exit 1, an execution leased to an invocation it cannot check', async () => {
    const app = copyFixture();
    // What a Lambda invocation (a UUID owner) holding the lease looks like in the app's embedded store.
    const server = dynalite({ path: path.join(app, '.durable/dynamodb'), createTableMs: 0 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = localClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await DynamoDbStore.createTable(client, 'durable-executions');
      const store = new DynamoDbStore({ client, tableName: 'durable-executions' });
      const now = Date.now();
      const claimed = await store.claim({
        key: { service: 'orders', executionId: 'o-8' },
        workflow: 'place',
        input: { serialized: JSON.stringify({ id: 'o-8', items: 1 }), hash: 'seeded' },
        owner: 'f2a1c3e4-lambda-invocation',
        now,
        leaseExpiresAt: now + 600_000,
        timeoutAt: now + 30 * 86_400_000,
        expiresAt: now + 60 * 86_400_000,
      });
      expect(claimed.kind).toBe('claimed');
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }

    const { code, stderr } = await runCli(['run', PLACE, '--id', 'o-8'], app);
    expect(stderr).toContain("Execution 'o-8' is busy");
    expect(stderr).toContain("Its lease is held by invocation 'f2a1c3e4-lambda-invocation'.");
    expect(code).toBe(1);
    expect(stepsRun(app)).toEqual([]);
  });

  it('refuses to run code that fails the check (exit 1, nothing written); --force runs it, saying what it skips', async () => {
    const app = copyFixture();
    const source = path.join(app, 'src/orders.ts');
    const original = 'const charged = await this.charge(order.items, order.decline === true);';
    expect(readFileSync(source, 'utf8')).toContain(original);
    // A draw the journal does not record: a replay could charge another amount.
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace(
        original,
        'const charged = await this.charge(order.items + Math.floor(Math.random()), order.decline === true);',
      ),
    );
    const args = ['run', PLACE, '--input', JSON.stringify({ id: 'o-9', items: 1 }), '--id', 'o-9'];

    const refused = await runCli(args, app);
    expect(refused.stdout).toMatch(/^src\/orders\.ts:\d+:\d+ {2}error nondeterministic-random {2}Math\.random\(\)/m);
    expect(refused.stderr).toContain('1 error in the services: not running OrderService.place.');
    expect(refused.stderr).toContain('or pass --force to run anyway');
    expect(refused.code).toBe(1);
    expect(stepsRun(app)).toEqual([]);
    expect(existsSync(path.join(app, '.durable'))).toBe(false);

    const forced = await runCli([...args, '--force'], app);
    expect(forced.stderr).toMatch(/^src\/orders\.ts:\d+:\d+ {2}error nondeterministic-random /m);
    expect(forced.stderr).toContain(
      '1 error in the services: nondeterministic-random; running anyway because of --force',
    );
    expect(forced.stdout).not.toContain('nondeterministic-random');
    expect(lastJsonLine(forced.stdout)).toMatchObject({ status: 'SUCCEEDED', executionId: 'o-9' });
    expect(forced.code).toBe(0);
  });

  it('refuses an id taken by an execution with another input, as one error and before anything else', async () => {
    const app = copyFixture();
    const first = await runCli(
      ['run', PLACE, '--input', JSON.stringify({ id: 'o-10', items: 1 }), '--id', 'o-10'],
      app,
    );
    expect(first.code).toBe(0);

    const other = await runCli(
      ['run', PLACE, '--input', JSON.stringify({ id: 'o-10', items: 2 }), '--id', 'o-10'],
      app,
    );
    expect(other.stdout).toBe('');
    expect(other.stderr.trim()).toBe(
      "error  Execution id 'o-10' is taken by an execution (SUCCEEDED) with another input: choose a new --id, " +
        'or drop --input to resume or read that execution.',
    );
    expect(other.code).toBe(1);
    expect(stepsRun(app)).toEqual(['reserve', 'confirm', 'charge', 'print']);
  });

  it('refuses an app whose tsconfig lacks experimentalDecorators, before running anything', async () => {
    const app = copyFixture();
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true } }),
    );
    const input = JSON.stringify({ id: 'o-7', items: 1 });
    const { code, stdout, stderr } = await runCli(['run', PLACE, '--input', input, '--id', 'o-7'], app);
    expect(stderr).toMatch(/tsconfig\.json: .*"experimentalDecorators": true/);
    expect(stdout).toBe('');
    expect(code).toBe(1);
    expect(stepsRun(app)).toEqual([]);
    expect(existsSync(path.join(app, '.durable'))).toBe(false);
  });
});
