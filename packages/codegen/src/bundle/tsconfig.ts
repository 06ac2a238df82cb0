import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TsconfigRaw } from 'esbuild';
import { ts } from 'ts-morph';

type EsbuildCompilerOptions = NonNullable<TsconfigRaw['compilerOptions']>;

const JSX_NAMES: Partial<Record<ts.JsxEmit, EsbuildCompilerOptions['jsx']>> = {
  [ts.JsxEmit.Preserve]: 'preserve',
  [ts.JsxEmit.React]: 'react',
  [ts.JsxEmit.ReactNative]: 'react-native',
  [ts.JsxEmit.ReactJSX]: 'react-jsx',
  [ts.JsxEmit.ReactJSXDev]: 'react-jsxdev',
};

/**
 * The TypeScript settings esbuild compiles an app with: the app's own
 * `tsconfig.json` (with its `extends` chain resolved), with legacy decorators
 * forced on. `@Workflow` and `@Step` are `experimentalDecorators`; compiled as
 * TC39 decorators they would register nothing and the handler would find no
 * workflow. esbuild accepts either a tsconfig path or raw settings, never both,
 * so the app's settings are read here and passed raw.
 *
 * @throws Error when `tsconfig.json` exists but cannot be parsed (the caller wraps it).
 */
export function esbuildTsconfig(root: string): TsconfigRaw {
  const configPath = path.join(root, 'tsconfig.json');
  const app = existsSync(configPath) ? appCompilerOptions(configPath) : {};
  return { compilerOptions: { ...app, experimentalDecorators: true, useDefineForClassFields: false } };
}

/** The subset of the app's compiler options that changes what esbuild emits or resolves. */
function appCompilerOptions(configPath: string): EsbuildCompilerOptions {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error !== undefined) {
    throw new Error(`${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  }
  const configDir = path.dirname(configPath);
  // Other diagnostics (no input files, options this TypeScript does not know) do not concern esbuild: ignored.
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, configDir, undefined, configPath);
  const picked: EsbuildCompilerOptions = {};
  if (options.alwaysStrict !== undefined) picked.alwaysStrict = options.alwaysStrict;
  if (options.strict !== undefined) picked.strict = options.strict;
  if (options.verbatimModuleSyntax !== undefined) picked.verbatimModuleSyntax = options.verbatimModuleSyntax;
  if (options.jsx !== undefined && JSX_NAMES[options.jsx] !== undefined) picked.jsx = JSX_NAMES[options.jsx];
  if (options.jsxFactory !== undefined) picked.jsxFactory = options.jsxFactory;
  if (options.jsxFragmentFactory !== undefined) picked.jsxFragmentFactory = options.jsxFragmentFactory;
  if (options.jsxImportSource !== undefined) picked.jsxImportSource = options.jsxImportSource;
  if (options.paths !== undefined) {
    picked.paths = Object.fromEntries(Object.entries(options.paths).map(([key, targets]) => [key, [...targets]]));
    // `paths` without `baseUrl` are relative to the tsconfig that declared them; TypeScript resolved that
    // folder while following `extends`, esbuild must be told it (absolute, so the working directory is moot).
    const pathsBase = (options as { pathsBasePath?: unknown }).pathsBasePath;
    picked.baseUrl = options.baseUrl ?? (typeof pathsBase === 'string' ? pathsBase : configDir);
  } else if (options.baseUrl !== undefined) {
    picked.baseUrl = options.baseUrl;
  }
  return picked;
}
