import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * docs/context-api.md shows only code that runs: every block of it is an excerpt of an example in src/, whose
 * tests run it. A block edited on the page, or code changed in an example, fails here until both agree again.
 */

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.join(APP, '..', '..');
const page = readFileSync(path.join(ROOT, 'docs/context-api.md'), 'utf8');

const sources = readdirSync(path.join(APP, 'src'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: normalized(readFileSync(path.join(APP, 'src', file), 'utf8')) }));

describe('docs/context-api.md', () => {
  it('has only blocks found verbatim in an example of apps/examples/src', () => {
    const blocks = [...page.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].map((match) => ({
      language: match[1],
      code: normalized(match[2]!),
    }));
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    expect(blocks.filter((block) => block.language !== 'ts').map((block) => block.code)).toEqual([]);
    const missing = blocks
      .filter((block) => !sources.some((source) => source.text.includes(block.code)))
      .map((block) => block.code);
    expect(missing, 'blocks of docs/context-api.md that no example holds').toEqual([]);
  });

  it('has a section for every member of DurableContext', () => {
    const contextSource = readFileSync(path.join(ROOT, 'packages/core/src/context/durable-context.ts'), 'utf8');
    const declaration = contextSource.slice(contextSource.indexOf('export interface DurableContext'));
    const body = declaration.slice(0, declaration.indexOf('\n}\n'));
    const members = [...body.matchAll(/^ {2}(?:readonly )?([a-zA-Z]+)[<(:]/gm)].map((match) => match[1]!);
    expect(members).toEqual(expect.arrayContaining(['sleep', 'step', 'waitForCallback', 'logger']));
    const headings = page.split('\n').filter((line) => line.startsWith('### '));
    const undocumented = members.filter((member) => !headings.some((heading) => heading.includes(`ctx.${member}`)));
    expect(undocumented, 'DurableContext members without a section').toEqual([]);
  });
});

/** The lines of `text`, each trimmed, blank ones left out: a page shows an excerpt less indented than its file. */
function normalized(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}
