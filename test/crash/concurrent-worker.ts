/**
 * Child process of concurrent-invocations.test.ts: one of several processes
 * that invoke the same execution at the same moment (released together from
 * a start barrier). Refused with EXECUTION_BUSY, it waits briefly and asks
 * again, until the execution answers or CRASH_RETRY_FOR_MS has passed.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  createHandler,
  type DurableContext,
  DurableService,
  isDurableError,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import {
  performSideEffect,
  reportFailure,
  requiredEnv,
  stderrLogger,
  WORKER_ENV,
  waitAtStartBarrier,
  workerStore,
} from './worker-protocol.js';

/** Each step takes a little real time, so the racing invocations overlap with the one that runs. */
async function slowSideEffect(step: number): Promise<void> {
  await delay(20 + 5 * step);
  await performSideEffect(step);
}

@DurableService({ name: 'concurrent-invocations' })
class ShipmentService {
  @Workflow()
  async dispatch(_ctx: DurableContext, input: { shipmentId: string }): Promise<string[]> {
    const results: string[] = [];
    results.push(await this.validate(input.shipmentId));
    results.push(await this.weigh(input.shipmentId));
    results.push(await this.label(input.shipmentId));
    results.push(await this.pickUp(input.shipmentId));
    results.push(await this.deliver(input.shipmentId));
    results.push(await this.confirm(input.shipmentId));
    return results;
  }

  @Step()
  async validate(shipmentId: string): Promise<string> {
    await slowSideEffect(1);
    return `validated:${shipmentId}`;
  }

  @Step()
  async weigh(shipmentId: string): Promise<string> {
    await slowSideEffect(2);
    return `weighed:${shipmentId}`;
  }

  @Step()
  async label(shipmentId: string): Promise<string> {
    await slowSideEffect(3);
    return `labelled:${shipmentId}`;
  }

  @Step()
  async pickUp(shipmentId: string): Promise<string> {
    await slowSideEffect(4);
    return `picked-up:${shipmentId}`;
  }

  @Step()
  async deliver(shipmentId: string): Promise<string> {
    await slowSideEffect(5);
    return `delivered:${shipmentId}`;
  }

  @Step()
  async confirm(shipmentId: string): Promise<string> {
    await slowSideEffect(6);
    return `confirmed:${shipmentId}`;
  }
}

const handler = createHandler(ShipmentService, {
  store: workerStore(),
  leaseMs: Number(requiredEnv(WORKER_ENV.leaseMs)),
  logger: stderrLogger,
});
const executionId = requiredEnv(WORKER_ENV.executionId);
const giveUpAt = Date.now() + Number(requiredEnv(WORKER_ENV.retryForMs));

await waitAtStartBarrier();
let busyRefusals = 0;
for (;;) {
  try {
    const result = await handler({ executionId, input: { shipmentId: executionId } });
    process.stderr.write(`${JSON.stringify({ busyRefusals })}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    break;
  } catch (error) {
    if (!isDurableError(error, 'EXECUTION_BUSY') || Date.now() >= giveUpAt) {
      reportFailure(error);
      break;
    }
    busyRefusals += 1;
    await delay(50 + Math.random() * 100);
  }
}
