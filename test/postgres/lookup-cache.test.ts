// Two instances on one PostgreSQL: a number changed on one is routed by its new state on the other
// (the change travels as a cache invalidation over LISTEN/NOTIFY; nothing waits for an expiry).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/services/context.js';
import { findNumberByRoutingKey } from '../../src/services/numbers/lookup.js';
import { recordSenderStatus } from '../../src/services/numbers/status.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

let database: { url: string; drop: () => Promise<void> };
let first: AppContext;
let second: AppContext;

beforeAll(async () => {
  database = await freshPostgresDatabase();
  first = await makeTestContext({ databaseUrl: database.url });
  second = await makeTestContext({ databaseUrl: database.url });
});
afterAll(async () => {
  for (const ctx of [first, second]) {
    await ctx?.bus.close();
    await ctx?.database.close();
  }
  await database?.drop();
});

describe('cached number lookups across instances', () => {
  it('see a change made on another instance once its notification arrives', async () => {
    const org = await makeOrganization(first);
    const number = await makeNumber(first, { organization_id: org.id, phone_number: '+14155550779' });
    const key = { phone: '+14155550779' };
    expect(await findNumberByRoutingKey(second, 'simulator', key)).toMatchObject({ id: number.id, sender_status: 'online' });
    let told = false;
    second.bus.subscribe('cache:lookups', () => (told = true));
    await recordSenderStatus(first, org.id, number.id, 'offline');
    await waitFor(() => told, { what: "the first instance's notification" });
    // Its cache was cleared by then (it subscribed first): the next webhook reads the new state.
    expect(await findNumberByRoutingKey(second, 'simulator', key)).toMatchObject({ sender_status: 'offline' });
  });
});
