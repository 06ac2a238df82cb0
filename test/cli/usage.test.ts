import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

describe('durable-gen usage', () => {
  it.each([
    [['--help']],
    [['generate', '--help']],
    [['check', '--help']],
    [['bundle', '--help']],
    [['run', '--help']],
    [['executions', '--help']],
    [['executions', 'list', '--help']],
    [['executions', 'show', '--help']],
    [['executions', 'export', '--help']],
    [['callbacks', '--help']],
    [['callbacks', 'list', '--help']],
    [['callbacks', 'complete', '--help']],
    [['callbacks', 'fail', '--help']],
    [['diff', '--help']],
    [['replay', '--help']],
    [['migrate', '--help']],
  ])('%j prints help and exits 0', async (args) => {
    const { code, stdout, stderr } = await runCli(args, copyFixture());
    expect(stderr).toBe('');
    expect(stdout).toContain('durable-gen');
    expect(stdout).toContain('--help');
    expect(code).toBe(0);
  });

  it('prints its version', async () => {
    const { code, stdout } = await runCli(['--version'], copyFixture());
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(code).toBe(0);
  });

  it.each([
    ['an unknown command', ['deploy-everything'], 'Unknown argument: deploy-everything'],
    ['no command', [], 'Name a command'],
    ['an unknown flag', ['check', '--frobnicate'], 'Unknown argument: frobnicate'],
    ['an unknown flag of a sub-command', ['executions', 'list', '--frobnicate'], 'Unknown argument: frobnicate'],
    ['a bad choice', ['check', '--format', 'xml'], 'Invalid values'],
    ['a missing argument', ['executions', 'show'], 'Not enough non-option arguments'],
    ['executions alone', ['executions'], 'list, show <id> or export <id>'],
    ['callbacks alone', ['callbacks'], 'list, complete or fail'],
    ['an invalid account for check', ['check', '--account', 'abc'], '12-digit AWS account id'],
    ['an invalid region', ['check', '--region', 'Europe'], 'AWS region such as eu-west-1'],
    ['a malformed run target', ['run', 'not-a-target', '--input', '1'], 'is not Class.workflow'],
    ['input that is not JSON', ['run', 'OrderService.place', '--input', '{oops'], '--input is not JSON'],
    ['an unknown class', ['run', 'NoSuchService.place', '--input', '1'], 'No @DurableService class NoSuchService'],
    ['an invalid account', ['generate', '--account', '12', '--region', 'eu-west-1'], '12-digit AWS account id'],
  ])('%s is a usage error: exit 2', async (_what, args, message) => {
    const { code, stdout, stderr } = await runCli(args, copyFixture());
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
