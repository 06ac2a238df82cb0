import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The sample's side effects go to an outbox file (src/outbox.ts). A test gives each case a fresh one and reads it
 * back, to count what happened: the outbox stands in for GitHub, the database and the chat service.
 */
export function freshOutbox(): { effects(): string[]; remove(): void } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sample-outbox-'));
  process.env.SAMPLE_OUTBOX = path.join(folder, 'outbox.jsonl');
  // The save step waits as a database write would; a test has no database.
  process.env.SAMPLE_SAVE_LATENCY_MS = '0';
  return {
    effects: () => {
      const file = process.env.SAMPLE_OUTBOX ?? '';
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { effect: string }).effect);
    },
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
