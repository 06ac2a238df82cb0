import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.join(repo, 'apps/sample');
const cli = path.join(repo, 'packages/cli/bin/durable-gen.js');
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', FORCE_COLOR: '0' };

/** The `durable-gen …` lines of the README's shell blocks, in order. */
function readmeCommands(): string[][] {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const commands: string[][] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.startsWith('durable-gen ')) commands.push(shellWords(line.slice('durable-gen '.length)));
    }
  }
  return commands;
}

/** Splits a shell line into words, honouring single quotes (all the README uses). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

function outboxEffects(file: string): { effect: string; pid: number }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { effect: string; pid: number });
}

// One file, so the demo and the README commands never share the sample's .durable/ folder at the same time.
describe('the sample app', () => {
  beforeAll(() => {
    rmSync(path.join(app, '.durable'), { recursive: true, force: true });
  });

  it('npm run demo: killed after step 2, resumed, every side effect exactly once', { timeout: 120_000 }, () => {
    // `npm run demo` is `tsc -b` (already done by npm test) and this script.
    const demo = spawnSync(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], { cwd: app, env, encoding: 'utf8' });
    expect(demo.status, demo.stderr + demo.stdout).toBe(0);
    expect(demo.stdout).toMatch(/killed with SIGKILL after step 2 \(pid (\d+)\)/);
    expect(demo.stdout).toMatch(/↺ 1\s+step\s+commentStarted\s+replayed/);
    expect(demo.stdout).toMatch(/↺ 2\s+step\s+analyzeChanges\s+replayed/);
    expect(demo.stdout).toContain('Every side effect happened exactly once, across a SIGKILL.');
    expect(demo.stdout).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack traces on the happy path

    const killedPid = Number(/killed with SIGKILL after step 2 \(pid (\d+)\)/.exec(demo.stdout)?.[1]);
    const effects = outboxEffects(path.join(app, '.durable/outbox.jsonl'));
    const names = effects.map((e) => e.effect).sort();
    expect(names).toEqual(['analysis', 'chat.message', 'db.save', 'github.comment', 'github.review']);
    // Steps 1–2 happened in the killed process, and only there; the rest in the second run.
    expect(effects.filter((e) => e.pid === killedPid).map((e) => e.effect)).toEqual(['github.comment', 'analysis']);
  });

  it('every durable-gen command the README shows works on the sample', { timeout: 120_000 }, () => {
    rmSync(path.join(app, '.durable'), { recursive: true, force: true });
    const commands = readmeCommands();
    expect(commands.map((c) => c[0])).toEqual(
      expect.arrayContaining(['generate', 'run', 'executions', 'check', 'bundle']),
    );
    // `dev` serves until stopped and `deploy` needs it running: the demo:dev test below runs both, as the README does.
    for (const args of commands.filter(([command]) => command !== 'dev' && command !== 'deploy')) {
      const result = spawnSync(process.execPath, [cli, ...args], { cwd: app, env, encoding: 'utf8' });
      expect(result.status, `durable-gen ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
      if (args[0] === 'run') {
        const last = result.stdout.trim().split('\n').pop() ?? '';
        expect(JSON.parse(last)).toMatchObject({ status: 'SUCCEEDED', executionId: 'evt-1' });
      }
      if (args.join(' ') === 'check --format json') expect(JSON.parse(result.stdout)).toEqual([]);
    }
    // The second run answered from the journal: each side effect once.
    const effects = outboxEffects(path.join(app, '.durable/outbox.jsonl'));
    expect(effects.map((e) => e.effect).sort()).toEqual([
      'analysis',
      'chat.message',
      'db.save',
      'github.comment',
      'github.review',
    ]);
    expect(existsSync(path.join(app, 'dist/reviews.zip'))).toBe(true);
    expect(existsSync(path.join(app, 'dist/notifier.zip'))).toBe(true);
  });

  it('npm run demo:dev: deployed by version, the v1 review resumes on v1 while a new one runs on v2', {
    timeout: 180_000,
  }, () => {
    // `npm run demo:dev` is `tsc -b` (already done by npm test) and this script.
    const demo = spawnSync(process.execPath, ['--import', 'tsx', 'demo/dev-demo.ts'], {
      cwd: app,
      env,
      encoding: 'utf8',
    });
    expect(demo.status, demo.stderr + demo.stdout).toBe(0);
    expect(demo.stdout).toMatch(/review-on-v1: ran on reviews version 1 through alias live → SUSPENDED/);
    expect(demo.stdout).toMatch(/reviews +version 2 +alias live +updated/);
    expect(demo.stdout).toMatch(/notifier +version 1 +alias live +unchanged/);
    expect(demo.stdout).toContain('review-on-v1 is SUSPENDED, pinned to reviews version 1');
    expect(demo.stdout).toMatch(/review-on-v2: ran on reviews version 2 through alias live/);
    expect(demo.stdout).toMatch(/\[sweeper\] reviews .*resumed 1 \(review-on-v1 on reviews:1\)/);

    const effects = outboxEffects(path.join(app, '.durable/dev-demo/outbox.jsonl')) as Array<
      ReturnType<typeof outboxEffects>[number] & {
        function?: string;
        version?: string;
        pullRequest?: number;
        messageId?: string;
      }
    >;
    const pullRequestOf = (e: (typeof effects)[number]) => e.pullRequest ?? Number(e.messageId?.split('-').pop());
    const where = (pr: number) =>
      effects
        .filter((e) => pullRequestOf(e) === pr)
        .map((e) => `${e.effect} ${e.function}:${e.version}`)
        .sort();
    // The review that started on v1 finished there, its chained call on the notifier's v1, the renamed step unseen.
    expect(where(42)).toEqual([
      'analysis reviews:1',
      'chat.message notifier:1',
      'db.save reviews:1',
      'github.comment reviews:1',
      'github.review reviews:1',
    ]);
    expect(where(43)).toEqual([
      'analysis reviews:2',
      'chat.message notifier:1',
      'db.save reviews:2',
      'github.comment reviews:2',
      'github.review reviews:2',
    ]);
    expect(effects).toHaveLength(10); // each side effect once, and nothing on $LATEST
  });
});
