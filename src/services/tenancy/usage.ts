// Usage and cost per organization and month (SPEC §9): messages by direction and category, cost by
// part (provider fee, Meta fee, number rental, and messages with the organization's own agents as
// their own line), the plan with where the organization stands against its limit, and the margin,
// per number as well.
import { badRequest } from '../../core/errors.js';
import { type LimitState, limitStateOf, monthRange, planOf } from '../../core/plans.js';
import {
  mergePrices,
  messageCost,
  priceTableOverride,
  providerFee,
  rentalFee,
  roundCost,
  type MessageCategory,
  type PricedMessage,
  type PriceTable,
} from '../../core/prices.js';
import type { Db } from '../../db/database.js';
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { getOrganization } from './organizations.js';
import { countMessages, loadPlans, readJsonSetting } from './plans.js';

export const PRICES_SETTING = 'prices';

export async function loadPrices(ctx: AppContext): Promise<PriceTable> {
  return mergePrices(await readJsonSetting(ctx, PRICES_SETTING, priceTableOverride, {}));
}

// Costing a message must not add a database read to the webhook hot path: the table is read once
// per context and kept until setPrices writes a new one here, or for a minute (another instance's write).
const PRICES_KEPT_MS = 60_000;

function currentPrices(ctx: AppContext): Promise<PriceTable> {
  const now = ctx.clock.now().getTime();
  const kept = ctx.state.prices;
  if (kept && now - kept.readAt < PRICES_KEPT_MS) return kept.table;
  const entry = { table: loadPrices(ctx), readAt: now };
  ctx.state.prices = entry;
  // A failed read is not kept: the next message reads again.
  entry.table.catch(() => {
    if (ctx.state.prices === entry) ctx.state.prices = undefined;
  });
  return entry.table;
}

/** The cost to store on a message row, by the operator's price table. */
export async function priceMessage(ctx: AppContext, message: PricedMessage): Promise<number> {
  return messageCost({ at: ctx.clock.now(), ...message }, await currentPrices(ctx));
}

