// Plan limits: WhatsApp messages both ways in the calendar month (UTC). At the limit inbound is
// still stored, automatic replies stop (canAutoReply) and API sends answer 402 (assertCanSend).
// Website-chat messages (visitor ↔ bot or agent in the widget, no provider) are counted apart and
// not against the limit: they cost no provider or Meta fee, and a busy website must not silence
// the organization's WhatsApp replies.
import { monthOf, monthRange, mergePlans, planOf, planTableOverride, type PlanName, type PlanTable } from '../../core/plans.js';
import { paymentRequired } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import { getOrganization } from './organizations.js';
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
}

/** Messages that count toward the plan: WhatsApp ones (a provider carried them), every inbound one and every outbound one not failed. */
export async function countMessages(ctx: AppContext, organizationId: string, month: string): Promise<number> {
  const { start, end } = monthRange(month);
  const row = await ctx.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .where('provider', 'is not', null)
    .where((eb) => eb.or([eb('direction', '=', 'in'), eb('status', '!=', 'failed')]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The organization's plan name, cached until an organization's plan changes (lookup-cache.ts). */
export function organizationPlan(ctx: AppContext, organizationId: string): Promise<string> {
  return cachedLookup(ctx, 'plan', organizationId, async () => (await getOrganization(ctx, organizationId)).plan);
}

export async function monthlyUsage(ctx: AppContext, organizationId: string, month = monthOf(ctx.clock.now())): Promise<MonthlyUsage> {
  // The plan table itself is read each time: operators edit the `plans` setting in the database.
  const { name, plan } = planOf(await organizationPlan(ctx, organizationId), await loadPlans(ctx));
  const used = await countMessages(ctx, organizationId, month);
  return { plan: name, month, limit: plan.messageLimit, used, remaining: Math.max(0, plan.messageLimit - used) };
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
