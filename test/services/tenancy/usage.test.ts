// The usage report: counts by category, cost by part, rental, margin, per number, per month.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import { messageCost } from '../../../src/core/prices.js';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { usageHistory, usageReport } from '../../../src/services/tenancy/usage.js';
import { countTowardPlan } from '../../../src/services/tenancy/plans.js';
import { makeTestContext } from '../../support/context.js';

let ctx: AppContext & { clock: ManualClock };
let orgId: string;
beforeEach(async () => {
  ctx = await makeTestContext();
  ctx.clock.set('2026-03-10T09:00:00Z');
  orgId = (await createOrganization(ctx, { name: 'Costly', plan: 'starter' })).id;
  const now = ctx.clock.now().toISOString();
  const number = (id: string, provider: string, phone: string, created: string) => ({
    id,
    organization_id: orgId,
    provider,
    phone_number: phone,
    provider_id: `${provider}-${id}`,
    display_name: null,
    connection_id: null,
    sender_status: 'online',
    is_shared_trial: 0 as const,
    is_dedicated: 1 as const,
    created_at: created,
  });
  await ctx.db
    .insertInto('numbers')
    .values([number('tw', 'twilio', '+14155550100', '2026-02-15T00:00:00Z'), number('mt', 'meta', '+15550783881', now)])
    .execute();
});
afterEach(async () => {
  await ctx.database.close();
});

/** A message row costed as the pipeline does it (messageCost at insert). */
async function add(
  numberId: string,
  provider: string,
  direction: 'in' | 'out',
  options: { category?: string; insideWindow?: boolean; status?: string; at?: string } = {},
) {
  const at = options.at ?? ctx.clock.now().toISOString();
  const category = options.category ?? 'service';
  const stored = await ctx.db
    .insertInto('messages')
    .values({
      organization_id: orgId,
      number_id: numberId,
      provider,
      direction,
      author: direction === 'in' ? 'contact' : 'bot',
      audience: 'contact',
      status: options.status ?? (direction === 'in' ? 'received' : 'sent'),
      category,
      cost: messageCost({ direction, provider, category, insideWindow: options.insideWindow ?? true }),
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // as the pipeline does: a customer's message and each send not failed count toward the plan
  if (options.status !== 'failed') await countTowardPlan(ctx.db, { id: stored.id, organization_id: orgId, created_at: at });
}

describe('usage report', () => {
  it('splits messages by category and cost into provider, Meta and rental, with the margin', async () => {
    for (let i = 0; i < 4; i++) await add('tw', 'twilio', 'in');
    for (let i = 0; i < 3; i++) await add('tw', 'twilio', 'out');
    await add('tw', 'twilio', 'out', { category: 'utility', insideWindow: false });
    await add('tw', 'twilio', 'out', { category: 'marketing' });
    await add('tw', 'twilio', 'out', { status: 'failed' });
    await add('mt', 'meta', 'in');
    await add('mt', 'meta', 'out', { category: 'authentication', insideWindow: false });
    // Another month and another organization do not count.
    await add('tw', 'twilio', 'in', { at: '2026-02-28T23:59:59.999Z' });
    await add('tw', 'twilio', 'in', { at: '2026-04-01T00:00:00.000Z' });

    const r = await usageReport(ctx, orgId, '2026-03');
    expect(r).toMatchObject({ organizationId: orgId, month: '2026-03', plan: 'starter', planPrice: 15, limit: 500, used: 11, remaining: 489 });
    expect(r.messages.in).toEqual({ total: 5, service: 5, utility: 0, marketing: 0, authentication: 0 });
    expect(r.messages.out).toEqual({ total: 6, service: 3, utility: 1, marketing: 1, authentication: 1, failed: 1 });
    // provider: 9 Twilio messages × $0.005; Meta: utility 0.0034 + marketing 0.025 + authentication 0.0135;
    // rental: the Twilio number ($1), the Meta number costs no rental.
    expect(r.cost).toEqual({ provider: 0.045, meta: 0.0419, rental: 1, agents: 0, total: 1.0869 });
    expect(r.margin).toBe(13.9131);

    const tw = r.numbers.find((n) => n.numberId === 'tw')!;
    expect(tw).toMatchObject({ phoneNumber: '+14155550100', provider: 'twilio', messagesIn: 4, messagesOut: 5, failedOut: 1 });
    expect(tw.cost).toEqual({ provider: 0.045, meta: 0.0284, rental: 1, agents: 0, total: 1.0734 });
    const mt = r.numbers.find((n) => n.numberId === 'mt')!;
    expect(mt).toMatchObject({ messagesIn: 1, messagesOut: 1, cost: { provider: 0, meta: 0.0135, rental: 0, agents: 0, total: 0.0135 } });
  });

  it('charges rental only from the month a number exists, and reports empty months', async () => {
    const feb = await usageReport(ctx, orgId, '2026-02');
    expect(feb.cost).toEqual({ provider: 0, meta: 0, rental: 1, agents: 0, total: 1 });
    const jan = await usageReport(ctx, orgId, '2026-01');
    expect(jan.cost.total).toBe(0);
    expect(jan.used).toBe(0);
    expect(jan.margin).toBe(15);
  });

  it('counts website-chat messages apart: free, not toward the limit, on no number', async () => {
    await add('tw', 'twilio', 'in');
    await add('tw', 'twilio', 'out');
    const at = ctx.clock.now().toISOString();
    const chat = (direction: 'in' | 'out') => ({
      organization_id: orgId,
      direction,
      author: direction === 'in' ? 'visitor' : 'bot',
      audience: 'contact',
      status: direction === 'in' ? 'received' : 'delivered',
      category: 'service',
      cost: 0,
      created_at: at,
      updated_at: at,
    });
    await ctx.db
      .insertInto('messages')
      .values([chat('in'), chat('out'), chat('in')])
      .execute();
    const r = await usageReport(ctx, orgId, '2026-03');
    expect(r.websiteChat).toEqual({ in: 2, out: 1, total: 3 });
    expect(r).toMatchObject({ used: 2, remaining: 498 });
    expect(r.messages.in.total + r.messages.out.total).toBe(2);
    expect(r.numbers.map((n) => n.numberId).sort()).toEqual(['mt', 'tw']);
  });

  it('a free trial costs the platform: the margin is a loss, below zero', async () => {
    const trial = (await createOrganization(ctx, { name: 'Free trial' })).id;
    const at = ctx.clock.now().toISOString();
    await ctx.db
      .insertInto('messages')
      .values({
        organization_id: trial,
        direction: 'out',
        author: 'bot',
        audience: 'contact',
        status: 'sent',
        provider: 'twilio',
        category: 'service',
        cost: 0.005,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const r = await usageReport(ctx, trial, '2026-03');
    expect(r).toMatchObject({ planPrice: 0, cost: { total: 0.005 }, margin: -0.005 });
  });

  it('gives a month-by-month series for charts', async () => {
    await add('tw', 'twilio', 'in', { at: '2026-02-20T10:00:00Z' });
    await add('tw', 'twilio', 'in');
    await add('tw', 'twilio', 'out');
    const series = await usageHistory(ctx, orgId, ['2026-01', '2026-02', '2026-03']);
    expect(series.map((m) => [m.month, m.messagesIn, m.messagesOut, m.cost.total])).toEqual([
      ['2026-01', 0, 0, 0],
      ['2026-02', 1, 0, 1.005],
      ['2026-03', 1, 1, 1.01],
    ]);
  });
});
