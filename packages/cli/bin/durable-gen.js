#!/usr/bin/env node
// The durable-gen command. It runs the compiled CLI in ../dist (built by `tsc -b` at the repository root).

// The tools run on Node 20 while bundles target nodejs22.x: the AWS SDK's notice that it will need
// Node 22 from 2027 says nothing to act on here and would bury the output. Set it to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let cli;
try {
  cli = await import('../dist/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    console.error('durable-gen is not built: run `npx tsc -b` at the repository root first.');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await cli.main(process.argv.slice(2));
