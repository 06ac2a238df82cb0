import { describe, expect, it } from 'vitest';
import { isDurableError } from '../errors.js';
import type { OperationRecord } from '../journal/records.js';
import { thrownBy } from '../testing/fixtures.js';
import { ReplayState } from './replay-state.js';

function step(position: string): OperationRecord {
  return {
    position,
    kind: 'step',
    name: 'echo',
    argsHash: 'h',
    status: 'SUCCEEDED',
    attempt: 1,
    updatedAt: 1,
    epoch: 1,
  };
}

const echo = { kind: 'step', name: 'echo', argsHash: 'h' } as const;

describe('ReplayState', () => {
  it('knows every parallel/map a recorded position lies in, however deep: a step there now diverges', () => {
    // Nested 2 000 levels: far deeper than code nests, and cheap all the same (each prefix is a slice of it).
    const deep = `7${'.2.1'.repeat(2_000)}`;
    const state = new ReplayState([step('7.2.3.1.4'), step(deep)]);

    for (const parent of ['7', '7.2.3', `7${'.2.1'.repeat(1_999)}`]) {
      const error = thrownBy(() => state.take(parent, echo));
      expect(isDurableError(error, 'NON_DETERMINISM')).toBe(true);
    }
    // Branch scopes (`7.2`) and positions inside a branch that hold no parallel are no parallel/map.
    expect(state.take('7.2', echo)).toBeUndefined();
    expect(state.take('7.2.4', echo)).toBeUndefined();
    expect(state.take(deep, echo)).toMatchObject({ position: deep });
  });
});
