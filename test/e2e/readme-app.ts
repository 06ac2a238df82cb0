import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README's "Start your own app", as the tests follow it. Its fenced
 * blocks say where they go with the word after their language (GitHub shows
 * only the language): `durable` runs in the clone of this repository,
 * `my-app` runs in the app's folder, `my-app/PATH` is a file of the app, and
 * `example` is shown only. The tests read the blocks from the README, so the
 * README and the tests cannot drift apart.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The README section the tests follow. */
export const SECTION = 'Start your own app';

/** One block of the section: a file of the app, or commands and where they run. */
export type AppStep =
  | { kind: 'file'; path: string; text: string }
  | { kind: 'commands'; where: 'durable' | 'my-app'; lines: string[] };

/** The section's blocks, in order; fails on a block that does not say where it goes. */
export function readmeAppSteps(): AppStep[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${SECTION}\n`);
  if (start === -1) throw new Error(`README.md has no section "## ${SECTION}".`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const steps: AppStep[] = [];
  for (const block of section.matchAll(/^```(\S*)(.*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [, language, info = '', text = ''] = block;
    const where = info.trim();
    if (where === 'example') continue;
    if (where.startsWith('my-app/')) {
      steps.push({ kind: 'file', path: where.slice('my-app/'.length), text });
    } else if ((where === 'durable' || where === 'my-app') && language === 'sh') {
      const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
      steps.push({ kind: 'commands', where, lines });
    } else {
      throw new Error(
        `README "${SECTION}": the block \`\`\`${language}${info} does not say where it goes ` +
          '(`sh durable`, `sh my-app`, a file: `LANG my-app/PATH`, or `LANG example` for one that is only shown).',
      );
    }
  }
  return steps;
}

/** Writes a file block into the app's folder. */
export function writeAppFile(app: string, step: Extract<AppStep, { kind: 'file' }>): void {
  const file = path.join(app, step.path);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, step.text);
}

/**
 * The environment of a person's shell: what `npm test` and Vitest add is left
 * out (npm's own `npm_*` settings of the repository, Vitest's markers), so the
 * app's npm and Vitest see only their own folder. npm works from its cache
 * first, and never asks the registry about audits or funding.
 */
export function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|vitest|tinypool|node_options$|node_env$|test$|force_color$)/i.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    NO_COLOR: '1',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** Runs one README line with `sh`, as a person pasting it would; its output, for assertions and failures. */
export function runLine(line: string, cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-c', line], {
    cwd,
    env: shellEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}

/** What a failed line printed, for the assertion message. */
export function describeRun(line: string, cwd: string, result: SpawnSyncReturns<string>): string {
  return `$ ${line}   (in ${cwd}; exit ${result.status}, signal ${result.signal})\n${result.stdout}${result.stderr}`;
}

/** The last line of stdout, parsed: where `run` and the resumes of `callbacks complete` print the result. */
export function lastJsonLine(stdout: string): unknown {
  return JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '');
}

/** Fails with what to do when the packages are not built (the README's `npm run build`; `npm test` builds first). */
export function assertPackagesBuilt(): void {
  for (const name of ['core', 'codegen', 'cli']) {
    const entry = path.join(REPO_ROOT, 'packages', name, 'dist/index.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -b\` before this test.`);
  }
}
