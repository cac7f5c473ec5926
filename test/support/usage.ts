// The usage counters (migration 371) checked against the messages themselves: the report's old
// grouping of a month of messages, and a random stretch of the product's own operations to play
// on SQLite and PostgreSQL before comparing the two.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { monthRange } from '../../src/core/plans.js';
import type { ManualClock } from '../../src/core/clock.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import type { NumberRow, Organization } from '../../src/db/schema.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { providers } from '../../src/providers/registry.js';
import type { AppContext } from '../../src/services/context.js';
import { receiveWebhook } from '../../src/services/inbound/receive.js';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { setPrices, type UsageGroup, usageCountsQuery, usageGroupOf, usageReport } from '../../src/services/tenancy/usage.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { authenticateSession, createSession } from '../../src/services/widgets/sessions.js';
import { receiveVisitorMessage } from '../../src/services/widgets/visitor-inbound.js';
import { webhookRequest } from '../fixtures/providers/index.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from './factories.js';
import { insertOldOrganization, migrateUpTo } from './migrations.js';

/** A month of the organization's messages grouped as the report prices them, straight from messages (the report's query before 371). */
export async function recountUsage(db: Db, organizationId: string, month: string): Promise<UsageGroup[]> {
  const { start, end } = monthRange(month);
  const failed = sql<number>`case when status = 'failed' and direction = 'out' then 1 else 0 end`;
  const rows = await db
    .selectFrom('messages')
    .select([
      'number_id',
      'provider',
      'direction',
      'audience',
      'category',
      failed.as('failed'),
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) => eb.fn.sum<number>('cost').as('cost'),
    ])
    .where('organization_id', '=', organizationId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .groupBy(['number_id', 'provider', 'direction', 'audience', 'category', failed])
    .execute();
  return sortGroups(rows.map((r) => ({ ...r, failed: Number(r.failed), n: Number(r.n), cost: roundSum(r.cost) })));
}

/** The same month as the counters hold it. */
export async function countedUsage(db: Db, organizationId: string, month: string): Promise<UsageGroup[]> {
  const rows = await usageCountsQuery(db, organizationId, [month]).execute();
  return sortGroups(rows.map((row) => ({ ...usageGroupOf(row), cost: roundSum(row.cost) })));
}

/** Sums of costs added in another order differ in the last bits of a double. */
const roundSum = (cost: number | string | null) => Math.round(Number(cost ?? 0) * 1e9) / 1e9;

const sortGroups = (groups: UsageGroup[]) => groups.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

export { seeded } from '../../bench/growth-loader.js';

const AGENTS = ['+15550100101', '+15550100102'];
const TEMPLATE = { name: 'order_update', variables: ['Maria'] };

export interface UsagePlay {
  organization: Organization;
  /** every operation played, in order (a failure names the sequence) */
  played: string[];
  /** the months the play touched, oldest first */
  months: string[];
}

/**
 * `steps` random operations of a simulator organization with agents and a website widget, its
 * clock moving across month ends: customers writing (the bot answers, "human" hands over and
 * notifies agents), agents replying from their phones, sends to customers (templates, free text
 * to customers, notices to agents outside their window that fail at once), status callbacks delivered and failed, website
 * visitors writing, and the operator changing prices.
 */
