import { LocalDurableTestRunner, type TestResult, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  CallbackFailedError,
  ConfigurationError,
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  PayloadTooLargeError,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';
import { encodeCallbackError, encodeCallbackResult, MAX_CALLBACK_RESULT_BYTES } from '../lambda-durable.js';
import { RecordingLogger } from '../testing/fixtures.js';

/**
 * Sleeps and callbacks on lambda-durable, under the SDK's LocalDurableTestRunner with real timers: the service
 * (here the runner) ends the invocation at each wait and invokes the function again when it is over. Mirrors
 * the dynamodb engine's sleep and callback suites.
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

function runnerOf(service: ServiceClass, logger?: RecordingLogger) {
  const handlerFunction = createHandler(service, { backend: 'lambda-durable', ...(logger ? { logger } : {}) });
  return new LocalDurableTestRunner({ handlerFunction });
}

function outputOf(result: TestResult): unknown {
  return deserialize(JSON.stringify(result.getResult()));
}

describe('ctx.sleep on lambda-durable', () => {
  it('suspends the invocation and resumes after the wait, replaying what came before without logging it again', async () => {
    @DurableService({ name: 'cooldowns' })
    class Cooldowns {
      @Workflow() async cool(ctx: DurableContext) {
        const before = await this.mark('before');
        ctx.logger.info('cooling down', { isReplaying: ctx.isReplaying });
        await ctx.sleep('cooldown', { seconds: 1 });
        ctx.logger.info('cooled', { isReplaying: ctx.isReplaying });
        return { before, after: await this.mark('after') };
      }
      @Step() async mark(label: string) {
        ran.push(label);
        return label;
      }
    }
    const logger = new RecordingLogger();
    const startedAt = Date.now();
    const result = await runnerOf(Cooldowns, logger).run({ payload: {} });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(outputOf(result)).toEqual({ before: 'before', after: 'after' });
    expect(ran).toEqual(['before', 'after']);
    expect(result.getInvocations()).toHaveLength(2);
    // Each line once: the second invocation replays up to the sleep in silence.
    expect(logger.messages('info')).toEqual(['cooling down', 'cooled']);
    expect(logger.entries.map((e) => e.fields?.isReplaying)).toEqual([false, false]);
    const wait = result.getOperations().find((op) => op.getName() === 'cooldown');
    expect(wait?.getWaitDetails()?.waitSeconds).toBe(1);
  });

  it('refuses a sleep under one second with ConfigurationError: the service counts whole seconds', async () => {
    @DurableService({ name: 'blinks' })
    class Blinks {
      @Workflow() async blink(ctx: DurableContext) {
        try {
          await ctx.sleep('blink', { ms: 200 });
          return 'slept';
        } catch (error) {
          return { refused: error };
        }
      }
    }
    const result = await runnerOf(Blinks).run({ payload: {} });
    const { refused } = outputOf(result) as { refused: ConfigurationError };
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(refused.message).toContain("ctx.sleep('blink') lasts 200 ms");
    expect(refused.message).toContain('whole seconds, at least 1');
    expect(result.getOperations()).toEqual([]);
  });
});

describe('ctx.waitForCallback on lambda-durable', () => {
  @DurableService({ name: 'approvals' })
  class Approvals {
    static tokens: string[] = [];

    @Workflow() async approve(ctx: DurableContext, doc: string) {
      await this.draft(doc);
      try {
        const decision = await ctx.waitForCallback<{ by: string; at: Date }>('sign-off', async (token) => {
          ran.push('submit');
          Approvals.tokens.push(token);
        });
        return { decision };
      } catch (error) {
        return { failed: error };
      }
    }
    @Step() async draft(doc: string) {
      ran.push(`draft ${doc}`);
      return doc;
    }
  }

  async function awaitingSignOff() {
    Approvals.tokens = [];
    const runner = runnerOf(Approvals);
    const running = runner.run({ payload: { input: 'doc-1' } });
    const callback = runner.getOperation('sign-off');
    await callback.waitForData(WaitingOperationStatus.SUBMITTED);
    return { callback, running };
  }

  it('hands the callback id to the submitter, and resumes with the completer’s result, values intact', async () => {
    const { callback, running } = await awaitingSignOff();
    expect(Approvals.tokens).toEqual([callback.getCallbackDetails()?.callbackId]);
    const at = new Date('2026-01-02T03:04:05.000Z');
    await callback.sendCallbackSuccess(encodeCallbackResult({ by: 'ada', at }));
    const result = await running;
    const { decision } = outputOf(result) as { decision: { by: string; at: Date } };
    expect(decision).toEqual({ by: 'ada', at });
    expect(decision.at).toBeInstanceOf(Date);
    expect(ran).toEqual(['draft doc-1', 'submit']);
  });

  it('reads a completer’s plain JSON as it is', async () => {
    const { callback, running } = await awaitingSignOff();
    await callback.sendCallbackSuccess(JSON.stringify({ by: 'bob', at: 'tomorrow' }));
    expect(outputOf(await running)).toEqual({ decision: { by: 'bob', at: 'tomorrow' } });
  });

  it('throws a CallbackFailedError in the workflow reporting what the completer failed it with', async () => {
    const { callback, running } = await awaitingSignOff();
    await callback.sendCallbackFailure(
      encodeCallbackError(Object.assign(new Error('not this quarter'), { name: 'Rejected', code: 'BUDGET' })),
    );
    const { failed } = outputOf(await running) as { failed: CallbackFailedError };
    expect(failed).toBeInstanceOf(CallbackFailedError);
    expect(failed).toMatchObject({
      callbackName: 'sign-off',
      position: '2',
      reported: { name: 'Rejected', message: 'not this quarter', code: 'BUDGET' },
    });
  });

  it('fails the wait with the submitter’s own error, once: the submitter is not retried', async () => {
    @DurableService({ name: 'mailing' })
    class Mailing {
      @Workflow() async ask(ctx: DurableContext) {
        try {
          return await ctx.waitForCallback('reply', () => {
            ran.push('send');
            throw Object.assign(new RangeError('mailbox full'), { mailbox: 'ada@example.com' });
          });
        } catch (error) {
          return { failed: error };
        }
      }
    }
    const { failed } = outputOf(await runnerOf(Mailing).run({ payload: {} })) as { failed: RangeError };
    expect(failed).toBeInstanceOf(RangeError);
    expect(failed).toMatchObject({ message: 'mailbox full', mailbox: 'ada@example.com' });
    expect(ran).toEqual(['send']);
  });

  it('logs ctx.logger lines through the SDK’s logger when createHandler got none, silent while replaying', async () => {
    @DurableService({ name: 'journaling' })
    class Journaling {
      @Workflow() async write(ctx: DurableContext) {
        ctx.logger.info('journaling: asked', { page: 1 });
        await ctx.waitForCallback('answer', () => {});
        ctx.logger.info('journaling: answered');
        return 'written';
      }
    }
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).includes('journaling:')) lines.push(String(chunk));
      else return write.call(process.stdout, chunk, ...rest);
      return true;
    }) as typeof process.stdout.write;
    try {
      const runner = runnerOf(Journaling);
      const running = runner.run({ payload: {} });
      const callback = runner.getOperation('answer');
      await callback.waitForData(WaitingOperationStatus.SUBMITTED);
      await callback.sendCallbackSuccess('{}');
      expect((await running).getStatus()).toBe('SUCCEEDED');
    } finally {
      process.stdout.write = write;
    }
    const logged = lines.map((line) => JSON.parse(line) as { message: unknown; executionArn: unknown });
    expect(logged.map((line) => line.message)).toEqual([
      { message: 'journaling: asked', page: 1 },
      'journaling: answered',
    ]);
    expect(logged[0]?.executionArn).toBeTypeOf('string');
  });

  it('refuses a callback result over 256 KB with PayloadTooLargeError before anything is sent', () => {
    const big = 'x'.repeat(MAX_CALLBACK_RESULT_BYTES);
    expect(() => encodeCallbackResult(big, "callback 'sign-off'")).toThrow(PayloadTooLargeError);
    expect(() => encodeCallbackResult(big)).toThrow(`over the maximum of ${MAX_CALLBACK_RESULT_BYTES} bytes`);
  });
});
