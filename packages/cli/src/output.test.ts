import { describe, expect, it } from 'vitest';
import {
  alignColumns,
  fixedColumns,
  formatBytes,
  formatDuration,
  jsonLine,
  paletteFor,
  truncate,
  visibleWidth,
} from './output.js';

describe('output', () => {
  it('aligns columns two spaces apart, right-aligns the ones asked, and pads no last column', () => {
    expect(
      alignColumns(
        [
          ['orders', 'dist/orders.zip', '158.7 kB'],
          ['receipts', 'dist/receipts.zip', '9 B'],
        ],
        [2],
      ),
    ).toEqual(['orders    dist/orders.zip    158.7 kB', 'receipts  dist/receipts.zip       9 B']);
    expect(alignColumns([['a', 'b'], ['long']])).toEqual(['a     b', 'long']);
  });

  it('keeps fixed-width columns two spaces apart when a cell is wider than its column', () => {
    expect(fixedColumns(['1', 'step', 'reserve', 'executed'], [4, 8, 12])).toBe(
      '1     step      reserve       executed',
    );
    expect(fixedColumns(['5.1.1', 'callback', 'warehouse-pick', 'waiting'], [4, 8, 12])).toBe(
      '5.1.1  callback  warehouse-pick  waiting',
    );
  });

  it('measures width without colour codes', () => {
    const colours = paletteFor({ isTTY: true }, {});
    expect(visibleWidth(colours.green('SUCCEEDED'))).toBe(9);
    expect(
      alignColumns([
        [colours.red('x'), 'y'],
        ['xyz', 'y'],
      ])[0],
    ).toBe(`${colours.red('x')}    y`);
  });

  it('colours only a terminal, and follows NO_COLOR and FORCE_COLOR', () => {
    expect(paletteFor({ isTTY: false }, {}).red('x')).toBe('x');
    expect(paletteFor({ isTTY: true }, {}).red('x')).not.toBe('x');
    expect(paletteFor({ isTTY: true }, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(paletteFor({ isTTY: true }, { FORCE_COLOR: '0' }).red('x')).toBe('x');
    expect(paletteFor({ isTTY: false }, { FORCE_COLOR: '1' }).red('x')).not.toBe('x');
  });

  it('formats sizes, durations and previews for people', () => {
    expect([formatBytes(812), formatBytes(14_200), formatBytes(1_300_000)]).toEqual(['812 B', '14.2 kB', '1.3 MB']);
    expect([formatDuration(12.4), formatDuration(1400), formatDuration(180_000)]).toEqual([
      '12 ms',
      '1.4 s',
      '3.0 min',
    ]);
    expect(truncate('a\n  b', 10)).toBe('a b');
    expect(truncate('abcdefghijk', 5)).toBe('abcd…');
  });

  it('prints values JSON has no form for without throwing', () => {
    expect(jsonLine({ n: 10n, m: new Map([['k', 1]]), s: new Set([1, 2]), u: undefined })).toBe(
      '{"n":"10","m":{"k":1},"s":[1,2]}',
    );
  });
});
