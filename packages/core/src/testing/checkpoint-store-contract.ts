import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionKey, ExecutionRecord, OperationRecord } from '../journal/records.js';
import type {
  CheckpointStore,
  ClaimOutcome,
  ClaimRequest,
  ConditionalWriteOutcome,
  ExecutionTransition,
  ListExecutionsQuery,
} from '../stores/checkpoint-store.js';

/**
 * The behaviour every {@link CheckpointStore} must show, as a vitest suite:
 * call it from an implementation's test file with a factory for that store.
 *
 * The suite only talks to the interface and assumes nothing about timing or
 * about other data in the store: every test works on execution ids and
 * service names of its own (random suffixes), and all times are the `now`
 * values it passes in. So one table may be shared by every test, and the same
 * suite runs against `MemoryStore`, DynamoDB Local and dynalite.
 *
 * @example
 * ```ts
 * describeCheckpointStoreContract('MemoryStore', () => new MemoryStore());
 * ```
 */
export function describeCheckpointStoreContract(
  name: string,
  createStore: () => CheckpointStore | Promise<CheckpointStore>,
): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let store: CheckpointStore;

    beforeEach(async () => {
      store = await createStore();
    });

    /** Claims a new execution for `owner-a` at `T0` (or as overridden) and returns its record. */
    async function start(key: ExecutionKey, overrides: Partial<ClaimRequest> = {}): Promise<ExecutionRecord> {
      const outcome = await store.claim(startRequest(key, overrides));
      return claimed(outcome).record;
    }

    /** Starts an execution and ends or pauses it with `to`, returning the record as stored. */
    async function startAndEnd(key: ExecutionKey, to: ExecutionTransition, now = T0 + 1_000): Promise<ExecutionRecord> {
      await start(key);
      expect(await store.transition(key, OWNER_A, to, now)).toEqual({ ok: true });
      return (await store.getExecution(key))!;
    }

    describe('claim', () => {
      it('creates a new execution, RUNNING and leased to the claimer, with its input', async () => {
        const key = newKey();
        const outcome = await store.claim(startRequest(key));

        const { record, isNew } = claimed(outcome);
        expect(isNew).toBe(true);
        expect(record).toEqual({
          ...key,
          workflow: WORKFLOW,
          status: 'RUNNING',
          input: INPUT.serialized,
          inputHash: INPUT.hash,
          leaseOwner: OWNER_A,
          leaseExpiresAt: T0 + LEASE_MS,
          createdAt: T0,
          updatedAt: T0,
          invocations: 1,
          timeoutAt: TIMEOUT_AT,
          expiresAt: EXPIRES_AT,
        });
        expect(await store.getExecution(key)).toEqual(record);
        expect(await store.loadJournal(key)).toEqual([]);
      });

      it('reports busy, and changes nothing, while another owner holds a live lease', async () => {
        const key = newKey();
        const before = await start(key);

        const outcome = await store.claim(
          startRequest(key, { owner: OWNER_B, now: T0 + 1_000, leaseExpiresAt: T0 + 1_000 + LEASE_MS }),
        );

        expect(outcome).toEqual({ kind: 'busy', record: before });
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('also reports busy to a resume claim (no input) while the lease is live', async () => {
        const key = newKey();
        const before = await start(key);

        const outcome = await store.claim(resumeRequest(key, OWNER_B, T0 + 1_000));

        expect(outcome).toEqual({ kind: 'busy', record: before });
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('hands an expired lease to a new owner and counts the invocation; the execution keeps its deadlines', async () => {
        const key = newKey();
        await start(key);
        const later = T0 + LEASE_MS + 1;

        const outcome = await store.claim(
          startRequest(key, {
            owner: OWNER_B,
            now: later,
            leaseExpiresAt: later + LEASE_MS,
            timeoutAt: TIMEOUT_AT + 1_000,
            expiresAt: EXPIRES_AT + 1_000,
          }),
        );

        const { record, isNew } = claimed(outcome);
        expect(isNew).toBe(false);
        expect(record).toEqual({
          ...key,
          workflow: WORKFLOW,
          status: 'RUNNING',
          input: INPUT.serialized,
          inputHash: INPUT.hash,
          leaseOwner: OWNER_B,
          leaseExpiresAt: later + LEASE_MS,
          createdAt: T0,
          updatedAt: later,
          invocations: 2,
          timeoutAt: TIMEOUT_AT,
          expiresAt: EXPIRES_AT,
        });
        expect(await store.getExecution(key)).toEqual(record);
      });

      it('lets the lease holder claim again and extends its lease', async () => {
        const key = newKey();
        await start(key);

        const outcome = await store.claim(
          startRequest(key, { now: T0 + 1_000, leaseExpiresAt: T0 + 1_000 + LEASE_MS }),
        );

        const { record, isNew } = claimed(outcome);
        expect(isNew).toBe(false);
        expect(record.leaseOwner).toBe(OWNER_A);
        expect(record.leaseExpiresAt).toBe(T0 + 1_000 + LEASE_MS);
        expect(await store.getExecution(key)).toEqual(record);
      });

      it('reports a SUCCEEDED execution as finished, with its output, and changes nothing', async () => {
        const key = newKey();
        const finished = await startAndEnd(key, { status: 'SUCCEEDED', output: '{"receipt":"r-1"}' });

        const outcome = await store.claim(startRequest(key, { owner: OWNER_B, now: T0 + 2 * LEASE_MS }));

        expect(outcome).toEqual({ kind: 'finished', record: finished });
        expect(finished.output).toBe('{"receipt":"r-1"}');
        expect(await store.getExecution(key)).toEqual(finished);
      });

      it('reports a FAILED execution as finished, with its error, also to a resume claim', async () => {
        const key = newKey();
        const finished = await startAndEnd(key, { status: 'FAILED', error: '{"message":"card declined"}' });

        const outcome = await store.claim(resumeRequest(key, OWNER_B, T0 + 2 * LEASE_MS));

        expect(outcome).toEqual({ kind: 'finished', record: finished });
        expect(finished.error).toBe('{"message":"card declined"}');
        expect(await store.getExecution(key)).toEqual(finished);
      });

      it('reports a conflict when the id is reused for another workflow, and changes nothing', async () => {
        const key = newKey();
        const before = await start(key);

        const outcome = await store.claim(
          startRequest(key, { workflow: 'refund', owner: OWNER_B, now: T0 + 2 * LEASE_MS }),
        );

        expect(outcome).toEqual({ kind: 'conflict', reason: 'workflow', record: before });
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('reports a conflict when the id is reused with another input, and changes nothing', async () => {
        const key = newKey();
        const before = await start(key);

        const outcome = await store.claim(
          startRequest(key, {
            input: { serialized: '{"orderId":"o-2"}', hash: 'hash-o-2' },
            owner: OWNER_B,
            now: T0 + 2 * LEASE_MS,
          }),
        );

        expect(outcome).toEqual({ kind: 'conflict', reason: 'input', record: before });
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('reports not-found to a resume claim of an unknown id, and creates nothing', async () => {
        const key = newKey();

        expect(await store.claim(resumeRequest(key, OWNER_A, T0))).toEqual({ kind: 'not-found' });
        expect(await store.getExecution(key)).toBeUndefined();
        expect(await store.loadJournal(key)).toEqual([]);
        expect((await store.listExecutions({ service: key.service })).executions).toEqual([]);
      });

      it('resumes a SUSPENDED execution on a claim without input, clearing resumeAt', async () => {
        const key = newKey();
        await startAndEnd(key, { status: 'SUSPENDED', resumeAt: T0 + 5_000 });

        const outcome = await store.claim(resumeRequest(key, OWNER_B, T0 + 6_000));

        const { record, isNew } = claimed(outcome);
        expect(isNew).toBe(false);
        expect(record).toEqual({
          ...key,
          workflow: WORKFLOW,
          status: 'RUNNING',
          input: INPUT.serialized,
          inputHash: INPUT.hash,
          leaseOwner: OWNER_B,
          leaseExpiresAt: T0 + 6_000 + LEASE_MS,
          createdAt: T0,
          updatedAt: T0 + 6_000,
          invocations: 2,
          timeoutAt: TIMEOUT_AT,
          expiresAt: EXPIRES_AT,
        });
        expect(record.resumeAt).toBeUndefined();
        expect(await store.getExecution(key)).toEqual(record);
      });

      it('resumes a SUSPENDED execution before its resumeAt (an outside event, such as a callback)', async () => {
        const key = newKey();
        await startAndEnd(key, { status: 'SUSPENDED', resumeAt: T0 + 60_000 });

        const { record } = claimed(await store.claim(resumeRequest(key, OWNER_B, T0 + 2_000)));

        expect(record.status).toBe('RUNNING');
        expect(record.leaseOwner).toBe(OWNER_B);
        expect(record.resumeAt).toBeUndefined();
      });

      it('keeps a large input intact', async () => {
        const key = newKey();
        const input = { serialized: bulkyText(600_000), hash: 'hash-bulky' };

        const record = await start(key, { input });
        const stored = await store.getExecution(key);

        expect(record.input === input.serialized).toBe(true);
        expect(stored?.input.length).toBe(input.serialized.length);
        expect(stored?.input === input.serialized).toBe(true);
      });

      it('counts each claim as a new epoch: invocations is 1, then 2, then 3', async () => {
        const key = newKey();
        const epochs = [(await start(key)).invocations];
        const later = T0 + LEASE_MS + 1;
        const takeOver = startRequest(key, { owner: OWNER_B, now: later, leaseExpiresAt: later + LEASE_MS });
        epochs.push(claimed(await store.claim(takeOver)).record.invocations);
        await store.transition(key, OWNER_B, { status: 'SUSPENDED', resumeAt: later + 5 }, later + 1);
        epochs.push(claimed(await store.claim(resumeRequest(key, OWNER_A, later + 10))).record.invocations);

        expect(epochs).toEqual([1, 2, 3]);
        expect((await store.getExecution(key))?.invocations).toBe(3);
      });

      it('counts a creating claim made again (its answer lost) once: claimed, still new, nothing changed', async () => {
        const key = newKey();
        const first = await start(key);

        const again = await store.claim(startRequest(key));

        expect(again).toEqual({ kind: 'claimed', isNew: true, record: first });
        expect(await store.getExecution(key)).toEqual(first);
      });

      it('counts a take-over made again (its answer lost) once: claimed, not new, the same epoch', async () => {
        const key = newKey();
        await start(key);
        const later = T0 + LEASE_MS + 1;
        const takeOver = startRequest(key, { owner: OWNER_B, now: later, leaseExpiresAt: later + LEASE_MS });
        const { record } = claimed(await store.claim(takeOver));

        const again = await store.claim(takeOver);

        expect(again).toEqual({ kind: 'claimed', isNew: false, record });
        expect(record.invocations).toBe(2);
        expect(await store.getExecution(key)).toEqual(record);
      });

      it('counts a creating claim with a large input made again once, and keeps the input intact', async () => {
        const key = newKey();
        const input = { serialized: bulkyText(600_000), hash: 'hash-bulky' };
        await start(key, { input });

        const again = claimed(await store.claim(startRequest(key, { input })));

        expect(again.isNew).toBe(true);
        expect(again.record.invocations).toBe(1);
        expect(again.record.input === input.serialized).toBe(true);
        expect((await store.getExecution(key))?.input === input.serialized).toBe(true);
      });
    });

    describe('claim: version pinning', () => {
      const V1 = { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders', version: '1' };
      const V2 = { ...V1, version: '2' };
      const OTHER_FUNCTION = {
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-copy',
        version: '1',
      };

      /** A pinned execution, suspended so that any claim may take it. */
      async function suspendedOn(key: ExecutionKey, version: typeof V1): Promise<ExecutionRecord> {
        const record = await start(key, { version });
        expect(record.pinnedVersion).toEqual(version);
        expect(await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: T0 + 500 }, T0 + 100)).toEqual({
          ok: true,
        });
        return (await store.getExecution(key))!;
      }

      it('pins a new execution to the version that creates it, and keeps it', async () => {
        const key = newKey();
        await suspendedOn(key, V1);
        const resumed = claimed(await store.claim({ ...resumeRequest(key, OWNER_B, T0 + 1_000), version: V1 }));
        expect(resumed.record.pinnedVersion).toEqual(V1);
        expect(resumed.record.invocations).toBe(2);
        expect((await store.getExecution(key))?.pinnedVersion).toEqual(V1);
      });

      it.each([
        ['another version', V2],
        ['another function', OTHER_FUNCTION],
      ])('refuses a claim that runs %s, writing nothing', async (_what, version) => {
        const key = newKey();
        const before = await suspendedOn(key, V1);
        for (const request of [
          resumeRequest(key, OWNER_B, T0 + 1_000),
          startRequest(key, { owner: OWNER_B, now: T0 + 1_000 }),
        ]) {
          const outcome = await store.claim({ ...request, version });
          expect(outcome).toEqual({ kind: 'wrong-version', record: before });
        }
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('answers a finished execution to any version: nothing of it runs again', async () => {
        const key = newKey();
        await start(key, { version: V1 });
        expect(await store.transition(key, OWNER_A, { status: 'SUCCEEDED', output: '"done"' }, T0 + 100)).toEqual({
          ok: true,
        });
        const outcome = await store.claim({ ...resumeRequest(key, OWNER_B, T0 + 1_000), version: V2 });
        expect(outcome.kind).toBe('finished');
      });

      it('lets a claim outside Lambda (no version) run a pinned execution, and pins an unpinned one when first claimed on Lambda', async () => {
        const pinned = newKey();
        await suspendedOn(pinned, V1);
        expect(claimed(await store.claim(resumeRequest(pinned, OWNER_B, T0 + 1_000))).record.pinnedVersion).toEqual(V1);

        const unpinned = newKey();
        await start(unpinned);
        expect(
          await store.transition(unpinned, OWNER_A, { status: 'SUSPENDED', resumeAt: T0 + 500 }, T0 + 100),
        ).toEqual({
          ok: true,
        });
        expect((await store.getExecution(unpinned))?.pinnedVersion).toBeUndefined();
        const first = claimed(await store.claim({ ...resumeRequest(unpinned, OWNER_B, T0 + 1_000), version: V2 }));
        expect(first.record.pinnedVersion).toEqual(V2);
      });
    });

    describe('repinExecution', () => {
      const V1 = { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders', version: '1' };
      const V2 = { ...V1, version: '2' };
      const V3 = { ...V1, version: '3' };

      /** A pinned execution, suspended at `T0 + 100` after its first claim: `invocations` is 1. */
      async function suspendedOn(key: ExecutionKey, version: typeof V1): Promise<ExecutionRecord> {
        await start(key, { version });
        expect(await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: T0 + 500 }, T0 + 100)).toEqual({
          ok: true,
        });
        return (await store.getExecution(key))!;
      }

      it('moves a SUSPENDED execution pinned to `from` to `to`, changing nothing else', async () => {
        const key = newKey();
        const before = await suspendedOn(key, V1);

        expect(await store.repinExecution(key, { from: V1, to: V2, invocations: 1 })).toBe(true);

        expect(await store.getExecution(key)).toEqual({ ...before, pinnedVersion: V2 });
        const claimedOnNew = claimed(await store.claim({ ...resumeRequest(key, OWNER_B, T0 + 2_000), version: V2 }));
        expect(claimedOnNew.record.invocations).toBe(2);
        expect(await store.claim({ ...resumeRequest(key, OWNER_B, T0 + 2_000), version: V1 })).toMatchObject({
          kind: 'wrong-version',
        });
      });

      it('never moves a RUNNING execution, whatever its lease says: only a clock could tell its invocation is gone', async () => {
        const key = newKey();
        const running = await start(key, { version: V1 });
        expect(await store.repinExecution(key, { from: V1, to: V2, invocations: 1 })).toBe(false);
        expect(await store.getExecution(key)).toEqual(running);
      });

      it.each([
        ['pinned to another version', { from: V3, invocations: 1 }],
        ['claimed since the caller looked', { from: V1, invocations: 2 }],
        ['claimed fewer times than the caller says', { from: V1, invocations: 0 }],
        [
          'pinned to the same version of another function',
          { from: { ...V1, functionArn: `${V1.functionArn}-copy` }, invocations: 1 },
        ],
      ])('refuses an execution %s, changing nothing', async (_what, { from, invocations }) => {
        const key = newKey();
        const before = await suspendedOn(key, V1);

        expect(await store.repinExecution(key, { from, to: V2, invocations })).toBe(false);

        expect(await store.getExecution(key)).toEqual(before);
      });

      it('refuses an unpinned execution, a finished one and an unknown one, creating nothing', async () => {
        const unpinned = newKey();
        await start(unpinned);
        expect(
          await store.transition(unpinned, OWNER_A, { status: 'SUSPENDED', resumeAt: undefined }, T0 + 100),
        ).toEqual({
          ok: true,
        });
        const unpinnedBefore = await store.getExecution(unpinned);
        expect(await store.repinExecution(unpinned, { from: V1, to: V2, invocations: 1 })).toBe(false);
        expect(await store.getExecution(unpinned)).toEqual(unpinnedBefore);

        const finished = newKey();
        await start(finished, { version: V1 });
        expect(await store.transition(finished, OWNER_A, { status: 'SUCCEEDED', output: '"done"' }, T0 + 100)).toEqual({
          ok: true,
        });
        const finishedBefore = await store.getExecution(finished);
        expect(await store.repinExecution(finished, { from: V1, to: V2, invocations: 1 })).toBe(false);
        expect(await store.getExecution(finished)).toEqual(finishedBefore);

        const unknown = newKey();
        expect(await store.repinExecution(unknown, { from: V1, to: V2, invocations: 1 })).toBe(false);
        expect(await store.getExecution(unknown)).toBeUndefined();
      });

      it('lets exactly one of two racing repins of the same execution win', async () => {
        const key = newKey();
        await suspendedOn(key, V1);

        const outcomes = await Promise.all([
          store.repinExecution(key, { from: V1, to: V2, invocations: 1 }),
          store.repinExecution(key, { from: V1, to: V3, invocations: 1 }),
        ]);

        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect((await store.getExecution(key))?.pinnedVersion).toEqual(outcomes[0] ? V2 : V3);
      });
    });

    describe('loadJournal', () => {
      it('orders records by position, numerically and hierarchically, whatever the order of writing', async () => {
        const key = newKey();
        await start(key);
        for (const position of ['10', '7.2', '2', '8', '7.1.2', '1', '7', '7.1', '3']) {
          expect(await store.writeOperation(key, operation(position), null)).toEqual({ ok: true });
        }

        const journal = await store.loadJournal(key);

        expect(journal.map((r) => r.position)).toEqual(['1', '2', '3', '7', '7.1', '7.1.2', '7.2', '8', '10']);
      });

      it('returns exactly the fields written, optional ones included', async () => {
        const key = newKey();
        await start(key);
        const records: OperationRecord[] = [
          operation('1', { kind: 'step', status: 'SUCCEEDED', result: '{"id":"r-1","note":"ünï\\"cødé\\n😀"}' }),
          operation('2', { kind: 'now', name: 'now', status: 'SUCCEEDED', result: '1700000000000' }),
          operation('3', { kind: 'step', status: 'STARTED', attempt: 1 }),
          operation('4', { kind: 'step', status: 'RETRYING', attempt: 2, error: '{"message":"503"}', retryAt: T0 + 9 }),
          operation('5', { kind: 'step', status: 'FAILED', attempt: 3, error: '{"message":"gave up"}' }),
          operation('6', { kind: 'sleep', name: 'settle', status: 'STARTED', wakeAt: T0 + 300_000 }),
          operation('7', { kind: 'callback', name: 'approval', status: 'STARTED', timeoutAt: T0 + 86_400_000 }),
          operation('8', { kind: 'parallel', name: 'both', status: 'SUCCEEDED', result: '["x","y"]' }),
          operation('8.1', { kind: 'invoke', name: 'Billing.charge', status: 'SUCCEEDED', result: 'null' }),
          operation('9', {
            status: 'STARTED',
            owner: OWNER_A,
            epoch: 3,
            follows: { position: '8', epoch: 2 },
            semantics: 'at-most-once',
            args: '[{"orderId":"o-1","cents":1250}]',
            expiresAt: EXPIRES_AT,
          }),
          operation('10', { epoch: 0, args: '', result: '""', expiresAt: EXPIRES_AT + 1 }),
        ];
        for (const record of records) expect(await store.writeOperation(key, record, null)).toEqual({ ok: true });

        expect(await store.loadJournal(key)).toEqual(records);
      });

      it('keeps the journals of two executions, and of two services with the same execution id, apart', async () => {
        const key = newKey();
        const sibling = { service: key.service, executionId: `${key.executionId}-sibling` };
        const sameIdElsewhere = { service: `${key.service}-other`, executionId: key.executionId };
        for (const k of [key, sibling, sameIdElsewhere]) await start(k);

        await store.writeOperation(key, operation('1', { result: '"mine"' }), null);
        await store.writeOperation(key, operation('2', { result: '"mine too"' }), null);
        await store.writeOperation(sibling, operation('1', { result: '"sibling"' }), null);
        await store.writeOperation(sameIdElsewhere, operation('1', { result: '"other service"' }), null);

        expect((await store.loadJournal(key)).map((r) => r.result)).toEqual(['"mine"', '"mine too"']);
        expect((await store.loadJournal(sibling)).map((r) => r.result)).toEqual(['"sibling"']);
        expect((await store.loadJournal(sameIdElsewhere)).map((r) => r.result)).toEqual(['"other service"']);
      });

      it('is empty for an unknown execution', async () => {
        expect(await store.loadJournal(newKey())).toEqual([]);
      });

      it('returns a journal of 1 000 records whole and in order', async () => {
        const key = newKey();
        await start(key);
        const records = Array.from({ length: 1_000 }, (_, i) =>
          operation(String(i + 1), { result: JSON.stringify({ index: i, padding: 'p'.repeat(200) }) }),
        );
        // Written in batches of concurrent requests only to keep the suite quick on a real table.
        for (let i = 0; i < records.length; i += 50) {
          const outcomes = await Promise.all(records.slice(i, i + 50).map((r) => store.writeOperation(key, r, null)));
          expect(outcomes.every((o) => o.ok)).toBe(true);
        }

        const journal = await store.loadJournal(key);

        expect(journal).toHaveLength(1_000);
        expect(journal).toEqual(records);
      });

      it('returns a record with a ~1 MB result intact, next to small ones', async () => {
        const key = newKey();
        await start(key);
        const result = bulkyText(1_000_000);
        await store.writeOperation(key, operation('1', { result: '"before"' }), null);
        await store.writeOperation(key, operation('2', { result }), null);
        await store.writeOperation(key, operation('3', { result: '"after"' }), null);

        const journal = await store.loadJournal(key);

        expect(journal.map((r) => r.position)).toEqual(['1', '2', '3']);
        expect(journal[1]?.result?.length).toBe(result.length);
        expect(journal[1]?.result === result).toBe(true);
        expect({ ...journal[1], result: '(checked above)' }).toEqual({ ...operation('2'), result: '(checked above)' });
        expect(journal[0]?.result).toBe('"before"');
        expect(journal[2]?.result).toBe('"after"');
      });

      it('returns the latest version when a large record is replaced by a small one', async () => {
        const key = newKey();
        await start(key);
        const bigError = bulkyText(800_000);
        const started = operation('1', { status: 'STARTED' });
        const retrying = operation('1', { status: 'RETRYING', error: bigError, retryAt: T0 + 5_000 });
        const succeeded = operation('1', { status: 'SUCCEEDED', attempt: 2, result: '"small"' });

        expect(await store.writeOperation(key, started, null)).toEqual({ ok: true });
        expect(await store.writeOperation(key, retrying, { status: 'STARTED', attempt: 1 })).toEqual({ ok: true });
        const between = await store.loadJournal(key);
        expect(between).toHaveLength(1);
        expect(between[0]?.error === bigError).toBe(true);
        expect(await store.writeOperation(key, succeeded, { status: 'RETRYING', attempt: 1 })).toEqual({ ok: true });

        expect(await store.loadJournal(key)).toEqual([succeeded]);
      });
    });

    describe('writeOperation', () => {
      it('with expected null, writes an absent position and refuses a taken one, returning the winner', async () => {
        const key = newKey();
        await start(key);
        const first = operation('1', { result: '"first"' });

        expect(await store.writeOperation(key, first, null)).toEqual({ ok: true });
        const second = await store.writeOperation(key, operation('1', { result: '"second"' }), null);

        expect(second).toEqual({ ok: false, current: first });
        expect(await store.loadJournal(key)).toEqual([first]);
      });

      it('with an expected status and attempt, writes only on an exact match of both', async () => {
        const key = newKey();
        await start(key);
        const started = operation('1', { status: 'STARTED', attempt: 1 });
        await store.writeOperation(key, started, null);
        const retrying = operation('1', { status: 'RETRYING', attempt: 1, error: '"timeout"', retryAt: T0 + 500 });

        for (const wrong of [
          { status: 'STARTED', attempt: 2 },
          { status: 'RETRYING', attempt: 1 },
          { status: 'SUCCEEDED', attempt: 1 },
        ] as const) {
          expect(await store.writeOperation(key, retrying, wrong)).toEqual({ ok: false, current: started });
        }
        expect(await store.loadJournal(key)).toEqual([started]);

        expect(await store.writeOperation(key, retrying, { status: 'STARTED', attempt: 1 })).toEqual({ ok: true });
        expect(await store.loadJournal(key)).toEqual([retrying]);

        const second = operation('1', { status: 'STARTED', attempt: 2 });
        expect(await store.writeOperation(key, second, { status: 'STARTED', attempt: 1 })).toEqual({
          ok: false,
          current: retrying,
        });
        expect(await store.writeOperation(key, second, { status: 'RETRYING', attempt: 1 })).toEqual({ ok: true });
        expect(await store.loadJournal(key)).toEqual([second]);
      });

      it('with an expected status and attempt, refuses when the position is empty and writes nothing', async () => {
        const key = newKey();
        await start(key);

        const outcome = await store.writeOperation(key, operation('1'), { status: 'STARTED', attempt: 1 });

        expect(outcome.ok).toBe(false);
        expect(refused(outcome)).toBeUndefined();
        expect(await store.loadJournal(key)).toEqual([]);
      });

      it('lets exactly one of racing first writes win; the losers get the winner', async () => {
        const key = newKey();
        await start(key);
        const contenders = Array.from({ length: 8 }, (_, i) => operation('4', { result: `"contender ${i}"` }));

        const outcomes = await Promise.all(contenders.map((r) => store.writeOperation(key, r, null)));

        const winners = outcomes.flatMap((o, i) => (o.ok ? [contenders[i]] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (!outcome.ok) expect(outcome.current).toEqual(winners[0]);
        }
        expect(await store.loadJournal(key)).toEqual(winners);
      });

      it('lets exactly one of racing updates of the same attempt win; the losers get the winner', async () => {
        const key = newKey();
        await start(key);
        await store.writeOperation(key, operation('2', { status: 'STARTED' }), null);
        const contenders = Array.from({ length: 8 }, (_, i) => operation('2', { result: `"finisher ${i}"` }));

        const outcomes = await Promise.all(
          contenders.map((r) => store.writeOperation(key, r, { status: 'STARTED', attempt: 1 })),
        );

        const winners = outcomes.flatMap((o, i) => (o.ok ? [contenders[i]] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (!outcome.ok) expect(outcome.current).toEqual(winners[0]);
        }
        expect(await store.loadJournal(key)).toEqual(winners);
      });

      it("refuses a write made again (its answer lost) with the writer's own record, which it can recognise", async () => {
        const key = newKey();
        await start(key);
        const started = operation('1', { status: 'STARTED', owner: OWNER_A, epoch: 1, expiresAt: EXPIRES_AT });
        const succeeded = { ...started, status: 'SUCCEEDED' as const, result: '"receipt"' };
        await store.writeOperation(key, started, null);

        expect(await store.writeOperation(key, started, null)).toEqual({ ok: false, current: started });
        expect(await store.writeOperation(key, succeeded, { status: 'STARTED', attempt: 1 })).toEqual({ ok: true });
        expect(await store.writeOperation(key, succeeded, { status: 'STARTED', attempt: 1 })).toEqual({
          ok: false,
          current: succeeded,
        });
        expect(await store.loadJournal(key)).toEqual([succeeded]);
      });

      it('leaves the execution record alone', async () => {
        const key = newKey();
        const before = await start(key);

        await store.writeOperation(key, operation('1'), null);

        expect(await store.getExecution(key)).toEqual(before);
      });
    });

    describe('transition', () => {
      it('SUCCEEDED stores the output and releases the lease', async () => {
        const key = newKey();
        const before = await start(key);

        expect(await store.transition(key, OWNER_A, { status: 'SUCCEEDED', output: '"done"' }, T0 + 700)).toEqual({
          ok: true,
        });

        const after = await store.getExecution(key);
        expect(after).toEqual({ ...withoutLease(before), status: 'SUCCEEDED', output: '"done"', updatedAt: T0 + 700 });
      });

      it('FAILED stores the error and releases the lease', async () => {
        const key = newKey();
        const before = await start(key);

        expect(await store.transition(key, OWNER_A, { status: 'FAILED', error: '"boom"' }, T0 + 700)).toEqual({
          ok: true,
        });

        const after = await store.getExecution(key);
        expect(after).toEqual({ ...withoutLease(before), status: 'FAILED', error: '"boom"', updatedAt: T0 + 700 });
      });

      it('refuses every transition once the execution finished, returning it unchanged', async () => {
        for (const end of [
          { status: 'SUCCEEDED', output: '"done"' },
          { status: 'FAILED', error: '"boom"' },
        ] as const) {
          const key = newKey();
          const finished = await startAndEnd(key, end);

          for (const to of [
            { status: 'SUCCEEDED', output: '"again"' },
            { status: 'FAILED', error: '"late"' },
            { status: 'SUSPENDED', resumeAt: T0 + 9_000 },
          ] as const) {
            expect(await store.transition(key, OWNER_A, to, T0 + 5_000)).toEqual({ ok: false, current: finished });
          }
          expect(await store.getExecution(key)).toEqual(finished);
        }
      });

      it('SUSPENDED by the lease holder stores resumeAt and releases the lease', async () => {
        const key = newKey();
        const before = await start(key);

        expect(await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: T0 + 60_000 }, T0 + 800)).toEqual({
          ok: true,
        });

        expect(await store.getExecution(key)).toEqual({
          ...withoutLease(before),
          status: 'SUSPENDED',
          resumeAt: T0 + 60_000,
          updatedAt: T0 + 800,
        });
      });

      it('SUSPENDED without resumeAt waits for an outside event', async () => {
        const key = newKey();
        await start(key);

        await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: undefined }, T0 + 800);

        const after = await store.getExecution(key);
        expect(after?.status).toBe('SUSPENDED');
        expect(after?.resumeAt).toBeUndefined();
      });

      it('refuses SUSPENDED from an invocation that does not hold the lease, changing nothing', async () => {
        const key = newKey();
        const before = await start(key);

        const outcome = await store.transition(key, OWNER_B, { status: 'SUSPENDED', resumeAt: T0 + 60_000 }, T0 + 800);

        expect(outcome).toEqual({ ok: false, current: before });
        expect(await store.getExecution(key)).toEqual(before);
      });

      it('refuses SUSPENDED from an invocation whose expired lease was taken over', async () => {
        const key = newKey();
        await start(key);
        const later = T0 + LEASE_MS + 1;
        const { record: takenOver } = claimed(
          await store.claim(startRequest(key, { owner: OWNER_B, now: later, leaseExpiresAt: later + LEASE_MS })),
        );

        const outcome = await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: later + 5 }, later + 1);

        expect(outcome).toEqual({ ok: false, current: takenOver });
        expect(await store.getExecution(key)).toEqual(takenOver);
      });

      it('refuses SUCCEEDED and FAILED from an invocation that does not hold the lease, changing nothing', async () => {
        for (const to of [
          { status: 'SUCCEEDED', output: '"not mine"' },
          { status: 'FAILED', error: '"not mine"' },
        ] as const) {
          const key = newKey();
          const before = await start(key);

          expect(await store.transition(key, OWNER_B, to, T0 + 800)).toEqual({ ok: false, current: before });
          expect(await store.getExecution(key)).toEqual(before);
        }
      });

      it('refuses SUCCEEDED and FAILED from an invocation whose expired lease was taken over', async () => {
        for (const to of [
          { status: 'SUCCEEDED', output: '"stale"' },
          { status: 'FAILED', error: '"stale"' },
        ] as const) {
          const key = newKey();
          await start(key);
          const later = T0 + LEASE_MS + 1;
          const { record: takenOver } = claimed(
            await store.claim(startRequest(key, { owner: OWNER_B, now: later, leaseExpiresAt: later + LEASE_MS })),
          );

          expect(await store.transition(key, OWNER_A, to, later + 1)).toEqual({ ok: false, current: takenOver });
          expect(await store.getExecution(key)).toEqual(takenOver);
        }
      });

      it('SUCCEEDED and FAILED with an expiresAt keep the execution until then; without one it keeps its own', async () => {
        for (const [to, expected] of [
          [{ status: 'SUCCEEDED', output: '1', expiresAt: EXPIRES_AT + 86_400_123 }, EXPIRES_AT + 86_400_123],
          [{ status: 'FAILED', error: '"x"', expiresAt: EXPIRES_AT + 7 }, EXPIRES_AT + 7],
          [{ status: 'SUCCEEDED', output: '1' }, EXPIRES_AT],
          [{ status: 'FAILED', error: '"x"' }, EXPIRES_AT],
        ] as const) {
          const key = newKey();
          await start(key);

          expect(await store.transition(key, OWNER_A, to, T0 + 700)).toEqual({ ok: true });

          const after = await store.getExecution(key);
          expect(after?.status).toBe(to.status);
          expect(after?.expiresAt).toBe(expected);
        }
      });

      it('refuses a finish made again (its answer lost) with the finished record: its own result', async () => {
        const key = newKey();
        await start(key);
        const finish = { status: 'SUCCEEDED', output: '{"receipt":"r-9"}', expiresAt: EXPIRES_AT + 1 } as const;
        expect(await store.transition(key, OWNER_A, finish, T0 + 700)).toEqual({ ok: true });
        const finished = await store.getExecution(key);

        const again = await store.transition(key, OWNER_A, finish, T0 + 700);

        expect(again).toEqual({ ok: false, current: finished });
        expect(refused(again)?.output).toBe('{"receipt":"r-9"}');
      });

      it('SUSPENDED at now releases the lease: the sweeper finds the execution at once and another claims it', async () => {
        const key = newKey();
        await start(key);
        const now = T0 + 1_000;

        expect(await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: now }, now)).toEqual({ ok: true });

        const released = await store.getExecution(key);
        expect(released?.status).toBe('SUSPENDED');
        expect(released?.leaseOwner).toBeUndefined();
        expect(await store.findResumable({ service: key.service, now, limit: 10 })).toEqual([released]);
        const { record } = claimed(await store.claim(resumeRequest(key, OWNER_B, now)));
        expect(record.leaseOwner).toBe(OWNER_B);
        expect(record.invocations).toBe(2);
      });

      it('keeps a large input and a large output of one execution intact (each about 300 KB compressed)', async () => {
        const key = newKey();
        const input = { serialized: bulkyText(380_000, 1), hash: 'hash-large-input' };
        const output = bulkyText(380_000, 2);
        await start(key, { input });

        expect(await store.transition(key, OWNER_A, { status: 'SUCCEEDED', output }, T0 + 700)).toEqual({ ok: true });

        const finished = await store.getExecution(key);
        expect(finished?.status).toBe('SUCCEEDED');
        expect(finished?.input === input.serialized).toBe(true);
        expect(finished?.output === output).toBe(true);
      });

      it('keeps a large input and a large error of one execution intact (each about 300 KB compressed)', async () => {
        const key = newKey();
        const input = { serialized: bulkyText(380_000, 3), hash: 'hash-large-input' };
        const error = bulkyText(380_000, 4);
        await start(key, { input });

        expect(await store.transition(key, OWNER_A, { status: 'FAILED', error }, T0 + 700)).toEqual({ ok: true });

        const finished = await store.getExecution(key);
        expect(finished?.status).toBe('FAILED');
        expect(finished?.input === input.serialized).toBe(true);
        expect(finished?.error === error).toBe(true);
      });

      it('refuses a transition of an unknown execution and creates nothing', async () => {
        const key = newKey();

        const outcome = await store.transition(key, OWNER_A, { status: 'SUCCEEDED', output: '"done"' }, T0);

        expect(outcome.ok).toBe(false);
        expect(await store.getExecution(key)).toBeUndefined();
      });
    });

    describe('requestResume', () => {
      it('lowers the resumeAt of a SUSPENDED execution to the earliest asked for', async () => {
        const key = newKey();
        const suspended = await startAndEnd(key, { status: 'SUSPENDED', resumeAt: T0 + 10_000 });

        await store.requestResume(key, T0 + 4_000);
        expect(await store.getExecution(key)).toEqual({ ...suspended, resumeAt: T0 + 4_000 });

        await store.requestResume(key, T0 + 8_000);
        expect(await store.getExecution(key)).toEqual({ ...suspended, resumeAt: T0 + 4_000 });
      });

      it('sets a resumeAt on a SUSPENDED execution that had none', async () => {
        const key = newKey();
        const suspended = await startAndEnd(key, { status: 'SUSPENDED', resumeAt: undefined });

        await store.requestResume(key, T0 + 3_000);

        expect(await store.getExecution(key)).toEqual({ ...suspended, resumeAt: T0 + 3_000 });
      });

      it('made while RUNNING, is kept and wins over a later or absent resumeAt of the suspension', async () => {
        for (const asked of [T0 + 60_000, undefined]) {
          const key = newKey();
          const running = await start(key);

          await store.requestResume(key, T0 + 2_000);
          const during = await store.getExecution(key);
          expect(during?.status).toBe('RUNNING');
          expect(during?.leaseOwner).toBe(running.leaseOwner);
          expect(during?.leaseExpiresAt).toBe(running.leaseExpiresAt);

          await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: asked }, T0 + 1_000);

          const after = await store.getExecution(key);
          expect(after?.status).toBe('SUSPENDED');
          expect(after?.resumeAt).toBe(T0 + 2_000);
        }
      });

      it('made while RUNNING, gives way to an earlier resumeAt of the suspension', async () => {
        const key = newKey();
        await start(key);

        await store.requestResume(key, T0 + 2_000);
        await store.transition(key, OWNER_A, { status: 'SUSPENDED', resumeAt: T0 + 1_500 }, T0 + 1_000);

        expect((await store.getExecution(key))?.resumeAt).toBe(T0 + 1_500);
      });

      it('does nothing to a finished execution', async () => {
        const key = newKey();
        const finished = await startAndEnd(key, { status: 'SUCCEEDED', output: '"done"' });

        await expect(store.requestResume(key, T0 + 2_000)).resolves.toBeUndefined();

        expect(await store.getExecution(key)).toEqual(finished);
      });

      it('does nothing for an unknown execution, and creates nothing', async () => {
        const key = newKey();

        await expect(store.requestResume(key, T0 + 2_000)).resolves.toBeUndefined();

        expect(await store.getExecution(key)).toBeUndefined();
        expect((await store.listExecutions({ service: key.service })).executions).toEqual([]);
      });
    });

    describe('getExecution', () => {
      it('is undefined for an unknown execution, and for the same id in another service', async () => {
        const key = newKey();
        await start(key);

        expect(await store.getExecution(newKey())).toBeUndefined();
        expect(await store.getExecution({ service: `${key.service}-other`, executionId: key.executionId })).toBe(
          undefined,
        );
      });
    });

    describe('listExecutions', () => {
      it("lists a service's executions, newest first, and only that service's", async () => {
        const service = newService();
        const ids = ['e0', 'e1', 'e2', 'e3'].map((id) => `${id}-${suffix()}`);
        for (const [i, executionId] of ids.entries()) {
          await start({ service, executionId }, { now: T0 + i * 1_000, leaseExpiresAt: T0 + i * 1_000 + LEASE_MS });
        }
        await start({ service: `${service}-other`, executionId: ids[0]! });

        const page = await store.listExecutions({ service });

        expect(page.executions.map((r) => r.executionId)).toEqual([...ids].reverse());
        expect(page.executions.every((r) => r.service === service)).toBe(true);
        expect(page.cursor).toBeUndefined();
        expect(page.executions[0]).toEqual(await store.getExecution({ service, executionId: ids[3]! }));
      });

      it('filters by status', async () => {
        const service = newService();
        const running = await start({ service, executionId: `running-${suffix()}` });
        const suspended = await startAndEnd(
          { service, executionId: `suspended-${suffix()}` },
          { status: 'SUSPENDED', resumeAt: T0 + 5_000 },
        );
        const succeeded = await startAndEnd(
          { service, executionId: `succeeded-${suffix()}` },
          { status: 'SUCCEEDED', output: '1' },
        );
        const failed = await startAndEnd(
          { service, executionId: `failed-${suffix()}` },
          { status: 'FAILED', error: '"x"' },
        );

        const byStatus = async (status: ExecutionRecord['status']) =>
          (await store.listExecutions({ service, status })).executions;
        expect(await byStatus('RUNNING')).toEqual([running]);
        expect(await byStatus('SUSPENDED')).toEqual([suspended]);
        expect(await byStatus('SUCCEEDED')).toEqual([succeeded]);
        expect(await byStatus('FAILED')).toEqual([failed]);
      });

      it('filters by status across services', async () => {
        const key = newKey();
        await startAndEnd(key, { status: 'FAILED', error: '"x"' });

        const failed = await allPages({ status: 'FAILED', limit: 100 });

        expect(failed.every((r) => r.status === 'FAILED')).toBe(true);
        expect(failed.filter((r) => r.service === key.service).map((r) => r.executionId)).toEqual([key.executionId]);
      });

      it('pages with limit and cursor, covering every execution exactly once, newest first', async () => {
        const service = newService();
        const ids = Array.from({ length: 7 }, (_, i) => `page-${i}-${suffix()}`);
        for (const [i, executionId] of ids.entries()) {
          await start({ service, executionId }, { now: T0 + i, leaseExpiresAt: T0 + i + LEASE_MS });
        }

        const pages = await collectPages({ service, limit: 3 });

        for (const page of pages) expect(page.length).toBeLessThanOrEqual(3);
        expect(pages.flat().map((r) => r.executionId)).toEqual([...ids].reverse());
      });

      it('pages through executions created at the same instant without losing or repeating any', async () => {
        const service = newService();
        const ids = Array.from({ length: 5 }, (_, i) => `same-${i}-${suffix()}`);
        for (const executionId of ids) await start({ service, executionId });

        const pages = await collectPages({ service, limit: 2 });

        const listed = pages.flat().map((r) => r.executionId);
        expect(listed).toHaveLength(ids.length);
        expect([...listed].sort()).toEqual([...ids].sort());
      });

      it('is empty for a service without executions', async () => {
        expect(await store.listExecutions({ service: newService() })).toEqual({ executions: [] });
      });
    });

    describe('findResumable', () => {
      const NOW = T0 + 100_000;

      /** A service with one execution in each state that matters to the sweeper at `NOW`. */
      async function sweeperScene(): Promise<{ service: string; due: ExecutionRecord[] }> {
        const service = newService();
        const key = (label: string) => ({ service, executionId: `${label}-${suffix()}` });
        const suspend = async (label: string, resumeAt: number | undefined) =>
          startAndEnd(key(label), { status: 'SUSPENDED', resumeAt });

        const dueLongAgo = await suspend('due-long-ago', NOW - 50_000);
        const dueNow = await suspend('due-now', NOW);
        await suspend('due-later', NOW + 1);
        await suspend('waiting-for-callback', undefined);
        const abandoned = await start(key('lease-expired'), { leaseExpiresAt: NOW - 10_000 });
        await start(key('lease-live'), { leaseExpiresAt: NOW + 10_000 });
        await startAndEnd(key('succeeded'), { status: 'SUCCEEDED', output: '1' });
        await startAndEnd(key('failed'), { status: 'FAILED', error: '"x"' });
        const requested = await start(key('failed-after-resume-request'));
        await store.requestResume(keyOf(requested), NOW - 1);
        await store.transition(keyOf(requested), OWNER_A, { status: 'FAILED', error: '"x"' }, T0 + 1_000);
        // Another service's due execution, which this service's sweeper must not see.
        await startAndEnd(
          { service: `${service}-other`, executionId: `due-${suffix()}` },
          { status: 'SUSPENDED', resumeAt: NOW - 1 },
        );

        return { service, due: [dueLongAgo, abandoned, dueNow] };
      }

      it('finds due SUSPENDED executions and RUNNING ones with an expired lease, earliest first', async () => {
        const { service, due } = await sweeperScene();

        const found = await store.findResumable({ service, now: NOW, limit: 100 });

        expect(found.map((r) => r.executionId)).toEqual(due.map((r) => r.executionId));
        expect(found).toEqual(due);
      });

      it('respects the limit', async () => {
        const { service, due } = await sweeperScene();

        const found = await store.findResumable({ service, now: NOW, limit: 2 });

        expect(found.map((r) => r.executionId)).toEqual(due.slice(0, 2).map((r) => r.executionId));
      });

      it('stops finding an execution once it is claimed again', async () => {
        const { service, due } = await sweeperScene();
        const [first] = due;

        claimed(await store.claim(resumeRequest(keyOf(first!), OWNER_B, NOW)));

        const found = await store.findResumable({ service, now: NOW, limit: 100 });
        expect(found.map((r) => r.executionId)).toEqual(due.slice(1).map((r) => r.executionId));
      });

      it('finds nothing for a service without due executions', async () => {
        expect(await store.findResumable({ service: newService(), now: NOW, limit: 10 })).toEqual([]);
      });
    });

    /** Every page of a listing, following cursors (with a bound, so a cursor that never ends fails the test). */
    async function collectPages(query: ListExecutionsQuery): Promise<ExecutionRecord[][]> {
      const pages: ExecutionRecord[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listExecutions({ ...query, ...(cursor === undefined ? {} : { cursor }) });
        pages.push(page.executions);
        cursor = page.cursor;
        if (pages.length > 10_000) throw new Error('listExecutions kept returning a cursor after 10 000 pages');
      } while (cursor !== undefined);
      return pages;
    }

    async function allPages(query: ListExecutionsQuery): Promise<ExecutionRecord[]> {
      return (await collectPages(query)).flat();
    }
  });
}