/** Writes the operator's `prices` setting (any part of the table; the rest stays default). */
export async function setPrices(ctx: AppContext, override: unknown): Promise<PriceTable> {
  const parsed = priceTableOverride.safeParse(override);
  if (!parsed.success)
    throw badRequest(`The prices are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'prices'} ${i.message}`).join('; ')}.`);
  const value = JSON.stringify(parsed.data);
  await ctx.db
    .insertInto('settings')
    .values({ key: PRICES_SETTING, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
  ctx.state.prices = undefined;
  return mergePrices(parsed.data);
}

const CATEGORIES: MessageCategory[] = ['service', 'utility', 'marketing', 'authentication'];

type CategoryCounts = Record<MessageCategory, number> & { total: number };
export interface CostParts {
  /** the provider's fee for customers' messages */
  provider: number;
  /** Meta's fee for customers' messages (templates, outside the window) */
  meta: number;
  rental: number;
  /** every fee for messages to and from the organization's agents (notifications, forwards, templates, their replies) */
  agents: number;
  total: number;
}

export interface NumberUsage {
  numberId: string | null;
  phoneNumber: string | null;
  provider: string | null;
  displayName: string | null;
  messagesIn: number;
  messagesOut: number;
  failedOut: number;
  cost: CostParts;
}

export interface UsageReport {
  organizationId: string;
  month: string;
  plan: string;
  planPrice: number;
  limit: number;
  /** customers' WhatsApp messages counted toward the plan's limit */
  used: number;
  remaining: number;
  /** `near` from 80% of the limit, `reached` at it: the bot stops answering */
  limitState: LimitState;
  /** customers' WhatsApp messages (carried by a provider) */
  messages: { in: CategoryCounts; out: CategoryCounts & { failed: number } };
  /** WhatsApp messages with the organization's own agents: paid for (cost.agents), never counted toward the limit */
  agentMessages: { in: number; out: number; failed: number; templates: number };
  /** website-chat messages (widget, no provider): free to carry, so not counted toward the limit */
  websiteChat: { in: number; out: number; total: number };
  cost: CostParts;
  /**
   * plan price minus total cost: what the platform keeps this month. Negative when the month cost
   * the platform more than the plan brings (a free trial always does): a loss, never a charge.
   */
  margin: number;
  /** WhatsApp numbers that carried messages or are rented */
  numbers: NumberUsage[];
}

const emptyCounts = (): CategoryCounts => ({ total: 0, service: 0, utility: 0, marketing: 0, authentication: 0 });
const zeroCost = (): CostParts => ({ provider: 0, meta: 0, rental: 0, agents: 0, total: 0 });

function addCost(into: CostParts, part: Omit<CostParts, 'total'>): void {
  into.provider = roundCost(into.provider + part.provider);
  into.meta = roundCost(into.meta + part.meta);
  into.rental = roundCost(into.rental + part.rental);
  into.agents = roundCost(into.agents + part.agents);
  into.total = roundCost(into.provider + into.meta + into.rental + into.agents);
}

/**
 * The organization's usage counters of these months (migration 371): a few rows per month read by
 * the counter's primary key (organization_id, month, …), however many messages the months hold.
 */
export function usageCountsQuery(db: Db, organizationId: string, months: string[]) {
  return db
    .selectFrom('usage_counts')
    .select(['month', 'number_id', 'provider', 'direction', 'audience', 'category', 'failed', 'messages', 'cost'])
    .where('organization_id', '=', organizationId)
    .where('month', 'in', months)
    .where('messages', '>', 0);
}

/** One group of a month's messages as the report prices it; a message without number or provider has null. */
export interface UsageGroup {
  number_id: string | null;
  provider: string | null;
  direction: string;
  audience: string;
  category: string;
  failed: number;
  n: number;
  cost: number | null;
}

type UsageCountRow = Awaited<ReturnType<ReturnType<typeof usageCountsQuery>['execute']>>[number];

/** A counter row as a group of messages: the key's '' (no number, no provider) read as null. */
export function usageGroupOf(row: UsageCountRow): UsageGroup {
  return {
    number_id: row.number_id === '' ? null : row.number_id,
    provider: row.provider === '' ? null : row.provider,
    direction: row.direction,
    audience: row.audience,
    category: row.category,
    failed: Number(row.failed),
    n: Number(row.messages),
    cost: Number(row.cost),
  };
}

export async function usageReport(ctx: AppContext, organizationId: string, month: string): Promise<UsageReport> {
  const [report] = await usageReports(ctx, organizationId, [month]);
  return report!;
}

/** The reports of several months: the organization, plans, prices and numbers read once, the counters in one read. */
async function usageReports(ctx: AppContext, organizationId: string, months: string[]): Promise<UsageReport[]> {
  const org = await getOrganization(ctx, organizationId);
  // a month that is not one throws here (RangeError), before anything else is read
  for (const month of months) monthRange(month);
  const [plans, prices] = await Promise.all([loadPlans(ctx), loadPrices(ctx)]);
  const { name: planName, plan } = planOf(org.plan, plans);
  const counted = months.length ? await usageCountsQuery(ctx.db, organizationId, months).execute() : [];
  const groupsOf = new Map<string, UsageGroup[]>(months.map((m) => [m, []]));
  for (const c of counted) groupsOf.get(c.month)?.push(usageGroupOf(c));
  // Rented numbers count for the whole month once they existed before its end.
  const owned = await ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', organizationId).execute();
  const messageNumberIds = [...new Set(counted.map((g) => g.number_id).filter((id) => id !== ''))];
  const others = messageNumberIds.filter((id) => !owned.some((n) => n.id === id));
  const foreign = others.length ? await ctx.db.selectFrom('numbers').selectAll().where('id', 'in', others).execute() : [];
  const numbers = [...owned, ...foreign];

  const reports: UsageReport[] = [];
  for (const month of months) {
    const priced = priceGroups(groupsOf.get(month)!, { owned, numbers, prices, end: monthRange(month).end });
    // The plan's own counter: what the bot's limit checks (plans.ts), so the page and the bot agree.
    const used = await countMessages(ctx, organizationId, month);
    reports.push({
      organizationId,
      month,
      plan: planName,
      planPrice: plan.price,
      limit: plan.messageLimit,
      used,
      remaining: Math.max(0, plan.messageLimit - used),
      limitState: limitStateOf(used, plan.messageLimit),
      ...priced,
      margin: roundCost(plan.price - priced.cost.total),
    });
  }
  return reports;
}

/** A month's groups priced: counts by category and audience, cost by part, per number. */
function priceGroups(
  groups: UsageGroup[],
  known: { owned: NumberRow[]; numbers: NumberRow[]; prices: PriceTable; end: string },
): Pick<UsageReport, 'messages' | 'agentMessages' | 'websiteChat' | 'cost' | 'numbers'> {
  const { owned, prices, end } = known;
  const perNumber = new Map<string | null, NumberUsage>();
  const numberUsage = (id: string | null): NumberUsage => {
    let entry = perNumber.get(id);
    if (!entry) {
      const row = known.numbers.find((n) => n.id === id);
      entry = {
        numberId: id,
        phoneNumber: row?.phone_number ?? null,
        provider: row?.provider ?? null,
        displayName: row?.display_name ?? null,
        messagesIn: 0,
        messagesOut: 0,
        failedOut: 0,
        cost: zeroCost(),
      };
      perNumber.set(id, entry);
    }
    return entry;
  };
  for (const n of owned) if (n.is_shared_trial === 0) numberUsage(n.id);

  const messages = { in: emptyCounts(), out: { ...emptyCounts(), failed: 0 } };
  const agentMessages = { in: 0, out: 0, failed: 0, templates: 0 };
  const websiteChat = { in: 0, out: 0, total: 0 };
  const cost = zeroCost();
  for (const g of groups) {
    const count = Number(g.n);
    if (g.provider === null) {
      // the widget's own chat: no provider carried it, nothing was paid for it
      websiteChat[g.direction === 'in' ? 'in' : 'out'] += count;
      websiteChat.total += count;
      continue;
    }
    const entry = numberUsage(g.number_id);
    const toAgents = g.audience === 'agent';
    if (Number(g.failed) === 1) {
      if (toAgents) agentMessages.failed += count;
      else messages.out.failed += count;
      entry.failedOut += count;
      continue; // a failed send is not billed and does not count toward the plan
    }
    if (g.direction === 'in') entry.messagesIn += count;
    else entry.messagesOut += count;
    if (toAgents) {
      agentMessages[g.direction === 'in' ? 'in' : 'out'] += count;
      if (g.category !== 'service') agentMessages.templates += count;
      const part = { provider: 0, meta: 0, rental: 0, agents: roundCost(Number(g.cost ?? 0)) };
      addCost(cost, part);
      addCost(entry.cost, part);
      continue;
    }
    const side = g.direction === 'in' ? messages.in : messages.out;
    const category = (CATEGORIES.includes(g.category as MessageCategory) ? g.category : 'service') as MessageCategory;
    side[category] += count;
    side.total += count;
    // The provider's part follows from the table; whatever a row recorded beyond it is Meta's fee.
    const providerPart = roundCost(count * providerFee(g.provider, prices));
    const part = { provider: providerPart, meta: Math.max(0, roundCost(Number(g.cost ?? 0) - providerPart)), rental: 0, agents: 0 };
    addCost(cost, part);
    addCost(entry.cost, part);
  }
  for (const n of owned) {
    if (n.is_dedicated !== 1 || n.created_at >= end) continue;
    const part = { provider: 0, meta: 0, rental: rentalFee(n.provider, prices), agents: 0 };
    addCost(cost, part);
    addCost(numberUsage(n.id).cost, part);
  }
  return { messages, agentMessages, websiteChat, cost, numbers: [...perNumber.values()] };
}

/** A short series for charts: one line per month, oldest first. */
export async function usageHistory(
  ctx: AppContext,
  organizationId: string,
  months: string[],
): Promise<Array<{ month: string; messagesIn: number; messagesOut: number; cost: CostParts; margin: number }>> {
  const reports = await usageReports(ctx, organizationId, months);
  return reports.map((r) => ({ month: r.month, messagesIn: r.messages.in.total, messagesOut: r.messages.out.total, cost: r.cost, margin: r.margin }));
}
