import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The review service calls the notifier through the stub `durable-gen generate` writes (generated/ is not
 * committed), so the sample's tests generate first, as the sample's `npm run generate` does.
 */
export default function generateStubs(): void {
  const app = fileURLToPath(new URL('..', import.meta.url));
  const cli = fileURLToPath(new URL('../../../packages/cli/bin/durable-gen.js', import.meta.url));
  const generate = spawnSync(
    process.execPath,
    [cli, 'generate', '--account', '123456789012', '--region', 'us-east-1'],
    {
      cwd: app,
      encoding: 'utf8',
    },
  );
  if (generate.status !== 0)
    throw new Error(`durable-gen generate failed in apps/sample:\n${generate.stdout}${generate.stderr}`);
}
