/**
 * Runs the sample's review (and its chained notify) on the lambda-durable backend under the SDK's
 * LocalDurableTestRunner with real timers, in a process of its own: `@durable/core` is loaded once, from its
 * build, as an app loads it. Argument: the app copy's folder (generated, for its stubs). Prints one JSON line:
 * the status, the decoded output and the operations the service recorded.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { deserialize, type ServiceClass } from '@durable/core';
import { createDurableHandler } from '@durable/core/lambda-durable';

const [app, notifierArn] = process.argv.slice(2) as [string, string];
const load = async (file: string) =>
  (await import(pathToFileURL(path.join(app, file)).href)) as Record<string, ServiceClass>;
const { ReviewService } = await load('src/review-service.ts');
const { NotifierService } = await load('src/notifier-service.ts');
const event = (
  await import(pathToFileURL(path.join(app, 'events/pull-request-opened.json')).href, { with: { type: 'json' } })
).default as Record<string, unknown>;

await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
try {
  const runner = new LocalDurableTestRunner({ handlerFunction: createDurableHandler(ReviewService!) });
  runner.registerDurableFunction(notifierArn, createDurableHandler(NotifierService!));
  const result = await runner.run({ payload: { input: { ...event, cooldownSeconds: 1 } } });
  const output = result.getStatus() === 'SUCCEEDED' ? deserialize(JSON.stringify(result.getResult())) : undefined;
  console.log(
    JSON.stringify({
      status: result.getStatus(),
      output,
      invocations: result.getInvocations().length,
      operations: result.getOperations().map((op) => `${op.getType()} ${op.getName()}`),
    }),
  );
} finally {
  await LocalDurableTestRunner.teardownTestEnvironment();
}
