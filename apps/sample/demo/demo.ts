/**
 * `npm run demo`: the point of durable in two minutes. Generates the sample's
 * handlers, stubs and IAM policies, runs the pull-request review on the
 * embedded local store, kills the process with SIGKILL after step 2, runs it
 * again with the same id, and shows that steps 1–2 were replayed, not run
 * again: the timeline, the outbox of side effects, the IAM policy and the
 * manifest. Options: `--keep` keeps the previous local state.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bold, dim, fail, heading as numbered, readOutbox, durableGen as runCli, SAMPLE_APP } from './demo-kit.js';

const app = SAMPLE_APP;
const outbox = path.join(app, '.durable', 'outbox.jsonl');
const eventFile = path.join(app, 'events', 'pull-request-opened.json');
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as { id: string };
const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  SAMPLE_OUTBOX: outbox,
  // Step 3 takes a moment, so the kill after step 2 lands before its side effect.
  SAMPLE_SAVE_LATENCY_MS: '1500',
  FORCE_COLOR: '0',
};

const heading = (step: number, title: string, detail: string) => numbered(step, 6, title, detail);
const durableGen = (args: string[], onLine?: Parameters<typeof runCli>[1]['onLine']) =>
  runCli(args, { cwd: app, env, ...(onLine === undefined ? {} : { onLine }) });

const started = Date.now();
if (!process.argv.includes('--keep')) rmSync(path.join(app, '.durable'), { recursive: true, force: true });

heading(1, 'Generate', 'durable-gen generate --account 123456789012 --region us-east-1');
const generated = await durableGen(['generate', '--account', '123456789012', '--region', 'us-east-1']);
if (generated.code !== 0) fail('generate failed', generated.stdout.join('\n') + generated.stderr);
for (const line of generated.stdout) console.log(`  ${line}`);

heading(2, 'Review the pull request', `execution id = the webhook event's id, ${event.id}`);
const runArgs = ['run', 'ReviewService.review', '--input', JSON.stringify(event), '--id', event.id];
let killedPid: number | undefined;
const first = await durableGen(runArgs, (line, child) => {
  console.log(line);
  // Step 2 is recorded: pull the plug, as a Lambda timeout or an out-of-memory kill would.
  if (killedPid === undefined && /^\s*\S+\s+2\s+step\s+analyzeChanges\s+executed/.test(line)) {
    killedPid = child.pid;
    child.kill('SIGKILL');
  }
});
if (first.signal !== 'SIGKILL') fail('the first run was expected to be killed after step 2', first.stderr);
console.log(`  💥 killed with SIGKILL after step 2 (pid ${killedPid}): no finish, no cleanup, lease still held`);

heading(3, 'Run it again with the same id', 'the journal answers steps 1–2; the rest runs');
const second = await durableGen(runArgs, (line) => console.log(line));
if (second.code !== 0) fail('the second run failed', second.stderr);
const replayed = second.stdout.filter((line) => /^\s*\S+\s+[12]\s+step\s+\S+\s+replayed/.test(line)).length;
console.log(
  `  → steps 1–2 ${replayed === 2 ? 'were replayed from the journal, not executed again' : 'were NOT both replayed'}`,
);

heading(4, 'Timeline', `durable-gen executions show ${event.id}`);
const shown = await durableGen(['executions', 'show', event.id]);
for (const line of shown.stdout) console.log(`  ${line}`);

heading(5, 'Outbox', 'every side effect appends one line: each must appear exactly once');
const effects = readOutbox(outbox);
const counts = new Map<string, { count: number; pids: Set<number> }>();
for (const effect of effects) {
  const entry = counts.get(effect.effect) ?? { count: 0, pids: new Set<number>() };
  entry.count++;
  entry.pids.add(effect.pid);
  counts.set(effect.effect, entry);
}
let exactlyOnce = true;
for (const [name, { count, pids }] of counts) {
  exactlyOnce &&= count === 1;
  const by = [...pids].map((pid) => (pid === killedPid ? `pid ${pid} (killed run)` : `pid ${pid}`)).join(', ');
  console.log(`  ${count === 1 ? '✓' : '✗'} ${name.padEnd(16)} ${String(count).padStart(2)}×  ${dim(by)}`);
}

heading(6, 'What to deploy', 'generated/iam/reviews.json and generated/manifest.json');
const policy = JSON.parse(readFileSync(path.join(app, 'generated/iam/reviews.json'), 'utf8')) as {
  Statement: { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
};
for (const statement of policy.Statement) {
  const condition = statement.Condition === undefined ? '' : dim('  (own keys only: dynamodb:LeadingKeys reviews#*)');
  console.log(`  ${statement.Sid.padEnd(16)} ${statement.Action.join(', ')}${condition}`);
  for (const resource of statement.Resource) console.log(`  ${''.padEnd(16)} ${dim(resource)}`);
}
const manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as {
  coreVersion: string;
  services: Record<
    string,
    { workflows: Record<string, { steps: string[]; stepSchemaHash: string }>; invokes: string[] }
  >;
};
for (const [name, service] of Object.entries(manifest.services)) {
  for (const [workflow, info] of Object.entries(service.workflows)) {
    console.log(
      `  ${`${name}.${workflow}`.padEnd(16)} steps ${info.steps.join(' → ')}  ${dim(`schema ${info.stepSchemaHash}`)}`,
    );
  }
}
console.log(`  @durable/core ${manifest.coreVersion}, pinned in every handler`);

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (!exactlyOnce || replayed !== 2) fail('a side effect did not happen exactly once');
console.log(`\n${bold('Every side effect happened exactly once, across a SIGKILL.')} ${dim(`(${seconds} s)`)}`);
