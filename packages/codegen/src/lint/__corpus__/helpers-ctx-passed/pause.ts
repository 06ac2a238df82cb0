import type { DurableContext } from '@durable/core';

export async function pause(context: DurableContext, name: string): Promise<number> {
  await context.sleep(name, { seconds: 10 });
  const measured = await context.step(`${name}-measure`, async () => performance.now());
  return measured + (await context.now());
}
