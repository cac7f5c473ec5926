// Plan limits over the calendar month, moved with a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { assertCanSend, canAutoReply, countTowardPlan, monthlyUsage, PLANS_SETTING } from '../../../src/services/tenancy/plans.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { makeTestContext } from '../../support/context.js';

let ctx: AppContext & { clock: ManualClock };
beforeEach(async () => {
  ctx = await makeTestContext();
  ctx.clock.set('2026-01-31T23:00:00Z');
});
afterEach(async () => {
  await ctx.database.close();
});

async function addMessages(organizationId: string, count: number, direction: 'in' | 'out', status = direction === 'in' ? 'received' : 'sent') {
  const at = ctx.clock.now().toISOString();
  const rows = Array.from({ length: count }, () => ({
    organization_id: organizationId,
    direction,
    author: direction === 'in' ? 'contact' : 'bot',
    audience: 'contact',
    status,
    provider: 'twilio',
    category: 'service',
    cost: 0,
    created_at: at,
    updated_at: at,
  }));
  const stored = await ctx.db.insertInto('messages').values(rows).returning(['id', 'status']).execute();
  // as the pipeline does: a customer's message and each send not failed count (reaction.ts, send.ts)
  for (const row of stored) if (row.status !== 'failed') await countTowardPlan(ctx.db, { id: row.id, organization_id: organizationId, created_at: at });
}

describe('monthly usage and limits', () => {
  it('counts both directions, skips failed sends, and stops auto-replies at the limit', async () => {
    const org = await createOrganization(ctx, { name: 'Trial shop' });
    await addMessages(org.id, 30, 'in');
    await addMessages(org.id, 19, 'out');
    await addMessages(org.id, 5, 'out', 'failed');
    expect(await monthlyUsage(ctx, org.id)).toEqual({ plan: 'trial', month: '2026-01', limit: 50, used: 49, remaining: 1, limitState: 'near' });
    expect(await canAutoReply(ctx, org.id)).toBe(true);
    await assertCanSend(ctx, org.id);

    await addMessages(org.id, 1, 'in');
    expect(await canAutoReply(ctx, org.id)).toBe(false);
    const refused = await assertCanSend(ctx, org.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 402, code: 'PLAN_LIMIT_REACHED' });
    expect((refused as Error).message).toMatch(/plan trial allows 50 messages a month/);
  });

  it('counts WhatsApp messages only: the website chat never stops WhatsApp replies', async () => {
    const org = await createOrganization(ctx, { name: 'Busy website' });
    const at = ctx.clock.now().toISOString();
    const visitor = {
      organization_id: org.id,
      direction: 'in',
      author: 'visitor',
      audience: 'contact',
      status: 'received',
      category: 'service',
      cost: 0,
      created_at: at,
      updated_at: at,
    };
    await ctx.db
      .insertInto('messages')
      .values(Array.from({ length: 60 }, () => visitor))
      .execute();
    await addMessages(org.id, 2, 'in');
    expect(await monthlyUsage(ctx, org.id)).toMatchObject({ used: 2, remaining: 48 });
    expect(await canAutoReply(ctx, org.id)).toBe(true);
  });

  it('starts again at the month boundary (UTC)', async () => {
    const org = await createOrganization(ctx, { name: 'Starter shop', plan: 'starter' });
    await addMessages(org.id, 500, 'in');
    expect(await canAutoReply(ctx, org.id)).toBe(false);
    await expect(assertCanSend(ctx, org.id)).rejects.toThrow(/plan starter allows 500 messages a month/);

    ctx.clock.set('2026-01-31T23:59:59.999Z');
    expect(await canAutoReply(ctx, org.id)).toBe(false);
    ctx.clock.set('2026-02-01T00:00:00.000Z');
    expect(await monthlyUsage(ctx, org.id)).toMatchObject({ month: '2026-02', used: 0, remaining: 500 });
    expect(await canAutoReply(ctx, org.id)).toBe(true);
    expect((await monthlyUsage(ctx, org.id, '2026-01')).used).toBe(500);
  });

  it("counts only the organization's own messages", async () => {
    const a = await createOrganization(ctx, { name: 'A' });
    const b = await createOrganization(ctx, { name: 'B' });
    await addMessages(a.id, 50, 'in');
    expect(await canAutoReply(ctx, a.id)).toBe(false);
    expect(await canAutoReply(ctx, b.id)).toBe(true);
  });

  it("follows the operator's plan table, and ignores a setting that no longer validates", async () => {
    const org = await createOrganization(ctx, { name: 'Custom', plan: 'starter' });
    await ctx.db
      .insertInto('settings')
      .values({ key: PLANS_SETTING, value: JSON.stringify({ starter: { messageLimit: 3 } }) })
      .execute();
    await addMessages(org.id, 3, 'in');
    expect(await monthlyUsage(ctx, org.id)).toMatchObject({ limit: 3, remaining: 0 });
    await ctx.db.updateTable('settings').set({ value: '{"starter":{"messageLimit":"lots"}}' }).where('key', '=', PLANS_SETTING).execute();
    expect((await monthlyUsage(ctx, org.id)).limit).toBe(500);
  });
});
