/**
 * Everything durable-gen prints goes through here: short lines for people on
 * stdout and stderr, colour only when the stream is a terminal, aligned
 * columns, and the JSON that `--format json` promises.
 */

/** How a listing is printed: aligned lines for people, or JSON for tools. */
export type Format = 'text' | 'json';

/** The `--format` choices, for the yargs option of every listing command. */
export const FORMATS: readonly Format[] = ['text', 'json'];

/** Colours for one stream; each is the identity when the stream is not a terminal. */
export interface Palette {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** Where a command writes: lines for people, and a palette that fits each stream. */
export interface Output {
  /** One line on stdout. */
  line(text?: string): void;
  /** One line on stderr: problems and notes that must not mix with what a tool parses from stdout. */
  note(text: string): void;
  /** Pretty-printed JSON on stdout, for `--format json`. */
  json(value: unknown): void;
  readonly stdout: Palette;
  readonly stderr: Palette;
}

const PLAIN: Palette = {
  green: (text) => text,
  red: (text) => text,
  yellow: (text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

const ANSI: Palette = {
  green: (text) => `\u001b[32m${text}\u001b[39m`,
  red: (text) => `\u001b[31m${text}\u001b[39m`,
  yellow: (text) => `\u001b[33m${text}\u001b[39m`,
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
};

/**
 * The palette for a stream: colours on a terminal, none in a pipe or a file
 * (what tests and scripts read). `NO_COLOR` and `FORCE_COLOR` win, as the
 * conventions of https://no-color.org and Node itself have it.
 */
export function paletteFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Palette {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return PLAIN;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false' ? PLAIN : ANSI;
  return stream.isTTY === true ? ANSI : PLAIN;
}

/** The process's own stdout and stderr. */
export function processOutput(): Output {
  return {
    line: (text = '') => {
      process.stdout.write(`${text}\n`);
    },
    note: (text) => {
      process.stderr.write(`${text}\n`);
    },
    json: (value) => {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    stdout: paletteFor(process.stdout),
    stderr: paletteFor(process.stderr),
  };
}

// Escape sequences take no room on screen: widths are measured without them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ANSI_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** Width of `text` on screen, colours aside. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI_SEQUENCE, '')].length;
}

/** `text` padded with spaces to `width` columns on screen. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/**
 * Rows as aligned lines: columns two spaces apart, each as wide as its widest
 * cell; `right` names the columns (by index) aligned right, e.g. sizes. The
 * last column is not padded, so lines carry no trailing spaces.
 */
export function alignColumns(rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, visibleWidth(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        if (right.includes(index)) return ' '.repeat(Math.max(0, width - visibleWidth(cell))) + cell;
        return index === row.length - 1 ? cell : padEnd(cell, width);
      })
      .join('  '),
  );
}

/**
 * One line of cells padded to fixed widths, for lines printed one at a time
 * (a run's progress) where {@link alignColumns} cannot see every row first.
 * Columns are at least two spaces apart however long a cell is, so a long
 * value pushes the rest of its line right instead of running into it. The
 * last cell is not padded.
 */
export function fixedColumns(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, index) => (index === cells.length - 1 ? cell : `${padEnd(cell, widths[index] ?? 0)}  `))
    .join('');
}

/** A size for people: `812 B`, `14.2 kB`, `1.3 MB` (powers of 1000, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** A duration for people: `12 ms`, `1.4 s`, `3.0 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** `text` cut to `max` characters with an ellipsis, on one line: previews of values in listings. */
export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** `1 error`, `2 warnings`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * `value` as one line of JSON, also when it holds what JSON has no form for:
 * workflow outputs may carry BigInt, Map and Set (the journal keeps them), and
 * printing them must not throw. BigInt becomes a string, a Map an object, a
 * Set an array.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (item instanceof Map) return Object.fromEntries(item);
    if (item instanceof Set) return [...item];
    return item;
  });
}
