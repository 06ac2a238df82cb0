import { describe, expect, it } from 'vitest';
import { createHandler, type DurableContext, DurableService, Step, Workflow } from '../index.js';
import type { ExecutionKey, ExpectedOperation, OperationRecord } from '../journal/records.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { testStore } from '../testing/test-store.js';

let charges = 0;

@DurableService({ name: 'lost-response' })
class Payments {
  @Workflow()
  async pay(_ctx: DurableContext, input: { cents: number }): Promise<string> {
    return this.charge(input.cents);
  }

  @Step({ semantics: 'at-most-once' })
  async charge(cents: number): Promise<string> {
    charges++;
    return `charged ${cents}`;
  }
}

/**
 * A store whose first STARTED write lands but whose answer is lost: the
 * client retries it (as the AWS SDK does) and the retry is refused, finding
 * the invocation's own record.
 */
function losingFirstStartedAnswer(store: CheckpointStore): CheckpointStore {
  let lost = false;
  return new Proxy(store, {
    get(target, property) {
      if (property !== 'writeOperation') {
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (key: ExecutionKey, record: OperationRecord, expected: ExpectedOperation) => {
        if (lost || record.status !== 'STARTED') return target.writeOperation(key, record, expected);
        lost = true;
        await target.writeOperation(key, record, expected);
        return target.writeOperation(key, record, expected);
      };
    },
  });
}

describe('a checkpoint write whose answer was lost', () => {
  it('recognises its own STARTED record on the retry and runs the at-most-once step, once', async () => {
    const store = losingFirstStartedAnswer(testStore());
    const handler = createHandler(Payments, { store });
    const executionId = `lost-${Math.random()}`;
    charges = 0;
    const result = await handler({ executionId, input: { cents: 500 } });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'charged 500' });
    expect(charges).toBe(1);
    const journal = await store.loadJournal({ service: 'lost-response', executionId });
    expect(journal).toMatchObject([{ position: '1', status: 'SUCCEEDED', attempt: 1 }]);
  });
});
