import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  RETRY_OPTION_NAMES,
  SERVICE_OPTION_NAMES,
  STEP_OPTION_NAMES,
  WORKFLOW_OPTION_NAMES,
} from '../../packages/core/src/index.js';

/**
 * Every rule has one home, in core: the service-name pattern, the default
 * service name, the option lists, the backends, the key layout and index name
 * of the checkpoint table, its default name. codegen and cli import them;
 * a copy would drift (a new option core takes, reported as unknown by
 * `check`; a key layout the IAM policy no longer covers).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Test data folders: what they hold is an app's source or generated output, not the package's code. */
const DATA_FOLDERS = new Set(['__fixtures__', '__golden__', '__corpus__', 'generated']);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return DATA_FOLDERS.has(entry) ? [] : sourceFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

const FILES = ['codegen', 'cli'].flatMap((name) => sourceFiles(join(ROOT, 'packages', name, 'src')));

/** `file:line  text` of each line of codegen's and cli's sources that matches `pattern`. */
function linesMatching(pattern: RegExp): string[] {
  return FILES.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (pattern.test(line) ? [`${relative(ROOT, file)}:${index + 1}  ${line.trim()}`] : [])),
  );
}

describe('one home for every rule: codegen and cli copy none of core’s', () => {
  it('finds the sources it checks', () => {
    expect(FILES.length).toBeGreaterThan(20);
  });

  it.each([
    ['the default service name (kebabCase)', /function kebabCase|kebabCase\s*=[^=]/],
    ['the service-name pattern', /\{0,62\}/],
    ['the account id pattern', /\\d\{12\}/],
    ['the region pattern', /\[a-z\]\{2\}\(-\[a-z\]\+\)/],
    ['the Backend union', /'dynamodb'\s*\|\s*'lambda-durable'|'lambda-durable'\s*\|\s*'dynamodb'/],
    ['the default table name', /durable-executions/],
    ['the resumable index name', /index\/resumable/],
    ['the LeadingKeys pattern', /['`][^'`]*#\*[^'`]*['`]/],
    ['the sort keys of the key layout', /['`](?:#meta|op#|chunk#)/],
  ])('%s', (_rule, pattern) => {
    expect(linesMatching(pattern)).toEqual([]);
  });

  it('no array literal lists (nearly) all the options of a core decorator', () => {
    const lists = { SERVICE_OPTION_NAMES, WORKFLOW_OPTION_NAMES, STEP_OPTION_NAMES, RETRY_OPTION_NAMES };
    const copies: string[] = [];
    for (const file of FILES) {
      for (const [array] of readFileSync(file, 'utf8').matchAll(/\[[^[\]]*\]/g)) {
        const quoted = new Set([...array.matchAll(/['"]([A-Za-z]+)['"]/g)].map((m) => m[1]!));
        for (const [name, list] of Object.entries(lists)) {
          const held = list.filter((option) => quoted.has(option));
          // Two or three names are a model's fields or a CLI's flags; all but one is a copy of the list.
          if (list.length >= 4 && held.length >= list.length - 1) {
            copies.push(`${relative(ROOT, file)}: ${array.slice(0, 80)} copies ${name}`);
          }
        }
      }
    }
    expect(copies).toEqual([]);
  });
});