/** An arbitrary but plausible epoch (2023-11-14T22:13:20Z): every time in the suite is relative to it. */
const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;
/** The execution deadline on the engine's clock. */
const TIMEOUT_AT = T0 + 86_400_000;
/**
 * When the store may delete an execution's items: wall-clock time, far in the
 * future (2100-01-01T00:00:00.123Z) so DynamoDB Local's TTL never deletes a
 * test's items, and not on a whole second, so a store that keeps seconds only
 * fails the round-trip.
 */
const EXPIRES_AT = 4_102_444_800_123;
const OWNER_A = 'invocation-a';
const OWNER_B = 'invocation-b';
const WORKFLOW = 'checkout';
const INPUT = { serialized: '{"orderId":"o-1"}', hash: 'hash-o-1' };

function suffix(): string {
  return randomUUID().slice(0, 8);
}

/** A service name no other test uses, so listings and sweeps see only this test's executions. */
function newService(): string {
  return `contract-${randomUUID()}`;
}

function newKey(): ExecutionKey {
  return { service: newService(), executionId: `exec-${randomUUID()}` };
}

/** The claim a start event makes: workflow and input, by `owner-a` at `T0`. */
function startRequest(key: ExecutionKey, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key: { service: key.service, executionId: key.executionId },
    workflow: WORKFLOW,
    input: INPUT,
    owner: OWNER_A,
    now: T0,
    leaseExpiresAt: T0 + LEASE_MS,
    timeoutAt: TIMEOUT_AT,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

/** The claim a resume event makes (the sweeper's, a callback's): an id alone. */
function resumeRequest(key: ExecutionKey, owner: string, now: number): ClaimRequest {
  return {
    key: { service: key.service, executionId: key.executionId },
    workflow: undefined,
    owner,
    now,
    leaseExpiresAt: now + LEASE_MS,
    timeoutAt: now + 86_400_000,
    expiresAt: EXPIRES_AT + 1,
  };
}

/** A SUCCEEDED step record at `position`, without optional fields unless given. */
function operation(position: string, fields: Partial<OperationRecord> = {}): OperationRecord {
  return {
    position,
    kind: 'step',
    name: `step-${position}`,
    argsHash: `args-${position}`,
    status: 'SUCCEEDED',
    attempt: 1,
    updatedAt: T0 + 100,
    epoch: 1,
    ...fields,
  };
}

function claimed(outcome: ClaimOutcome): Extract<ClaimOutcome, { kind: 'claimed' }> {
  if (outcome.kind !== 'claimed') {
    throw new Error(`expected the claim to succeed, got ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

/** What a refused write reported standing there; fails the test if the write went through. */
function refused<T>(outcome: ConditionalWriteOutcome<T>): T | undefined {
  if (outcome.ok) throw new Error('expected the write to be refused, but it was accepted');
  return outcome.current;
}

function keyOf(record: ExecutionRecord): ExecutionKey {
  return { service: record.service, executionId: record.executionId };
}

function withoutLease(record: ExecutionRecord): ExecutionRecord {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, ...rest } = record;
  return rest;
}

/**
 * About `length` characters of varied text, multi-byte characters and
 * surrogate pairs included, that compresses poorly: a store that splits or
 * compresses large values must put them back together exactly. Another
 * `variant` gives another text of the same kind.
 */
function bulkyText(length: number, variant = 0): string {
  const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "\\\n\té€😀'];
  const parts: string[] = [];
  let size = 0;
  let seed = 2_463_534_242 + variant;
  while (size < length) {
    // xorshift32: the same text on every run, without a pattern gzip could exploit.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    const char = chars[seed % chars.length]!;
    parts.push(char);
    size += char.length;
  }
  return parts.join('');
}
