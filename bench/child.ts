/**
 * The process of one job (a system on a store at one N), driven by `JobProcess` in harness.ts: sets the job
 * up, says `ready`, runs one round per `round` message and answers its timing, and on `finish` reports its
 * peak RSS and exits. A failure ends the process with the error on stderr.
 */
import type { ChildMessage, Job, ParentMessage, SystemBench, SystemName } from './harness.js';

/** Only the measured system's module is loaded: the others' libraries would count in its RSS. */
const SYSTEMS: Record<SystemName, (job: Job) => Promise<SystemBench>> = {
  durable: async (job) =>
    job.variant === 'lambda-durable'
      ? (await import('./systems/durable-lambda.js')).durableLambda
      : (await import('./systems/durable.js')).durable,
  diy: async () => (await import('./systems/diy.js')).diy,
  powertools: async () => (await import('./systems/powertools.js')).powertools,
  'aws-sdk-runner': async () => (await import('./systems/aws-sdk.js')).awsSdkRunner,
  'aws-sdk-engine': async () => (await import('./systems/aws-sdk.js')).awsSdkEngine,
};

const job = JSON.parse(process.argv[2] ?? '') as Job;
const rounds = await (await SYSTEMS[job.system](job)).setUp(job);

function reply(message: ChildMessage, then: () => void = () => {}): void {
  process.send?.(message, then);
}

process.on('message', (message: ParentMessage) => {
  const work =
    message.type === 'round'
      ? rounds.run().then((timing) => reply({ type: 'round', timing }))
      : rounds.close().then(() =>
          // maxRSS is in KiB.
          reply({ type: 'finished', rssMb: process.resourceUsage().maxRSS / 1024 }, () => process.exit(0)),
        );
  work.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
reply({ type: 'ready' });
