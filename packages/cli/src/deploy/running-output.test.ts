import { describe, expect, it } from 'vitest';
import type { Palette } from '../output.js';
import type { LocalReplayOutcome } from './local-replay.js';
import { pruneLines, runningExecutionLines } from './running-output.js';

const plain: Palette = { green: (t) => t, red: (t) => t, yellow: (t) => t, dim: (t) => t, bold: (t) => t };

const replays = (executionId: string, version: string): LocalReplayOutcome => ({
  executionId,
  version,
  verdict: { executionId, service: 'orders', workflow: 'place', invocations: 1, replayed: 2, compatible: true },
});

const diverges = (executionId: string, version: string, position: string): LocalReplayOutcome => ({
  executionId,
  version,
  verdict: {
    executionId,
    service: 'orders',
    workflow: 'place',
    invocations: 1,
    replayed: 1,
    compatible: false,
    position,
    recorded: { kind: 'step', name: 'charge', argsHash: 'a' },
    actual: { kind: 'step', name: 'chargeCard', argsHash: 'a' },
    message: "recorded step 'charge', code now calls step 'chargeCard'",
  },
});

describe('runningExecutionLines', () => {
  it('says, per earlier version, what stays pinned, what the new code replays and where the rest diverges', () => {
    const lines = runningExecutionLines(
      'orders',
      {
        executions: [
          replays('o-1', '1'),
          diverges('o-2', '1', '4'),
          replays('o-3', '2'),
          replays('o-4', '2'),
          { executionId: 'o-5', version: '2', unchecked: 'src/orders.ts does not export class Orders' },
        ],
      },
      '3',
      plain,
    );

    expect(lines).toEqual([
      'orders: 2 executions running on version 1 stay on it (pinned); on the new code 1 replays ' +
        '(durable-gen migrate orders --to 3 can move it), 1 diverges at position 4',
      "  o-2  diverges at position 4: recorded step 'charge', code now calls step 'chargeCard'",
      'orders: 3 executions running on version 2 stay on it (pinned); on the new code 2 replay ' +
        '(durable-gen migrate orders --to 3 can move them), 1 not checked',
      '  o-5  not checked: src/orders.ts does not export class Orders',
    ]);
  });

  it('leaves out executions already on the published version (an unchanged deploy), and counts schema changes', () => {
    const change = {
      service: 'orders',
      workflow: 'place',
      file: 'src/orders.ts',
      line: 12,
      summary: "step 'charge' renamed to 'chargeCard'",
      reason: 'running executions recorded charge',
    };
    const lines = runningExecutionLines(
      'orders',
      {
        schemaChanges: [
          { ...change, classification: 'breaking', change: 'renamed' },
          { ...change, classification: 'safe', change: 'appended' },
        ],
        executions: [replays('o-1', '3')],
      },
      '3',
      plain,
    );

    expect(lines).toEqual([
      'orders: 2 schema changes against the last deployed schema, 1 breaking (durable-gen diff lists them)',
    ]);
  });
});

describe('pruneLines', () => {
  it('names what was deleted and why each older version stays', () => {
    expect(
      pruneLines(
        {
          service: 'orders',
          deleted: ['1', '2'],
          kept: [
            { version: '3', reason: 'alias', aliases: ['canary'] },
            { version: '4', reason: 'executions', executionIds: ['o-7', 'o-9'] },
            { version: '5', reason: 'live' },
          ],
        },
        plain,
      ),
    ).toEqual([
      'orders: deleted versions 1, 2',
      '  kept version 3: alias canary points to it',
      '  kept version 4: 2 running executions pinned to it: o-7, o-9',
    ]);
  });
});
