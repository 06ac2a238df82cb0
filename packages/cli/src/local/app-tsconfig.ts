import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CliError } from '../cli-error.js';

/**
 * The app's `tsconfig.json`, checked for what `durable-gen run` needs: legacy
 * decorators. tsx compiles the app's sources with this file; without
 * `experimentalDecorators` it compiles `@DurableService`, `@Workflow` and
 * `@Step` as TC39 decorators, which register nothing, and the run would fail
 * far from the cause. So the cause is named here, before anything runs.
 *
 * @returns the absolute path of the tsconfig, for tsx.
 * @throws CliError when the file is missing, unreadable, or lacks `experimentalDecorators: true`.
 */
export function requireLegacyDecorators(root: string): string {
  const configPath = path.join(root, 'tsconfig.json');
  const fix =
    'durable-gen run compiles the app with tsx, and the decorators of @durable/core are legacy decorators: ' +
    'set "experimentalDecorators": true (and "useDefineForClassFields": false) under "compilerOptions"';
  if (!existsSync(configPath)) throw new CliError(`${configPath} does not exist. ${fix}.`);
  const options = compilerOptions(configPath, new Set());
  if (options.experimentalDecorators !== true) throw new CliError(`${configPath}: ${fix}.`);
  return configPath;
}

type CompilerOptions = Record<string, unknown>;

/** The compiler options of a tsconfig, with those of its `extends` chain beneath them. */
function compilerOptions(configPath: string, seen: Set<string>): CompilerOptions {
  if (seen.has(configPath)) throw new CliError(`${configPath}: "extends" loops back to itself.`);
  seen.add(configPath);
  let config: { extends?: unknown; compilerOptions?: CompilerOptions };
  try {
    config = JSON.parse(jsoncToJson(readFileSync(configPath, 'utf8')));
  } catch (error) {
    throw new CliError(`${configPath} is not valid JSON: ${(error as Error).message}`);
  }
  const bases = config.extends === undefined ? [] : [config.extends].flat();
  let options: CompilerOptions = {};
  for (const base of bases) {
    if (typeof base !== 'string') continue;
    options = { ...options, ...compilerOptions(resolveExtends(base, configPath), seen) };
  }
  return { ...options, ...config.compilerOptions };
}

/** Where an `extends` entry points: a relative or absolute file (`.json` optional), or a package's file. */
function resolveExtends(specifier: string, from: string): string {
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    const file = path.resolve(path.dirname(from), specifier);
    return existsSync(file) || file.endsWith('.json') ? file : `${file}.json`;
  }
  const require = createRequire(from);
  for (const candidate of [specifier, `${specifier}.json`, `${specifier}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // try the next form TypeScript accepts
    }
  }
  throw new CliError(`${from}: cannot resolve "extends": "${specifier}".`);
}

const CLOSING_AHEAD = /\s*[}\]]/y;

/**
 * tsconfig files are JSONC: comments and trailing commas are allowed. Both are
 * removed outside strings, so the rest parses as JSON.
 */
export function jsoncToJson(text: string): string {
  let withoutComments = '';
  for (let index = 0; index < text.length; ) {
    if (text[index] === '"') {
      const end = endOfString(text, index);
      withoutComments += text.slice(index, end);
      index = end;
    } else if (text.startsWith('//', index)) {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
    } else {
      withoutComments += text[index];
      index += 1;
    }
  }
  let result = '';
  for (let index = 0; index < withoutComments.length; ) {
    const char = withoutComments[index]!;
    if (char === '"') {
      const end = endOfString(withoutComments, index);
      result += withoutComments.slice(index, end);
      index = end;
      continue;
    }
    CLOSING_AHEAD.lastIndex = index + 1;
    const isTrailingComma = char === ',' && CLOSING_AHEAD.test(withoutComments);
    if (!isTrailingComma) result += char;
    index += 1;
  }
  return result;
}

/** Index just past the string literal that starts at `start`. */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}
