import { describe, expect, it } from 'vitest';
import { DELIVERY_STATUSES, STATUS_RANK } from '../../src/core/delivery.js';

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
