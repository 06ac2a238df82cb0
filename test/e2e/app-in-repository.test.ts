import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertPackagesBuilt,
  describeRun,
  lastJsonLine,
  REPO_ROOT,
  readmeAppSteps,
  runLine,
  SECTION,
  writeAppFile,
} from './readme-app.js';

/**
 * README "Start your own app", inside this repository: an app of a user in
 * `apps/<name>` is left alone by the root's npm workspaces, Biome and Vitest,
 * and works with the repository's packages, without tarballs. The app gets a
 * name no other run uses, and is removed at the end.
 */

const NAME = `tmp-user-app-${process.pid}-${randomBytes(3).toString('hex')}`;
const APP = path.join(REPO_ROOT, 'apps', NAME);
const WHERE = `apps/${NAME}`;
/** A second app, without a vitest.config.ts of its own. */
const BARE_APP = `${APP}-bare`;

/** A file Biome would refuse twice over (format and lint), had the root config caught the app. */
const NOT_HOUSE_STYLE = 'export var greeting = "written in the user\'s own style"\n';

beforeAll(() => {
  assertPackagesBuilt();
  mkdirSync(APP);
  // What the README says such an app's package.json needs: a name, private, an ES module; no dependencies.
  writeFileSync(path.join(APP, 'package.json'), `${JSON.stringify({ name: NAME, private: true, type: 'module' })}\n`);
  for (const step of readmeAppSteps()) {
    if (step.kind === 'file' && step.path !== 'package.json') writeAppFile(APP, step);
  }
  writeFileSync(path.join(APP, 'src/house-style.ts'), NOT_HOUSE_STYLE);
});

afterAll(() => {
  rmSync(APP, { recursive: true, force: true });
  rmSync(BARE_APP, { recursive: true, force: true });
});

/** Runs a line in `cwd` and expects it to succeed; its stdout. */
function succeed(line: string, cwd: string): string {
  const result = runLine(line, cwd, 120_000);
  expect(result.status, describeRun(line, cwd, result)).toBe(0);
  return result.stdout;
}

describe(`an app of your own in apps/<name> (README "${SECTION}")`, () => {
  it('is no npm workspace of the repository', () => {
    const workspaces = JSON.parse(succeed('npm query .workspace', REPO_ROOT)) as { location: string }[];
    const locations = workspaces.map((workspace) => workspace.location);
    expect(locations).toContain('apps/sample');
    expect(locations).not.toContain(WHERE);
  });

  it("is not checked by the repository's Biome", () => {
    // `apps`, not `.`: the sample is still checked, and what other files of the repository say is not this test's.
    const result = runLine('npx biome check apps --reporter=concise --max-diagnostics=none', REPO_ROOT);
    const printed = result.stdout + result.stderr;
    expect(printed).toMatch(/Checked \d+ files?/);
    expect(printed).not.toContain(WHERE);
  });

  it("has no test that the repository's Vitest runs", () => {
    const files = JSON.parse(succeed('npx vitest list --filesOnly --json', REPO_ROOT)) as { file: string }[];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((entry) => entry.file.startsWith(APP))).toEqual([]);
  });

  it("names the cause when Vitest, run in an app without a config of its own, finds the repository's", () => {
    mkdirSync(BARE_APP);
    writeFileSync(path.join(BARE_APP, 'package.json'), `${JSON.stringify({ name: `${NAME}-bare`, type: 'module' })}\n`);
    const result = runLine('npx vitest run', BARE_APP);
    expect(result.status, describeRun('npx vitest run', BARE_APP, result)).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(`from apps/${NAME}-bare, which has no vitest.config.ts of its own`);
  });

  it("runs the README's first commands with the repository's packages", { timeout: 300_000 }, () => {
    const commands = readmeAppSteps().filter((step) => step.kind === 'commands' && step.where === 'my-app');
    // The last block holds the first commands; the ones before pack and install, which this app does not need.
    const first = commands.at(-1);
    expect(first?.kind === 'commands' && first.lines[0]).toBe('npx durable-gen check');
    const outputs = new Map<string, string>();
    for (const line of first?.kind === 'commands' ? first.lines : []) outputs.set(line, succeed(line, APP));
    const completed = [...outputs].find(([line]) => line.startsWith('npx durable-gen callbacks complete'));
    expect(lastJsonLine(completed?.[1] ?? '')).toMatchObject({
      status: 'SUCCEEDED',
      output: { approvedBy: 'ana', trackingId: 'trk-o-1' },
    });
  });
});
