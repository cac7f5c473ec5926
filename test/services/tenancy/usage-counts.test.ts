// The usage counters (migration 371) hold exactly what grouping the messages would give: after a
// random stretch of the product's own operations, month by month, and through the whole report;
// retention removing old messages leaves a month's usage as it was. PostgreSQL: test/postgres/usage-counts.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import { fillUsageCounts } from '../../../src/db/migrations/371_usage_counts.js';
import type { AppContext } from '../../../src/services/context.js';
import { runRetention } from '../../../src/services/platform/retention.js';
import { deleteOrganization } from '../../../src/services/tenancy/organizations.js';
import { usageHistory, usageReport } from '../../../src/services/tenancy/usage.js';
import { makeTestContext } from '../../support/context.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber, makeOrganization } from '../../support/factories.js';
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
    const kept = await makeTestContext({ env: { MESSAGE_RETENTION_DAYS: '30' } });
    try {
      kept.clock.set('2026-01-10T09:00:00Z');
      const org = await makeOrganization(kept);
      const number = await makeNumber(kept, { organization_id: org.id });
      const contact = await makeContact(kept, { organization_id: org.id });
      const conversation = await makeConversation(kept, {
        organization_id: org.id,
        contact_id: contact.id,
        status: 'closed',
        closed_at: '2026-01-10T10:00:00.000Z',
      });
      for (let i = 0; i < 3; i++) await makeInboundMessage(kept, number, { from: contact.phone!, body: 'Hello', conversationId: conversation.id });
      const before = await usageReport(kept, org.id, '2026-01');
      expect(before.messages.in.total).toBe(3);

      kept.clock.set('2026-04-01T00:00:00Z');
      expect((await runRetention(kept)).messages).toBe(3);
      expect(await usageReport(kept, org.id, '2026-01')).toEqual(before);

      await kept.db.deleteFrom('numbers').where('organization_id', '=', org.id).execute();
      await deleteOrganization(kept, org.id);
      expect(await kept.db.selectFrom('usage_counts').select('month').where('organization_id', '=', org.id).execute()).toEqual([]);
    } finally {
      await kept.database.close();
    }
  });
});
