import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, humanHasIt, STATUS_RANK } from '../../src/core/status.js';

describe('humanHasIt', () => {
  it('is true while the conversation waits for an agent or an agent has it', () => {
    expect(humanHasIt('waiting_agent')).toBe(true);
    expect(humanHasIt('agent')).toBe(true);
  });

  it('is false for the bot, a closed conversation and anything unknown', () => {
    for (const status of ['bot', 'closed', 'Agent', '']) expect(humanHasIt(status)).toBe(false);
  });
});

describe('STATUS_RANK', () => {
  it('orders a message from received through read, with failed last', () => {
    const order = ['received', 'queued', 'sent', 'delivered', 'read', 'failed'];
    expect(order.map((s) => STATUS_RANK[s])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Object.keys(STATUS_RANK).sort()).toEqual([...order].sort());
  });

  it('ranks every status a provider may report', () => {
    for (const status of DELIVERY_STATUSES) expect(STATUS_RANK[status]).toBeGreaterThan(STATUS_RANK.received!);
  });
});
