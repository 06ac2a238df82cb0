import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { TEST_TABLE } from '../support/dynamodb-global-setup.js';
import { localClient } from '../support/dynamodb-servers.js';
import { assertCliBuilt, cleanUp, copyFixture, lastJsonLine, runCli } from './cli-harness.js';

/** One app, one run of `OrderService.place` (which invokes `receipts`), read by every test below. */
let app: string;

beforeAll(async () => {
  assertCliBuilt();
  app = copyFixture();
  const input = JSON.stringify({ id: 'o-1', items: 2 });
  const { code, stdout } = await runCli(['run', 'OrderService.place', '--input', input, '--id', 'o-1'], app);
  expect(lastJsonLine(stdout)).toMatchObject({ status: 'SUCCEEDED' });
  expect(code).toBe(0);
}, 60_000);
afterAll(cleanUp);

describe('durable-gen executions', () => {
  it('list prints an aligned table of the executions, the invoked child included', async () => {
    const { code, stdout, stderr } = await runCli(['executions', 'list'], app);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +SERVICE +WORKFLOW +STATUS +CREATED +INVOCATIONS$/);
    expect(stdout).toMatch(/^o-1 +orders +place +SUCCEEDED +\d{4}-\d\d-\d\dT[\d:.]+Z +1$/m);
    expect(stdout).toMatch(/^o-1\/5 +receipts +issue +SUCCEEDED +/m);
    expect(lines.at(-1)).toBe('2 executions');
    // Aligned: every column starts at the same place on every line.
    const statusColumn = lines[0]!.indexOf('STATUS');
    for (const line of lines.slice(1, -1)) expect(line.slice(statusColumn)).toMatch(/^SUCCEEDED /);
    expect(code).toBe(0);
  });

  it('list --format json prints the records, without their secret', async () => {
    const { code, stdout } = await runCli(['executions', 'list', '--service', 'orders', '--format', 'json'], app);
    const executions = JSON.parse(stdout) as Record<string, unknown>[];
    expect(executions).toEqual([
      expect.objectContaining({ service: 'orders', executionId: 'o-1', workflow: 'place', status: 'SUCCEEDED' }),
    ]);
    expect(executions[0]).not.toHaveProperty('secret');
    expect(code).toBe(0);
  });

  it('show prints the execution and one timeline line per journal record', async () => {
    const { code, stdout } = await runCli(['executions', 'show', 'o-1'], app);
    expect(stdout).toMatch(/^execution +o-1$/m);
    expect(stdout).toMatch(/^status +SUCCEEDED$/m);
    expect(stdout).toMatch(/^output +\{"reservation":"reservation-o-1-2","charged":20,"receipt":"receipt-o-1"\}$/m);
    expect(stdout).toMatch(/^POS +KIND +NAME +STATUS +ATTEMPT +TIME +DETAIL$/m);
    expect(stdout).toMatch(/^1 +step +reserve +SUCCEEDED +1 +\d{4}-[\d-]+T[\d:.]+Z$/m);
    expect(stdout).toMatch(/^2 +step +confirm +SUCCEEDED +1 /m);
    expect(stdout).toMatch(/^3 +step +charge +SUCCEEDED +1 /m);
    // The sleep is over: its record stays STARTED (see --format json), but people read that it finished.
    expect(stdout).toMatch(/^4 +sleep +settle +SUCCEEDED +1 +\S+ +woke \S+$/m);
    expect(stdout).not.toMatch(/ STARTED /);
    expect(stdout).toMatch(/^5 +invoke +receipts\.issue +SUCCEEDED +1 /m);
    expect(code).toBe(0);
  });

  it('show --format json and export print the raw record and journal', async () => {
    const shown = await runCli(['executions', 'show', 'o-1', '--format', 'json'], app);
    expect(shown.code).toBe(0);
    const { execution, journal } = JSON.parse(shown.stdout) as {
      execution: Record<string, unknown>;
      journal: { position: string; kind: string; name: string; result?: string }[];
    };
    expect(execution).toMatchObject({ service: 'orders', executionId: 'o-1', status: 'SUCCEEDED', invocations: 1 });
    expect(execution).not.toHaveProperty('secret');
    expect(journal.map((op) => `${op.position} ${op.kind} ${op.name}`)).toEqual([
      '1 step reserve',
      '2 step confirm',
      '3 step charge',
      '4 sleep settle',
      '5 invoke receipts.issue',
    ]);
    // Values stay as the store keeps them: serialized.
    expect(journal[0]?.result).toBe('"reservation-o-1-2"');

    const exported = await runCli(['executions', 'export', 'o-1'], app);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ format: 'durable-execution', version: 1, execution, journal });
  });

  it('export --help says what the export is for, naming no command that does not exist', async () => {
    const { code, stdout } = await runCli(['executions', 'export', '--help'], app);
    expect(stdout).toContain('Print the raw JSON of an execution and its journal');
    expect(stdout).toContain('durable-gen replay FILE');
    expect(stdout).not.toMatch(/--history/);
    expect(code).toBe(0);
  });

  it('export of an invoked child execution, by its id and service', async () => {
    const { code, stdout } = await runCli(['executions', 'export', 'o-1/5', '--service', 'receipts'], app);
    expect(JSON.parse(stdout)).toMatchObject({ execution: { service: 'receipts', workflow: 'issue' } });
    expect(code).toBe(0);
  });

  it('show of an unknown id exits 1', async () => {
    const { code, stderr } = await runCli(['executions', 'show', 'no-such-id'], app);
    expect(stderr).toContain("No execution 'no-such-id'");
    expect(code).toBe(1);
  });

  it('list in an app where nothing ran prints no executions and creates nothing', async () => {
    const fresh = copyFixture();
    const text = await runCli(['executions', 'list'], fresh);
    expect(text.stdout.trim()).toBe('no executions');
    expect(text.code).toBe(0);
    const json = await runCli(['executions', 'list', '--format', 'json'], fresh);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(existsSync(path.join(fresh, '.durable'))).toBe(false);
  });

  it('reads a DynamoDB table with --table and --endpoint', async () => {
    const service = `cli-remote-${randomUUID().slice(0, 8)}`;
    @DurableService({ name: service })
    class GreetingService {
      @Workflow()
      async greet(_ctx: DurableContext, name: string): Promise<string> {
        return this.format(name);
      }

      @Step()
      async format(name: string): Promise<string> {
        return `hello ${name}`;
      }
    }
    const endpoint = inject('dynamoDbEndpoints').dynalite;
    const client = localClient(endpoint);
    try {
      const handler = createHandler(GreetingService, { store: new DynamoDbStore({ client, tableName: TEST_TABLE }) });
      await handler({ executionId: 'g-1', input: 'world' });
    } finally {
      client.destroy();
    }
    const remote = ['--table', TEST_TABLE, '--endpoint', endpoint, '--region', 'us-east-1'];

    const list = await runCli(['executions', 'list', '--service', service, ...remote], app);
    expect(list.stdout).toMatch(new RegExp(`^g-1 +${service} +greet +SUCCEEDED `, 'm'));
    expect(list.code).toBe(0);

    const show = await runCli(['executions', 'show', 'g-1', '--service', service, ...remote], app);
    expect(show.stdout).toMatch(/^output +"hello world"$/m);
    expect(show.stdout).toMatch(/^1 +step +format +SUCCEEDED +1 /m);
    expect(show.code).toBe(0);
  });
});