export async function playUsage(ctx: AppContext & { clock: ManualClock }, random: () => number, steps: number): Promise<UsagePlay> {
  const organization = await makeOrganization(ctx, { name: 'Counted shop', plan: 'business' });
  const numbers: NumberRow[] = [await makeNumber(ctx, { organization_id: organization.id }), await makeNumber(ctx, { organization_id: organization.id })];
  await activateAgents(ctx, organization.id, AGENTS);
  const widget = await createWidget(ctx, organization.id, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'] }));
  const visitors: Array<{ sessionId: string; token: string }> = [];
  const played: string[] = [];
  const months = new Set<string>();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const customer = () => `+551198765${String(Math.floor(random() * 8)).padStart(4, '0')}`;
  let sequence = 0;
  const simulator = (body: Record<string, unknown>) =>
    receiveWebhook(
      ctx,
      providers.simulator,
      webhookRequest({ url: '/api/webhooks/sim', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    );
  const sentIds = async () =>
    (
      await ctx.db
        .selectFrom('messages')
        .select('provider_message_id')
        .where('organization_id', '=', organization.id)
        .where('direction', '=', 'out')
        .where('provider_message_id', 'is not', null)
        .execute()
    ).map((m) => m.provider_message_id!);

  const operations: Record<string, () => Promise<void>> = {
    'a customer writes': async () => {
      const number = pick(numbers);
      await simulator({ id: `sim-usage-${++sequence}`, from: customer(), to: number.phone_number, text: pick(['Hello', 'Are you open today?', 'human']) });
    },
    'an agent replies from their phone': async () => {
      await simulator({
        id: `sim-usage-${++sequence}`,
        from: pick(AGENTS),
        to: pick(numbers).phone_number,
        text: `#${1 + Math.floor(random() * 4)}: On my way`,
      });
    },
    'a template to a customer': async () => {
      const to = customer();
      await enqueueSend(ctx, {
        organizationId: organization.id,
        numberId: pick(numbers).id,
        to,
        template: TEMPLATE,
        category: pick(['utility', 'marketing']),
        author: 'bot',
      });
    },
    'free text to a customer': async () => {
      const number = pick(numbers);
      const to = customer();
      await openServiceWindow(ctx, number.id, to);
      await enqueueSend(ctx, { organizationId: organization.id, numberId: number.id, to, text: 'Your order ships today', author: 'bot' });
    },
    'a notice to an agent, window open or not': async () => {
      const number = pick(numbers);
      const agent = pick(AGENTS);
      // outside the agent's window it is stored as failed at once (send.ts: WINDOW_CLOSED)
      if (random() < 0.5) await openServiceWindow(ctx, number.id, agent);
      await enqueueSend(ctx, { organizationId: organization.id, numberId: number.id, to: agent, text: 'New chat #9', author: 'system', audience: 'agent' });
    },
    'a status callback': async () => {
      const sent = await sentIds();
      if (sent.length === 0) return;
      await simulator({ type: 'status', id: pick(sent), status: pick(['delivered', 'read', 'failed', 'failed']) });
    },
    'a website visitor writes': async () => {
      if (visitors.length === 0 || random() < 0.3) visitors.push(await createSession(ctx, widget.publicKey, {}));
      const visitor = pick(visitors);
      const found = await authenticateSession(ctx, visitor.sessionId, visitor.token);
      await receiveVisitorMessage(ctx, found, { text: pick(['Hi', 'human', 'Do you deliver?']) });
    },
    'the operator changes prices': async () => {
      await setPrices(ctx, { providerFee: { simulator: pick([0.004, 0.005, 0.0071]) }, metaFee: { marketing: pick([0.025, 0.0311]) } });
    },
    'a cost corrected after the fact': async () => {
      // No product path changes a stored cost today; the counters follow one all the same.
      const row = await ctx.db
        .selectFrom('messages')
        .select('id')
        .where('organization_id', '=', organization.id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row)
        await ctx.db
          .updateTable('messages')
          .set({ cost: pick([0, 0.005, 0.0134]) })
          .where('id', '=', row.id)
          .execute();
    },
  };
  const names = Object.keys(operations);
  for (let step = 0; step < steps; step++) {
    const name = pick(names);
    played.push(name);
    months.add(ctx.clock.now().toISOString().slice(0, 7));
    await operations[name]!();
    if (random() < 0.7) await drainJobs(ctx);
    // Days pass, now and then across a month's end.
    ctx.clock.advance(Math.floor(random() * 3 * 86_400_000));
  }
  await drainJobs(ctx);
  months.add(ctx.clock.now().toISOString().slice(0, 7));
  return { organization, played, months: [...months].sort() };
}

/** The organization of legacyUsageDatabase and its two months. */
export const LEGACY = { organizationId: 'org-counted', months: ['2026-02', '2026-03'] } as const;

/**
 * A database at migration 361 holding two months of an organization's messages written before the
 * counters existed: customers' messages both ways, a marketing template, a failed send, notices to
 * agents, website chat (no provider, no number), and a message no organization holds yet.
 */
export async function legacyUsageDatabase(url: string): Promise<void> {
  const database = openDatabase(url);
  try {
    const db = await migrateUpTo(database, '361_entry_edits_and_learned_phrasings');
    const orgId = LEGACY.organizationId;
    await insertOldOrganization(db, orgId, 'Counted', '2026-01-01T00:00:00.000Z');
    const number = {
      organization_id: orgId,
      provider: 'twilio',
      display_name: null,
      connection_id: null,
      sender_status: 'online',
      is_shared_trial: 0,
      is_dedicated: 1,
    };
    await db
      .insertInto('numbers')
      .values([
        { ...number, id: 'num-tw', phone_number: '+14155550100', provider_id: 'PN1', created_at: '2026-01-15T00:00:00.000Z' },
        { ...number, id: 'num-new', phone_number: '+14155550101', provider_id: 'PN2', created_at: '2026-03-05T00:00:00.000Z' },
      ])
      .execute();
    let n = 0;
    const message = (at: string, fields: Record<string, unknown>) => ({
      organization_id: orgId,
      direction: 'out',
      author: 'bot',
      audience: 'contact',
      provider: 'twilio',
      number_id: 'num-tw',
      status: 'delivered',
      category: 'service',
      cost: 0.005,
      provider_message_id: `SM-old-${++n}`,
      created_at: at,
      updated_at: at,
      ...fields,
    });
    const inbound = { direction: 'in', author: 'contact', status: 'received' };
    await db
      .insertInto('messages')
      .values([
        message('2026-02-10T10:00:00.000Z', inbound),
        message('2026-02-10T10:00:05.000Z', {}),
        message('2026-02-28T23:59:59.999Z', inbound),
        message('2026-03-01T00:00:00.000Z', inbound),
        message('2026-03-02T09:00:00.000Z', inbound),
        message('2026-03-02T09:00:03.000Z', {}),
        message('2026-03-03T09:00:00.000Z', { category: 'marketing', cost: 0.03 }),
        message('2026-03-04T09:00:00.000Z', { status: 'failed', cost: 0 }),
        message('2026-03-04T09:05:00.000Z', { number_id: 'num-new', author: 'system', audience: 'agent' }),
        message('2026-03-04T09:06:00.000Z', { author: 'system', audience: 'agent', category: 'utility', cost: 0.0084 }),
        message('2026-03-05T12:00:00.000Z', { ...inbound, author: 'visitor', provider: null, number_id: null, provider_message_id: null, cost: 0 }),
        message('2026-03-05T12:00:01.000Z', { provider: null, number_id: null, provider_message_id: null, cost: 0 }),
        message('2026-03-06T12:00:00.000Z', { ...inbound, organization_id: null }),
      ])
      .execute();
  } finally {
    await database.close();
  }
}

/** What migration 371 made of legacyUsageDatabase's messages: the figures grouping them gave, and counting on after it. */
export async function expectLegacyUsageCounted(ctx: AppContext): Promise<void> {
  for (const month of LEGACY.months) {
    expect(await countedUsage(ctx.db, LEGACY.organizationId, month)).toEqual(await recountUsage(ctx.db, LEGACY.organizationId, month));
  }
  const march = await usageReport(ctx, LEGACY.organizationId, '2026-03');
  expect(march.messages.in.total).toBe(2);
  expect(march.messages.out).toMatchObject({ total: 2, service: 1, marketing: 1, failed: 1 });
  expect(march.agentMessages).toEqual({ in: 0, out: 2, failed: 0, templates: 1 });
  expect(march.websiteChat).toEqual({ in: 1, out: 1, total: 2 });
  // provider: 4 customer messages × $0.005; Meta: the template's 0.025; agents: 0.005 + 0.0084; rental: both numbers (the one of 5 March counts for the whole month)
  expect(march.cost).toEqual({ provider: 0.02, meta: 0.025, rental: 2, agents: 0.0134, total: 2.0584 });
  expect(march.numbers.find((n) => n.numberId === 'num-new')).toMatchObject({ messagesOut: 1, cost: { agents: 0.005, rental: 1 } });
  const february = await usageReport(ctx, LEGACY.organizationId, '2026-02');
  expect(february.messages.in.total + february.messages.out.total).toBe(3);
  // what comes after the upgrade is counted on top
  const at = '2026-03-20T10:00:00.000Z';
  await ctx.db
    .insertInto('messages')
    .values({
      organization_id: LEGACY.organizationId,
      direction: 'in',
      author: 'contact',
      audience: 'contact',
      provider: 'twilio',
      number_id: 'num-tw',
      status: 'received',
      category: 'service',
      cost: 0.005,
      created_at: at,
      updated_at: at,
    })
    .execute();
  expect((await usageReport(ctx, LEGACY.organizationId, '2026-03')).messages.in.total).toBe(3);
}
