// The usage counters (migration 371) checked against the messages themselves: the report's old
// grouping of a month of messages, and a random stretch of the product's own operations to play
// on SQLite and PostgreSQL before comparing the two.
import { sql } from 'kysely';
import { monthRange } from '../../src/core/plans.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { Db } from '../../src/db/database.js';
import type { NumberRow, Organization } from '../../src/db/schema.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { providers } from '../../src/providers/registry.js';
import type { AppContext } from '../../src/services/context.js';
import { receiveWebhook } from '../../src/services/inbound/receive.js';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { setPrices, type UsageGroup } from '../../src/services/tenancy/usage.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { authenticateSession, createSession } from '../../src/services/widgets/sessions.js';
import { receiveVisitorMessage } from '../../src/services/widgets/visitor-inbound.js';
import { webhookRequest } from '../fixtures/providers/index.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from './factories.js';

/** A month of the organization's messages grouped as the report prices them, straight from messages (the report's query before 371). */
export async function recountUsage(db: Db, organizationId: string, month: string): Promise<UsageGroup[]> {
  const { start, end } = monthRange(month);
  const failed = sql<number>`case when status = 'failed' and direction = 'out' then 1 else 0 end`;
  const rows = await db
    .selectFrom('messages')
    .select(['number_id', 'provider', 'direction', 'audience', 'category', failed.as('failed'), (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('cost').as('cost')])
    .where('organization_id', '=', organizationId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .groupBy(['number_id', 'provider', 'direction', 'audience', 'category', failed])
    .execute();
  return sortGroups(rows.map((r) => ({ ...r, failed: Number(r.failed), n: Number(r.n), cost: roundSum(r.cost) })));
}

/** The same month as the counters hold it. */
export async function countedUsage(db: Db, organizationId: string, month: string): Promise<UsageGroup[]> {
  const rows = await db.selectFrom('usage_counts').selectAll().where('organization_id', '=', organizationId).where('month', '=', month).where('messages', '>', 0).execute();
  return sortGroups(
    rows.map((r) => ({
      number_id: r.number_id === '' ? null : r.number_id,
      provider: r.provider === '' ? null : r.provider,
      direction: r.direction,
      audience: r.audience,
      category: r.category,
      failed: Number(r.failed),
      n: Number(r.messages),
      cost: roundSum(r.cost),
    })),
  );
}

/** Sums of costs added in another order differ in the last bits of a double. */
const roundSum = (cost: number | string | null) => Math.round(Number(cost ?? 0) * 1e9) / 1e9;

const sortGroups = (groups: UsageGroup[]) => groups.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** A small deterministic random source: a failing seed plays the same operations again. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

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
      await simulator({ id: `sim-usage-${++sequence}`, from: pick(AGENTS), to: pick(numbers).phone_number, text: `#${1 + Math.floor(random() * 4)}: On my way` });
    },
    'a template to a customer': async () => {
      const to = customer();
      await enqueueSend(ctx, { organizationId: organization.id, numberId: pick(numbers).id, to, template: TEMPLATE, category: pick(['utility', 'marketing']), author: 'bot' });
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
      const row = await ctx.db.selectFrom('messages').select('id').where('organization_id', '=', organization.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (row) await ctx.db.updateTable('messages').set({ cost: pick([0, 0.005, 0.0134]) }).where('id', '=', row.id).execute();
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
