// Plan limits (SPEC §9): the messages exchanged with customers on WhatsApp, both ways, in the
// calendar month (UTC). At the limit inbound is still stored, automatic replies stop (canAutoReply)
// and API sends answer 402 (assertCanSend).
// Not counted: messages to and from the organization's own agents (notifications, forwards, "taken
// by" notices, templates — they cost money and are their own line in usage.ts, but a busy day of
// handovers must not silence the bot), and website-chat messages (no provider carried them, nothing
// was paid, and a busy website must not silence the WhatsApp replies).
// The count is a counter per organization and month (`plan_usage`), moved in the same transaction
// that stamps the message's `plan_month`, so a message counts once however often its job runs.
import { sql } from 'kysely';
import { type LimitState, limitStateOf, monthOf, mergePlans, planOf, planTableOverride, type PlanName, type PlanTable } from '../../core/plans.js';
import type { Db, Tx } from '../../db/database.js';
import { notFound, paymentRequired } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import type { z } from 'zod';
import { cachedLookup } from '../lookup-cache.js';

export const PLANS_SETTING = 'plans';

/**
 * A JSON setting validated by `schema`; a missing one is `fallback`. A stored value that no longer
 * validates is logged and ignored, so a bad edit cannot stop replies or sends.
 */
export async function readJsonSetting<T>(ctx: AppContext, key: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (!row) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.value);
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (result.success) return result.data;
  ctx.log.warn({ setting: key }, 'setting is not valid; using the defaults');
  return fallback;
}

/** The plan table: defaults with the operator's `plans` setting laid over them. */
export async function loadPlans(ctx: AppContext): Promise<PlanTable> {
  return mergePlans(await readJsonSetting(ctx, PLANS_SETTING, planTableOverride, {}));
}

export interface MonthlyUsage {
  plan: PlanName;
  month: string;
  limit: number;
  used: number;
  remaining: number;
  limitState: LimitState;
}

/** Customer messages counted toward the plan in the month: one row read. */
/** One row of the plan's counter, by its primary key (organization_id, month). */
export const planUsageQuery = (db: Db, organizationId: string, month: string) =>
  db.selectFrom('plan_usage').select('customer_messages').where('organization_id', '=', organizationId).where('month', '=', month);

export async function countMessages(ctx: AppContext, organizationId: string, month: string): Promise<number> {
  const row = await planUsageQuery(ctx.db, organizationId, month).executeTakeFirst();
  return Number(row?.customer_messages ?? 0);
}

/**
 * Counts a customer's WhatsApp message (one it sent, or one sent to it) toward its organization's
 * plan, in the month it was created; a message already counted changes nothing. Run it inside the
 * transaction that stores or attaches the message.
 */
export async function countTowardPlan(db: Db | Tx, message: { id: number; organization_id: string; created_at: string }): Promise<void> {
  const month = monthOf(new Date(message.created_at));
  const stamped = await db.updateTable('messages').set({ plan_month: month }).where('id', '=', message.id).where('plan_month', 'is', null).executeTakeFirst();
  if (Number(stamped.numUpdatedRows) === 0) return;
  await db
    .insertInto('plan_usage')
    .values({ organization_id: message.organization_id, month, customer_messages: 1 })
    .onConflict((oc) => oc.columns(['organization_id', 'month']).doUpdateSet({ customer_messages: sql`plan_usage.customer_messages + 1` }))
    .execute();
}

/** Gives a counted message back to the plan: a send that failed before the provider took it. */
export async function uncountFromPlan(db: Db | Tx, messageId: number): Promise<void> {
  const counted = await db.selectFrom('messages').select(['organization_id', 'plan_month']).where('id', '=', messageId).executeTakeFirst();
  if (!counted?.organization_id || !counted.plan_month) return;
  const cleared = await db
    .updateTable('messages')
    .set({ plan_month: null })
    .where('id', '=', messageId)
    .where('plan_month', '=', counted.plan_month)
    .executeTakeFirst();
  if (Number(cleared.numUpdatedRows) === 0) return;
  await db
    .updateTable('plan_usage')
    .set({ customer_messages: sql`customer_messages - 1` })
    .where('organization_id', '=', counted.organization_id)
    .where('month', '=', counted.plan_month)
    .execute();
}

/** The organization's plan name, cached until an organization's plan changes (lookup-cache.ts). */
export function organizationPlan(ctx: AppContext, organizationId: string): Promise<string> {
  return cachedLookup(ctx, 'plan', organizationId, async () => {
    const row = await ctx.db.selectFrom('organizations').select('plan').where('id', '=', organizationId).executeTakeFirst();
    if (!row) throw notFound('Organization');
    return row.plan;
  });
}

export async function monthlyUsage(ctx: AppContext, organizationId: string, month = monthOf(ctx.clock.now())): Promise<MonthlyUsage> {
  // The plan table itself is read each time: operators edit the `plans` setting in the database.
  const { name, plan } = planOf(await organizationPlan(ctx, organizationId), await loadPlans(ctx));
  const used = await countMessages(ctx, organizationId, month);
  return {
    plan: name,
    month,
    limit: plan.messageLimit,
    used,
    remaining: Math.max(0, plan.messageLimit - used),
    limitState: limitStateOf(used, plan.messageLimit),
  };
}

export interface PlanStanding {
  /** customers' WhatsApp messages counted this month */
  messagesUsed: number;
  messageLimit: number;
  limitState: LimitState;
}

/** Where each organization stands against its plan this month: one read of the counters for all of them. */
export async function planStandings(ctx: AppContext, orgs: Array<{ id: string; plan: string }>): Promise<Map<string, PlanStanding>> {
  const month = monthOf(ctx.clock.now());
  const plans = await loadPlans(ctx);
  const counted = orgs.length
    ? await ctx.db
        .selectFrom('plan_usage')
        .select(['organization_id', 'customer_messages'])
        .where('month', '=', month)
        .where(
          'organization_id',
          'in',
          orgs.map((o) => o.id),
        )
        .execute()
    : [];
  const used = new Map(counted.map((c) => [c.organization_id, Number(c.customer_messages)]));
  return new Map(
    orgs.map((o) => {
      const { plan } = planOf(o.plan, plans);
      const messagesUsed = used.get(o.id) ?? 0;
      return [o.id, { messagesUsed, messageLimit: plan.messageLimit, limitState: limitStateOf(messagesUsed, plan.messageLimit) }];
    }),
  );
}

export async function canAutoReply(ctx: AppContext, organizationId: string): Promise<boolean> {
  return (await monthlyUsage(ctx, organizationId)).remaining > 0;
}

export async function assertCanSend(ctx: AppContext, organizationId: string): Promise<void> {
  const usage = await monthlyUsage(ctx, organizationId);
  if (usage.remaining > 0) return;
  throw paymentRequired(
    `This organization has reached its monthly limit: plan ${usage.plan} allows ${usage.limit} messages a month, ` +
      `and ${usage.used} have been used in ${usage.month}. Upgrade the plan or wait for next month.`,
  );
}
