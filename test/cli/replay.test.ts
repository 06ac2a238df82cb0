import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, lastJsonLine, REPO_ROOT, runCli } from './cli-harness.js';

/**
 * `durable-gen replay` on a copy of the sample app: the journals of a finished
 * review (with its invoked notification) and of one suspended in its cooldown,
 * exported, then replayed against the app's code as it is and after a step is
 * renamed; and the journals committed in fixtures/journals/, recorded by the
 * sample's earlier code.
 */

const FIXTURE_JOURNALS = fileURLToPath(new URL('./fixtures/journals/sample/', import.meta.url));
const TEMP_ROOT = fileURLToPath(new URL('./.tmp/', import.meta.url));

let app: string;

/** The sample's services and events in a folder of their own (its tsconfig extends the repository's: not copied). */
function sampleCopy(): string {
  mkdirSync(TEMP_ROOT, { recursive: true });
  const root = mkdtempSync(path.join(TEMP_ROOT, 'sample-'));
  for (const folder of ['src', 'events']) {
    cpSync(path.join(REPO_ROOT, 'apps/sample', folder), path.join(root, folder), { recursive: true });
  }
  cpSync(fileURLToPath(new URL('./fixtures/app/tsconfig.json', import.meta.url)), path.join(root, 'tsconfig.json'));
  writeFileSync(
    path.join(root, 'package.json'),
    `${JSON.stringify({ name: 'replay-sample', private: true, type: 'module' })}\n`,
  );
  return root;
}

/** Every side effect the sample had, byte for byte (apps/sample/src/outbox.ts). */
function outbox(): string {
  return readFileSync(path.join(app, '.durable/outbox.jsonl'), 'utf8');
}

/** `durable-gen executions export ID` into `journals/<file>`. */
async function exportJournal(id: string, file: string): Promise<void> {
  const { code, stdout, stderr } = await runCli(['executions', 'export', id], app);
  expect(code, stderr).toBe(0);
  mkdirSync(path.join(app, 'journals'), { recursive: true });
  writeFileSync(path.join(app, 'journals', file), stdout);
}

/** The app's review service with `saveFindings` (position 3 of every review) renamed, for the duration of `work`. */
async function withRenamedStep(work: () => Promise<void>): Promise<void> {
  const file = path.join(app, 'src/review-service.ts');
  const original = readFileSync(file, 'utf8');
  const renamed = original.replaceAll('saveFindings(', 'storeFindings(');
  expect(renamed).not.toBe(original);
  writeFileSync(file, renamed);
  try {
    await work();
  } finally {
    writeFileSync(file, original);
  }
}

interface Verdict {
  source: string;
  executionId: string;
  service: string;
  compatible: boolean;
  replayed: number;
  position?: string;
  recorded?: { kind: string; name: string } | null;
  actual?: { kind: string; name: string } | null;
  message?: string;
}

beforeAll(async () => {
  assertCliBuilt();
  app = sampleCopy();
  const generated = await runCli(['generate', '--account', '123456789012', '--region', 'us-east-1'], app);
  expect(generated.code, generated.stderr).toBe(0);
  const finished = await runCli(
    ['run', 'ReviewService.review', '--input-file', 'events/pull-request-opened.json', '--id', 'evt-1'],
    app,
  );
  expect(lastJsonLine(finished.stdout)).toMatchObject({ status: 'SUCCEEDED' });
  // The same review with an hour of cooldown: it suspends in the sleep at position 4, a running execution.
  const event = JSON.parse(readFileSync(path.join(app, 'events/pull-request-opened.json'), 'utf8')) as object;
  writeFileSync(path.join(app, 'events/slow.json'), JSON.stringify({ ...event, id: 'evt-2', cooldownSeconds: 3600 }));
  const suspended = await runCli(
    ['run', 'ReviewService.review', '--input-file', 'events/slow.json', '--id', 'evt-2'],
    app,
  );
  expect(lastJsonLine(suspended.stdout)).toMatchObject({ status: 'SUSPENDED' });
  await exportJournal('evt-1', 'reviews-evt-1.json');
  await exportJournal('evt-1/6', 'notifier-evt-1-6.json');
  await exportJournal('evt-2', 'reviews-evt-2.json');
}, 120_000);

afterAll(async () => {
  await cleanUp();
  if (app !== undefined) rmSync(app, { recursive: true, force: true });
});

