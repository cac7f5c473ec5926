// The usage counters (migration 371) hold exactly what grouping the messages would give: after a
// random stretch of the product's own operations, month by month, and through the whole report;
// retention removing old messages leaves a month's usage as it was. PostgreSQL: test/postgres/usage-counts.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import { fillUsageCounts } from '../../../src/db/migrations/371_usage_counts.js';
import type { AppContext } from '../../../src/services/context.js';
import { deleteOrganization } from '../../../src/services/tenancy/organizations.js';
import { usageHistory, usageReport } from '../../../src/services/tenancy/usage.js';
import { makeTestContext } from '../../support/context.js';
import { countedUsage, playUsage, recountUsage, seeded } from '../../support/usage.js';

let ctx: AppContext & { clock: ManualClock };
beforeEach(async () => {
  ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
  ctx.clock.set('2026-05-20T09:00:00Z');
});
afterEach(async () => {
  await ctx.database.close();
});

describe('usage counters', () => {
  for (const seed of [1, 2, 3]) {
    it(`equal the messages grouped, month by month, after random operations (seed ${seed})`, async () => {
      const play = await playUsage(ctx, seeded(seed), 60);
      const orgId = play.organization.id;
      expect(play.months.length).toBeGreaterThan(1);
      const kinds = await ctx.db.selectFrom('messages').select(['audience', 'status', 'provider']).where('organization_id', '=', orgId).execute();
      // the play reached the groups that move: failed sends, agents' messages, the website's chat
      expect(kinds.some((k) => k.status === 'failed')).toBe(true);
      expect(kinds.some((k) => k.audience === 'agent')).toBe(true);
      expect(kinds.some((k) => k.provider === null)).toBe(true);
      for (const month of play.months) {
        expect({ month, groups: await countedUsage(ctx.db, orgId, month) }, play.played.join(' → ')).toEqual({
          month,
          groups: await recountUsage(ctx.db, orgId, month),
        });
      }
      // The whole report from the counters kept as it went, and from counters recounted from the messages.
      const kept = await usageHistory(ctx, orgId, play.months);
      const reports = await Promise.all(play.months.map((m) => usageReport(ctx, orgId, m)));
      await fillUsageCounts(ctx.db);
      expect(await usageHistory(ctx, orgId, play.months)).toEqual(kept);
      expect(await Promise.all(play.months.map((m) => usageReport(ctx, orgId, m)))).toEqual(reports);
      expect(reports.some((r) => r.cost.total > 0 && r.messages.out.failed + r.agentMessages.failed > 0)).toBe(true);
    });
  }

  it('keep a month whose messages retention removed, and go with their organization', async () => {
    const play = await playUsage(ctx, seeded(7), 25);
    const orgId = play.organization.id;
    const before = await usageReport(ctx, orgId, play.months[0]!);
    expect(before.messages.in.total + before.messages.out.total + before.websiteChat.total).toBeGreaterThan(0);
    // as retention does it: the rows go, the counters stay (services/platform/retention.ts)
    await ctx.db.deleteFrom('messages').where('organization_id', '=', orgId).execute();
    expect(await usageReport(ctx, orgId, play.months[0]!)).toEqual(before);
    await ctx.db.deleteFrom('numbers').where('organization_id', '=', orgId).execute();
    await deleteOrganization(ctx, orgId);
    expect(await ctx.db.selectFrom('usage_counts').select('month').where('organization_id', '=', orgId).execute()).toEqual([]);
  });
});
