import type { DurableContext } from '@durable/core';

/** A short pause, called from services on both backends: only on lambda-durable is it too short. */
export async function backOff(context: DurableContext): Promise<void> {
  await context.sleep('back-off', { ms: 100 }); // expect: unsupported-wait via NativeService.run → backOff
}