describe('durable-gen replay', () => {
  it('finds exported journals compatible with the code that recorded them, and runs no side effect', async () => {
    const before = outbox();

    const { code, stdout, stderr } = await runCli(['replay', 'journals'], app);

    expect(stderr).toBe('');
    expect(stdout.trimEnd().split('\n')).toEqual([
      'notifier  evt-1/6  compatible  2 positions replayed',
      'reviews   evt-1    compatible  7 positions replayed',
      'reviews   evt-2    compatible  4 positions replayed',
      '',
      '3 journals replayed: 3 compatible, 0 diverge',
    ]);
    expect(code).toBe(0);
    expect(outbox()).toBe(before);
  });

  it('replays the running executions of the embedded store by default, every one with --status all', async () => {
    const running = await runCli(['replay', '--format', 'json'], app);
    expect(running.code, running.stderr).toBe(0);
    expect((JSON.parse(running.stdout) as Verdict[]).map((v) => [v.source, v.executionId, v.compatible])).toEqual([
      ['.durable/', 'evt-2', true],
    ]);

    const all = await runCli(['replay', '--status', 'all', '--service', 'reviews'], app);
    expect(all.stdout).toMatch(/^reviews +evt-2 +compatible +4 positions replayed$/m);
    expect(all.stdout).toMatch(/^reviews +evt-1 +compatible +7 positions replayed$/m);
    expect(all.stdout).not.toMatch(/notifier/);
    expect(all.code).toBe(0);
  });

  it('after a step is renamed, reports the position, the recorded step and the one the code calls', async () => {
    const before = outbox();
    await withRenamedStep(async () => {
      const text = await runCli(['replay', 'journals'], app);
      expect(text.stdout).toMatch(/^notifier +evt-1\/6 +compatible +2 positions replayed$/m);
      expect(text.stdout).toMatch(
        /^reviews +evt-1 +DIVERGES at position 3: recorded step 'saveFindings' \(\[\{"author":"ana",.*…\), code now calls step 'storeFindings'$/m,
      );
      expect(text.stdout).toMatch(/^reviews +evt-2 +DIVERGES at position 3: /m);
      expect(text.stdout).toContain('3 journals replayed: 1 compatible, 2 diverge');
      expect(text.stderr).toContain('NonDeterminismError');
      expect(text.code).toBe(1);

      const json = await runCli(['replay', 'journals/reviews-evt-2.json', '--format', 'json'], app);
      expect(JSON.parse(json.stdout)).toEqual([
        expect.objectContaining({
          source: path.join('journals', 'reviews-evt-2.json'),
          executionId: 'evt-2',
          compatible: false,
          replayed: 2,
          position: '3',
          recorded: expect.objectContaining({ kind: 'step', name: 'saveFindings' }),
          actual: expect.objectContaining({ kind: 'step', name: 'storeFindings' }),
        }),
      ]);
      expect(json.code).toBe(1);
    });
    expect(outbox()).toBe(before);
  });

  it('replays the journals committed in fixtures/journals against the sample', async () => {
    const { code, stdout, stderr } = await runCli(['replay', FIXTURE_JOURNALS, '--format', 'json'], app);
    expect(stderr).toBe('');
    const verdicts = JSON.parse(stdout) as Verdict[];
    expect(verdicts.map((v) => [v.service, v.executionId, v.compatible, v.replayed])).toEqual([
      ['notifier', 'evt-1/6', true, 2],
      ['reviews', 'evt-1', true, 7],
      ['reviews', 'evt-2', true, 4],
    ]);
    expect(code).toBe(0);
  });

  it('says a journal of a service the code no longer has diverges', async () => {
    const exported = JSON.parse(readFileSync(path.join(app, 'journals/reviews-evt-1.json'), 'utf8')) as {
      execution: { service: string };
    };
    exported.execution.service = 'billing';
    writeFileSync(path.join(app, 'billing.json'), JSON.stringify(exported));

    const { code, stdout } = await runCli(['replay', 'billing.json'], app);

    expect(stdout).toMatch(
      /^billing +evt-1 +DIVERGES: the code has no service 'billing' \(it has 'notifier', 'reviews'\)$/m,
    );
    expect(code).toBe(1);
  });

  it.each([
    [
      'a folder without journals',
      () => {
        // Other JSON (a fixture, a node_modules package) is not a journal: skipped, and then there is none.
        mkdirSync(path.join(app, 'empty/node_modules/x'), { recursive: true });
        writeFileSync(path.join(app, 'empty/settings.json'), '{"retries":3}');
        writeFileSync(
          path.join(app, 'empty/node_modules/x/journal.json'),
          JSON.stringify({ format: 'durable-execution', version: 1 }),
        );
      },
      ['empty'],
      'empty holds no exported journal (no .json file with "format": "durable-execution"), so there is nothing to replay',
    ],
    [
      'a file that is not an export',
      () =>
        writeFileSync(
          path.join(app, 'broken.json'),
          JSON.stringify({ format: 'durable-execution', version: 1, journal: [], execution: { service: 'reviews' } }),
        ),
      ['broken.json'],
      'broken.json is not an exported execution: execution.executionId is missing (a string)',
    ],
    [
      'filters no journal matches',
      () => {},
      ['journals', '--id', 'evt-9'],
      'None of the 3 journals in journals is of any status, with id',
    ],
    ['a missing path', () => {}, ['nowhere.json'], 'nowhere.json does not exist'],
  ])('refuses %s: nothing passes silently', async (_case, prepare, args, message) => {
    prepare();
    const { code, stdout, stderr } = await runCli(['replay', ...args], app);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });
});
