/**
 * The build side: how long `generate` and `check` take on a 200-service app (the scripts generate-200.ts and
 * check-200.ts, each run in a child process; each prints the median of 3 runs), and what bundled handlers (the
 * sample app's, and those of other apps the bench writes) weigh and how long each takes to import cold, in a
 * fresh Node process.
 */
import { spawn } from 'node:child_process';
import { cpSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './harness.js';
import { scratchFolder } from './work-folder.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** Fresh processes per bundle for the cold import time. */
const COLD_IMPORTS = 5;

/** One bundled service of an app the bench bundled (the sample app, or lambda-durable.ts's). */
export interface BundleFigure {
  service: string;
  /** The minified `index.mjs`. */
  bundleBytes: number;
  /** The deployable zip. */
  zipBytes: number;
  /** Median time of `await import(index.mjs)` in a fresh Node process. */
  coldImportMs: number;
}

/** Runs `bench/<script>` (generate-200.ts or check-200.ts) and returns the median it prints. */
export async function timeScript(script: 'generate-200.ts' | 'check-200.ts'): Promise<number> {
  const output = await runNode([...process.execArgv, path.join(REPO, 'bench', script)]);
  const match = / in (\d+) ms/.exec(output);
  if (match === null) throw new Error(`bench/${script} printed no timing:\n${output}`);
  return Number(match[1]);
}

/** An app's handlers, bundled in a scratch folder by codegen's `bundle`; `dispose` removes the folder. */
export interface AppBundles {
  bundles: Omit<BundleFigure, 'coldImportMs'>[];
  /** The `index.mjs` of each bundle, by service. */
  entries: Map<string, string>;
  /** The deployable zip of each bundle, by service. */
  zips: Map<string, string>;
  dispose(): void;
}

/** The sample app's. */
export type SampleBundles = AppBundles;

/**
 * Copies the sample app's sources to a scratch folder (the real app's generated/ and dist/ stay as they are)
 * and runs codegen's `generate` and `bundle` on it.
 */
export function buildSampleBundles(): Promise<SampleBundles> {
  return bundleScratchApp('sample', (src) =>
    cpSync(path.join(REPO, 'apps', 'sample', 'src'), src, { recursive: true }),
  );
}

/**
 * An app in a new scratch folder (`writeSources` fills its `src/`), put through codegen's `generate` and `bundle`
 * as a user's app is: the handlers it emits, esbuild's settings, the zip.
 */
export async function bundleScratchApp(app: string, writeSources: (src: string) => void): Promise<AppBundles> {
  const { bundle, formatDiagnostic, generate } = await import('../packages/codegen/src/index.js');
  const root = scratchFolder(`${app}-`);
  const dispose = () => rmSync(root, { recursive: true, force: true });
  try {
    writeSources(path.join(root, 'src'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({ extends: path.join(REPO, 'tsconfig.base.json'), include: ['src', 'generated'] }),
    );
    const generated = generate({ root, paths: ['src/**/*.ts'], account: '123456789012', region: 'us-east-1' });
    if (generated.diagnostics.length > 0) {
      throw new Error(`generate on the ${app} app:\n${generated.diagnostics.map(formatDiagnostic).join('\n')}`);
    }
    const { services } = await bundle({ root });
    const entries = new Map(services.map((service) => [service.name, path.join(service.dir, 'index.mjs')]));
    return {
      bundles: services.map((service) => ({
        service: service.name,
        bundleBytes: statSync(entries.get(service.name)!).size,
        zipBytes: service.bytes,
      })),
      entries,
      zips: new Map(services.map((service) => [service.name, service.zip])),
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

/**
 * Each bundle's cold import time: the median of {@link COLD_IMPORTS} fresh Node processes. The bundles take turns
 * (one import of each, then the next of each), so that a slow spell of the machine falls on all of them.
 */
export async function measureColdImports<Bundle extends { service: string }>(built: {
  bundles: readonly Bundle[];
  entries: ReadonlyMap<string, string>;
}): Promise<(Bundle & { coldImportMs: number })[]> {
  const imports = built.bundles.map((): number[] => []);
  for (let i = 0; i < COLD_IMPORTS; i++) {
    for (const [index, bundle] of built.bundles.entries()) {
      imports[index]!.push(await coldImportMs(built.entries.get(bundle.service)!));
    }
  }
  return built.bundles.map((bundle, index) => ({ ...bundle, coldImportMs: median(imports[index]!) }));
}

/** `await import(file)` in a fresh Node process, timed from inside it. */
async function coldImportMs(file: string): Promise<number> {
  const script =
    'const started = performance.now();' +
    `await import(${JSON.stringify(pathToFileURL(file).href)});` +
    'process.stdout.write(String(performance.now() - started));';
  return Number(await runNode(['--input-type=module', '--eval', script]));
}

/** Runs Node with `args`; resolves with its stdout, rejects with its stderr when it fails. */
function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}
