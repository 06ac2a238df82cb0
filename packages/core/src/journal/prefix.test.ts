import { describe, expect, it } from 'vitest';
import { splitStale } from './prefix.js';
import type { OperationRecord } from './records.js';

function records(...positions: string[]): OperationRecord[] {
  return positions.map((position) => ({
    position,
    kind: 'step',
    name: `s${position}`,
    argsHash: '',
    status: 'SUCCEEDED',
    attempt: 1,
    result: '1',
    updatedAt: 0,
  }));
}

function split(...positions: string[]) {
  const { live, stale } = splitStale(records(...positions));
  return { live: live.map((r) => r.position), stale: stale.map((r) => r.position) };
}

describe('splitStale', () => {
  it('trusts a journal without gaps', () => {
    expect(split('1', '2', '3')).toEqual({ live: ['1', '2', '3'], stale: [] });
  });

  it('distrusts everything after the first missing position of a scope', () => {
    expect(split('1', '3', '4')).toEqual({ live: ['1'], stale: ['3', '4'] });
    expect(split('2', '3')).toEqual({ live: [], stale: ['2', '3'] });
  });

  it('counts a parallel as present through its children, before its own record lands', () => {
    expect(split('1', '2.1.1', '2.2.1', '2.2.2')).toEqual({ live: ['1', '2.1.1', '2.2.1', '2.2.2'], stale: [] });
  });

  it('applies the rule within each branch, not across branch indexes', () => {
    // Branch 1 has not recorded anything yet: that is no gap. Branch 2 lost its first checkpoint.
    expect(split('1', '2.2.2', '2.3.1')).toEqual({ live: ['1', '2.3.1'], stale: ['2.2.2'] });
  });

  it('makes the descendants of a stale position stale', () => {
    expect(split('1', '3', '3.1.1')).toEqual({ live: ['1'], stale: ['3', '3.1.1'] });
  });
});
