import { describe, expect, it } from 'vitest';
import { chooseSender, freeSenders, type PoolCandidate } from '../../src/core/pool.js';

const candidate = (number: string, position: number, load: Partial<PoolCandidate> = {}): PoolCandidate => ({
  number,
  position,
  openWithAgents: 0,
  freeAgents: 2,
  openConversations: 0,
  assignments24h: 0,
  openWindows: 0,
  ...load,
});

describe('chooseSender', () => {
  it('prefers a number carrying no conversation with these agents over a less loaded busy one', () => {
    const chosen = chooseSender([
      candidate('+15550000001', 0, { openWithAgents: 1, openConversations: 1 }),
      candidate('+15550000002', 1, { openConversations: 3 }),
    ]);
    expect(chosen?.number).toBe('+15550000002');
  });

  it('then takes the fewest open conversations, then the fewest assignments today, then pool order', () => {
    expect(
      chooseSender([candidate('+1a', 0, { openWithAgents: 2, openConversations: 2 }), candidate('+1b', 1, { openWithAgents: 1, openConversations: 1 })])
        ?.number,
    ).toBe('+1b');
    expect(chooseSender([candidate('+1a', 0, { assignments24h: 5 }), candidate('+1b', 1, { assignments24h: 2 })])?.number).toBe('+1b');
    expect(chooseSender([candidate('+1b', 1), candidate('+1a', 0)])?.number).toBe('+1a');
  });

  it('when otherwise equal, prefers the number whose windows are open with more of the agents, before pool order', () => {
    expect(chooseSender([candidate('+1a', 0, { openWindows: 1 }), candidate('+1b', 1, { openWindows: 2 })])?.number).toBe('+1b');
    // Load still comes first: an open window does not make a busier number the choice.
    expect(chooseSender([candidate('+1a', 0, { openConversations: 1, openWindows: 2 }), candidate('+1b', 1)])?.number).toBe('+1b');
  });

  it('chooses nothing from an empty pool', () => {
    expect(chooseSender([])).toBeUndefined();
  });

  it('keeps only the numbers where an agent is free when one chat at a time is allowed', () => {
    const busy = candidate('+1a', 0, { openWithAgents: 2, freeAgents: 0 });
    const oneFree = candidate('+1b', 1, { openWithAgents: 1, freeAgents: 1 });
    expect(freeSenders([busy, oneFree, candidate('+1c', 2, { openConversations: 4 })]).map((c) => c.number)).toEqual(['+1b', '+1c']);
  });
});
