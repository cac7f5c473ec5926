// The plan's counter on PostgreSQL: simultaneous sends to customers each count once, a repeated
// count changes nothing, and a failed send is given back.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { countTowardPlan, monthlyUsage, uncountFromPlan } from '../../src/services/tenancy/plans.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization, openServiceWindow } from '../support/factories.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>> | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await ctx?.database.close();
  await drop?.();
  ctx = undefined;
  drop = undefined;
});

describe('the plan counter on PostgreSQL', () => {
  it('counts simultaneous customer sends once each and never an agent notification', async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    ctx = await makeTestContext({ databaseUrl: database.url, env: { SIMULATOR: '1' } });
    const c = ctx;
    c.clock.set('2026-06-10T08:00:00Z');
    const org = await makeOrganization(c, { plan: 'trial' });
    const number = await makeNumber(c, { organization_id: org.id });
    const customers = Array.from({ length: 8 }, (_, i) => `+1555010020${i}`);
    for (const to of [...customers, '+15550100101']) await openServiceWindow(c, number.id, to);
    const sent = await Promise.all(
      customers.map((to, i) => enqueueSend(c, { organizationId: org.id, numberId: number.id, to, text: `Hello ${i}`, author: 'bot' })),
    );
    await enqueueSend(c, { organizationId: org.id, numberId: number.id, to: '+15550100101', text: 'New chat #1', author: 'system', audience: 'agent' });
    expect((await monthlyUsage(c, org.id)).used).toBe(8);

    const first = await c.db.selectFrom('messages').selectAll().where('id', '=', sent[0]!.messageId).executeTakeFirstOrThrow();
    await countTowardPlan(c.db, { id: first.id, organization_id: org.id, created_at: first.created_at });
    expect((await monthlyUsage(c, org.id)).used).toBe(8);
    await Promise.all([uncountFromPlan(c.db, first.id), uncountFromPlan(c.db, first.id)]);
    expect(await monthlyUsage(c, org.id)).toMatchObject({ used: 7, limitState: 'ok' });
  });
});
