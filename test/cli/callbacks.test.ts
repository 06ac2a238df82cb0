import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  Workflow,
} from '../../packages/core/src/index.js';
import { TEST_TABLE } from '../support/dynamodb-global-setup.js';
import { localClient } from '../support/dynamodb-servers.js';
import { assertCliBuilt, cleanUp, copyFixture, lastJsonLine, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

/** Several CLI processes in a row, on a machine other tests load too. */
const SLOW = 150_000;

const APPROVE = 'ApprovalService.approve';

interface Pending {
  service: string;
  executionId: string;
  name: string;
  position: string;
  token: string;
}

/** A fixture app with `ApprovalService.approve` started as `id` and suspended on its callback. */
async function suspendedApproval(id: string): Promise<{ app: string; stdout: string }> {
  const app = copyFixture('callbacks');
  const { code, stdout } = await runCli(['run', APPROVE, '--input', JSON.stringify({ id }), '--id', id], app);
  expect(lastJsonLine(stdout)).toMatchObject({ status: 'SUSPENDED', executionId: id });
  expect(code).toBe(0);
  return { app, stdout };
}

async function pendingIn(app: string, ...args: string[]): Promise<Pending[]> {
  const { code, stdout } = await runCli(['callbacks', 'list', '--format', 'json', ...args], app);
  expect(code).toBe(0);
  return JSON.parse(stdout) as Pending[];
}

function stepsRun(app: string): string[] {
  const log = path.join(app, 'steps.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

describe('durable-gen callbacks', () => {
  it(
    'shows the token where the run suspends, lists it, and completing it resumes the execution here',
    async () => {
      const { app, stdout } = await suspendedApproval('a-1');
      const [pending, ...others] = await pendingIn(app);
      expect(others).toEqual([]);
      expect(pending).toMatchObject({
        service: 'approvals',
        executionId: 'a-1',
        name: 'manager-approval',
        position: '2.2.1',
      });
      const token = pending!.token;
      // The SUSPENDED line says what resumes it: this callback, with the command that completes it.
      expect(stdout).toMatch(
        new RegExp(
          `^SUSPENDED after \\S+ \\S+, waiting for callback 'manager-approval': ` +
            `durable-gen callbacks complete ${token} --result JSON$`,
          'm',
        ),
      );

      const text = await runCli(['callbacks', 'list'], app);
      expect(text.stdout).toMatch(/^SERVICE +EXECUTION +CALLBACK +POS +SINCE +TOKEN$/m);
      expect(text.stdout).toMatch(new RegExp(`^approvals +a-1 +manager-approval +2\\.2\\.1 +\\S+Z +${token}$`, 'm'));
      expect(text.stdout).toContain('1 pending callback');

      const shown = await runCli(['executions', 'show', 'a-1'], app);
      expect(shown.stdout).toMatch(new RegExp(`^2\\.2\\.1 +manager-approval +\\S+Z +${token}$`, 'm'));

      const completed = await runCli(['callbacks', 'complete', token, '--result', '{"approved":true}'], app);
      expect(completed.stdout).toContain(
        "completed callback 'manager-approval' (position 2.2.1) of execution a-1 (service approvals)",
      );
      expect(completed.stdout).toContain(`${APPROVE}  a-1  resuming (SUSPENDED`);
      expect(lastJsonLine(completed.stdout)).toEqual({
        status: 'SUCCEEDED',
        executionId: 'a-1',
        output: { draft: 'draft-a-1', picked: 'picked-a-1', decision: { approved: true } },
      });
      expect(completed.code).toBe(0);
      // The resume replayed what had run: each step body ran once.
      expect(stepsRun(app)).toEqual(['draft-request', 'warehouse-pick']);

      const none = await runCli(['callbacks', 'list'], app);
      expect(none.stdout.trim()).toBe('no callbacks are pending in .durable/');
      expect(await pendingIn(app)).toEqual([]);

      // The execution has ended: another answer is refused, on one line, and nothing changes.
      const late = await runCli(['callbacks', 'complete', token, '--result', '{"approved":false}'], app);
      expect(late.stderr.trim()).toMatch(/^error {2}CallbackExecutionFinishedError \(CALLBACK_EXECUTION_FINISHED\): /);
      expect(late.stderr.trim().split('\n')).toHaveLength(1);
      expect(late.code).toBe(1);
      const after = await runCli(['executions', 'show', 'a-1', '--format', 'json'], app);
      expect(JSON.parse(after.stdout).execution.output).toBe(
        '{"draft":"draft-a-1","picked":"picked-a-1","decision":{"approved":true}}',
      );
    },
    SLOW,
  );

  it(
    'prints progress columns at least two spaces apart, however long the kind and the name',
    async () => {
      const { stdout } = await suspendedApproval('a-2');
      expect(stdout).toMatch(/^ +✓ 2\.1\.1 +step {2,}warehouse-pick {2,}executed\b/m);
      expect(stdout).toMatch(/^ +… 2\.2\.1 +callback {2,}manager-approval {2,}waiting\b/m);
      const progress = stdout.split('\n').filter((line) => /^ +[✓↺…↻✗] /.test(line));
      expect(progress.length).toBeGreaterThanOrEqual(3);
      for (const line of progress) {
        expect(line).toMatch(/^ +[✓↺…↻✗] \S+ {2,}\S+ {2,}\S.*\S {2,}(executed|replayed|waiting|retrying|failed)\b/);
      }
    },
    SLOW,
  );

  it(
    'records only, with --no-resume, says how to resume, and refuses a second, different answer',
    async () => {
      const { app } = await suspendedApproval('a-3');
      const byName = ['--execution', 'a-3', '--name', 'manager-approval'];
      const recorded = await runCli(['callbacks', 'complete', ...byName, '--result', 'true', '--no-resume'], app);
      expect(recorded.stdout).toContain("completed callback 'manager-approval' (position 2.2.1) of execution a-3");
      expect(recorded.stdout).toContain(`Not resumed (--no-resume): durable-gen run ${APPROVE} --id a-3`);
      expect(recorded.code).toBe(0);
      expect(await pendingIn(app)).toEqual([]);

      const again = await runCli(['callbacks', 'complete', ...byName, '--result', 'false'], app);
      expect(again.stderr).toContain(
        "error  Callback 'manager-approval' of execution 'a-3': CallbackAlreadyCompletedError " +
          '(CALLBACK_ALREADY_COMPLETED)',
      );
      expect(again.code).toBe(1);

      const resumed = await runCli(['run', APPROVE, '--id', 'a-3'], app);
      expect(lastJsonLine(resumed.stdout)).toMatchObject({ status: 'SUCCEEDED', output: { decision: true } });
    },
    SLOW,
  );

  it(
    'fails a callback by execution and name: the workflow sees a CallbackFailedError with the code given',
    async () => {
      const { app } = await suspendedApproval('a-4');
      const failed = await runCli(
        [
          'callbacks',
          'fail',
          '--execution',
          'a-4',
          '--name',
          'manager-approval',
          '--error',
          'over budget',
          '--error-code',
          'BUDGET',
        ],
        app,
      );
      expect(failed.stdout).toContain("failed callback 'manager-approval' (position 2.2.1) of execution a-4");
      expect(failed.stderr).toMatch(
        /^FAILED {2}execution a-4 {2}CallbackFailedError \(CALLBACK_FAILED\): .*Error \(BUDGET\): over budget/m,
      );
      expect(lastJsonLine(failed.stdout)).toMatchObject({
        status: 'FAILED',
        executionId: 'a-4',
        error: { name: 'CallbackFailedError', code: 'CALLBACK_FAILED' },
      });
      expect(failed.code).toBe(1);
    },
    SLOW,
  );

  it(
    'completes a callback of an invoked service by the parent id, and resumes parent and child in one run',
    async () => {
      const app = copyFixture('callbacks');
      const run = await runCli(['run', 'ApprovalService.escalate', '--input', '{"id":"e-1"}', '--id', 'e-1'], app);
      const [pending] = await pendingIn(app, '--execution', 'e-1');
      expect(pending).toMatchObject({ service: 'finance', executionId: 'e-1/1', name: 'cfo-signature' });
      // The child's callback is what the parent waits for; the execution's timeout is no timer to wait for.
      expect(run.stdout).toContain(
        `waiting for callback 'cfo-signature': durable-gen callbacks complete ${pending!.token}`,
      );
      expect(run.stdout).not.toContain('a timer');

      const completed = await runCli(
        ['callbacks', 'complete', '--execution', 'e-1', '--name', 'cfo-signature', '--result', '"signed"'],
        app,
      );
      expect(completed.stdout).toContain('ApprovalService.escalate  e-1  resuming (SUSPENDED');
      expect(lastJsonLine(completed.stdout)).toEqual({
        status: 'SUCCEEDED',
        executionId: 'e-1',
        output: { signature: 'signed' },
      });
      expect(completed.code).toBe(0);
    },
    SLOW,
  );

  it(
    'refuses bad usage (exit 2), and a bad or unknown token, a callback nobody waits for (exit 1), writing nothing',
    async () => {
      const { app } = await suspendedApproval('a-5');
      const neither = await runCli(['callbacks', 'complete', '--result', '1'], app);
      expect(neither.stderr).toContain('Name the callback: its token');
      expect(neither.code).toBe(2);
      const nameOnly = await runCli(['callbacks', 'complete', '--name', 'manager-approval', '--result', '1'], app);
      expect(nameOnly.code).toBe(2);
      const [pending] = await pendingIn(app);
      const noResult = await runCli(['callbacks', 'complete', pending!.token], app);
      expect(noResult.stderr).toContain('Give the result: --result JSON');
      expect(noResult.code).toBe(2);

      const garbage = await runCli(['callbacks', 'complete', 'not-a-token', '--result', '1'], app);
      expect(garbage.stderr.trim()).toMatch(/^error {2}InvalidCallbackTokenError \(INVALID_CALLBACK_TOKEN\): /);
      expect(garbage.code).toBe(1);
      const unknown = await runCli(
        ['callbacks', 'complete', '--execution', 'a-5', '--name', 'cfo-signature', '--result', '1'],
        app,
      );
      expect(unknown.stderr).toContain(
        "Execution 'a-5' waits for no callback 'cfo-signature' (it waits for: 'manager-approval').",
      );
      expect(unknown.code).toBe(1);

      // Nothing was written: the callback still waits, with the same token.
      expect(await pendingIn(app)).toEqual([pending]);
    },
    SLOW,
  );

  it(
    'lists and completes callbacks of a DynamoDB table, and says what resumes the execution there',
    async () => {
      const service = `cli-callbacks-${randomUUID().slice(0, 8)}`;
      @DurableService({ name: service })
      class ReviewService {
        @Workflow()
        async review(ctx: DurableContext, doc: string): Promise<string> {
          const verdict = await ctx.waitForCallback<string>('reviewer', () => undefined);
          return `${doc}: ${verdict}`;
        }
      }
      const endpoint = inject('dynamoDbEndpoints').dynalite;
      const client = localClient(endpoint);
      try {
        const handler = createHandler(ReviewService, { store: new DynamoDbStore({ client, tableName: TEST_TABLE }) });
        expect(await handler({ executionId: 'r-1', input: 'spec' })).toMatchObject({ status: 'SUSPENDED' });
        const app = copyFixture('callbacks');
        const remote = ['--table', TEST_TABLE, '--endpoint', endpoint, '--region', 'us-east-1'];

        const [pending, ...others] = await pendingIn(app, '--service', service, ...remote);
        expect(others).toEqual([]);
        expect(pending).toMatchObject({ service, executionId: 'r-1', name: 'reviewer', position: '1' });

        const completed = await runCli(
          ['callbacks', 'complete', pending!.token, '--result', '"approved"', ...remote],
          app,
        );
        expect(completed.stdout).toContain(
          `completed callback 'reviewer' (position 1) of execution r-1 (service ${service})`,
        );
        expect(completed.stdout).toContain(
          `It is due now: invoke the function of service '${service}' with {"executionId":"r-1"} to resume it`,
        );
        expect(completed.code).toBe(0);
        // Nothing of the app ran here, and its embedded store was never opened.
        expect(existsSync(path.join(app, '.durable'))).toBe(false);

        // What the function does when invoked so.
        expect(await handler({ executionId: 'r-1' })).toMatchObject({ status: 'SUCCEEDED', output: 'spec: approved' });
      } finally {
        client.destroy();
      }
    },
    SLOW,
  );
});
