// The usage counters (migration 371) on PostgreSQL: its triggers (one upsert per group of a
// statement on insert, a row's move on update) hold what grouping the messages gives, after random
// operations and after simultaneous sends and webhooks, and its backfill of older messages. SQLite: test/services/tenancy/usage-counts.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { fillUsageCounts } from '../../src/db/migrations/371_usage_counts.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { providers } from '../../src/providers/registry.js';
import { receiveWebhook } from '../../src/services/inbound/receive.js';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { usageHistory } from '../../src/services/tenancy/usage.js';
import { webhookRequest } from '../fixtures/providers/index.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization, openServiceWindow } from '../support/factories.js';
import { countedUsage, expectLegacyUsageCounted, legacyUsageDatabase, playUsage, recountUsage, seeded } from '../support/usage.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>> | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await ctx?.database.close();
  await drop?.();
  ctx = undefined;
  drop = undefined;
});

async function postgresContext() {
  const database = await freshPostgresDatabase();
  drop = database.drop;
  ctx = await makeTestContext({ databaseUrl: database.url, env: { SIMULATOR: '1' } });
  ctx.clock.set('2026-05-20T09:00:00Z');
  return ctx;
}

describe('usage counters on PostgreSQL', () => {
  it('are filled by migration 371 from the messages written before it', async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    await legacyUsageDatabase(database.url);
    ctx = await makeTestContext({ databaseUrl: database.url });
    await expectLegacyUsageCounted(ctx);
  });

  it('equal the messages grouped, month by month, after random operations', async () => {
    const c = await postgresContext();
    const play = await playUsage(c, seeded(11), 50);
    const orgId = play.organization.id;
    expect(play.months.length).toBeGreaterThan(1);
    for (const month of play.months) {
      expect({ month, groups: await countedUsage(c.db, orgId, month) }, play.played.join(' → ')).toEqual({
        month,
        groups: await recountUsage(c.db, orgId, month),
      });
    }
    const kept = await usageHistory(c, orgId, play.months);
    expect(kept.some((m) => m.cost.total > 0)).toBe(true);
    await fillUsageCounts(c.db);
    expect(await usageHistory(c, orgId, play.months)).toEqual(kept);
  });

  it('count simultaneous sends and webhooks of two organizations, each once', async () => {
    const c = await postgresContext();
    const orgs = [await makeOrganization(c, { plan: 'business' }), await makeOrganization(c, { plan: 'business' })];
    const numbers = [await makeNumber(c, { organization_id: orgs[0]!.id }), await makeNumber(c, { organization_id: orgs[1]!.id })];
    const customers = Array.from({ length: 6 }, (_, i) => `+1555010030${i}`);
    for (const number of numbers) for (const to of customers) await openServiceWindow(c, number.id, to);
    const webhook = (i: number, number: (typeof numbers)[number]) =>
      receiveWebhook(
        c,
        providers.simulator,
        webhookRequest({
          url: '/api/webhooks/sim',
          body: JSON.stringify({ id: `sim-together-${i}-${number.id}`, from: customers[i % customers.length], to: number.phone_number, text: 'Hello' }),
          headers: { 'content-type': 'application/json' },
        }),
      );
    await Promise.all(
      customers.flatMap((to, i) =>
        numbers.flatMap((number, n) => [
          enqueueSend(c, { organizationId: orgs[n]!.id, numberId: number.id, to, text: `Hello ${i}`, author: 'bot' }),
          enqueueSend(c, {
            organizationId: orgs[n]!.id,
            numberId: number.id,
            to,
            template: { name: 'order_update', variables: [] },
            category: 'marketing',
            author: 'bot',
          }),
          webhook(i, number),
        ]),
      ),
    );
    await drainJobs(c);
    for (const org of orgs) {
      const groups = await countedUsage(c.db, org.id, '2026-05');
      expect(groups).toEqual(await recountUsage(c.db, org.id, '2026-05'));
      expect(groups.reduce((sum, g) => sum + g.n, 0)).toBeGreaterThanOrEqual(18);
    }
  });
});
