import { afterEach, describe, expect, it } from 'vitest';
import {
  completeCallback,
  createHandler,
  type DurableContext,
  DurableService,
  type Resumer,
  Step,
  Workflow,
} from '../index.js';
import { RecordingLogger, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:resumed-approvals';
const tokens = new Map<string, string>();
const ran: string[] = [];

@DurableService({ name: 'resumed-approvals' })
class Approvals {
  @Workflow()
  async approve(ctx: DurableContext, input: { id: string }) {
    const answer = await ctx.waitForCallback<{ ok: boolean }>('manager', (token) => {
      tokens.set(input.id, token);
    });
    return this.record(input.id, answer.ok);
  }

  @Step() async record(id: string, ok: boolean) {
    ran.push(id);
    return `${id}: ${ok ? 'approved' : 'rejected'}`;
  }
}

function deployment() {
  const store = testStore();
  const handler = createHandler(Approvals, { store, logger: new RecordingLogger(), maxInProcessWaitMs: 0 });
  const on = (version: string, qualifier = version) => ({
    invokedFunctionArn: `${FUNCTION}:${qualifier}`,
    functionVersion: version,
    getRemainingTimeInMillis: () => 30_000,
  });
  const resumes: Array<Promise<unknown>> = [];
  const sent: string[] = [];
  // Delivers each resume as Lambda would: to the version its ARN names.
  const resumer: Resumer = {
    async resume(functionArn, executionId) {
      sent.push(functionArn);
      resumes.push(handler({ executionId }, on(functionArn.slice(FUNCTION.length + 1))));
    },
  };
  return { store, handler, on, resumer, sent, settled: () => Promise.all(resumes) };
}

afterEach(() => {
  ran.length = 0;
});

describe('completing a callback with a resumer', () => {
  it('resumes the execution at once on the version it is pinned to, without waiting for a sweep', async () => {
    const { store, handler, on, resumer, sent, settled } = deployment();
    const executionId = uniqueId('approval');
    expect((await handler({ executionId, input: { id: executionId } }, on('5', 'live'))).status).toBe('SUSPENDED');

    const completion = await completeCallback(store, tokens.get(executionId)!, { ok: true }, { resumer });
    await settled();

    expect(completion.resume).toEqual({ sentTo: `${FUNCTION}:5` });
    expect(sent).toEqual([`${FUNCTION}:5`]);
    expect(ran).toEqual([executionId]);
    const record = await store.getExecution({ service: 'resumed-approvals', executionId });
    expect(record?.status).toBe('SUCCEEDED');
  });

  it('records the outcome and says why when no resume can be sent: the sweeper takes it then', async () => {
    const { store, handler, on, resumer, sent } = deployment();
    const executionId = uniqueId('local');
    // Started outside Lambda: pinned to no version, so there is nowhere to send a resume.
    expect((await handler({ executionId, input: { id: executionId } })).status).toBe('SUSPENDED');
    const completion = await completeCallback(store, tokens.get(executionId)!, { ok: false }, { resumer });
    expect(completion.resume).toEqual({ notSent: 'the execution is pinned to no version' });
    expect(sent).toEqual([]);
    const record = await store.getExecution({ service: 'resumed-approvals', executionId });
    expect(record).toMatchObject({ status: 'SUSPENDED', resumeAt: expect.any(Number) as number });

    const refusing: Resumer = {
      resume: async () => {
        throw new Error('Rate exceeded');
      },
    };
    const pinnedId = uniqueId('throttled');
    await handler({ executionId: pinnedId, input: { id: pinnedId } }, on('5'));
    const refused = await completeCallback(store, tokens.get(pinnedId)!, { ok: true }, { resumer: refusing });
    expect(refused.resume).toEqual({ notSent: 'the resume was refused (Rate exceeded)' });
    expect((await store.getExecution({ service: 'resumed-approvals', executionId: pinnedId }))?.status).toBe(
      'SUSPENDED',
    );
  });
});
