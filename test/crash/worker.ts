/**
 * Child process of crash-resume.test.ts: runs one invocation of a five-step
 * workflow against DynamoDB, each step leaving a line in the side-effect log.
 * With CRASH_HANG_IN_STEP=3 it hangs inside step 3, after its side effect and
 * before its checkpoint, for the parent to SIGKILL it there.
 */
import { createHandler, type DurableContext, DurableService, Step, Workflow } from '../../packages/core/src/index.js';
import {
  invokeAndReport,
  performSideEffect,
  requiredEnv,
  stderrLogger,
  WORKER_ENV,
  workerStore,
} from './worker-protocol.js';

/** The workflow's input and output: one entry per step, in order. */
export interface FulfilmentInput {
  orderId: string;
}

@DurableService({ name: 'crash-resume' })
class FulfilmentService {
  @Workflow()
  async fulfil(_ctx: DurableContext, input: FulfilmentInput): Promise<string[]> {
    const reserved = await this.reserve(input.orderId);
    const charged = await this.charge(reserved);
    const packed = await this.pack(charged);
    const shipped = await this.ship(packed);
    const notified = await this.notify(shipped);
    return [reserved, charged, packed, shipped, notified];
  }

  @Step()
  async reserve(orderId: string): Promise<string> {
    await performSideEffect(1);
    return `reserved:${orderId}`;
  }

  @Step()
  async charge(reserved: string): Promise<string> {
    await performSideEffect(2);
    return `charged:${reserved.length}`;
  }

  @Step()
  async pack(charged: string): Promise<string> {
    await performSideEffect(3);
    return `packed:${charged}`;
  }

  @Step()
  async ship(packed: string): Promise<string> {
    await performSideEffect(4);
    return `shipped:${packed.length}`;
  }

  @Step()
  async notify(shipped: string): Promise<string> {
    await performSideEffect(5);
    return `notified:${shipped}`;
  }
}

const handler = createHandler(FulfilmentService, {
  store: workerStore(),
  leaseMs: Number(requiredEnv(WORKER_ENV.leaseMs)),
  logger: stderrLogger,
});
const executionId = requiredEnv(WORKER_ENV.executionId);
const input: FulfilmentInput = { orderId: executionId };
await invokeAndReport(handler, { executionId, input });
