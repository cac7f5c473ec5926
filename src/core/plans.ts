// Message plans: price and monthly message limit per plan. The defaults are SPEC §6's table; an
// operator overrides them with the `plans` setting (services/plans.ts), so these are data, not code.
import { z } from 'zod';

export const PLAN_NAMES = ['trial', 'starter', 'business'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface Plan {
  /** dollars a month */
  price: number;
  /** messages exchanged with customers on WhatsApp a month, both directions, calendar month in UTC */
  messageLimit: number;
  /** trial organizations share the platform's trial number instead of owning one */
  dedicatedNumber: boolean;
  /** answers may use the configured LLM; otherwise the built-in retrieval answerer */
  llmAnswers: boolean;
}

export type PlanTable = Record<PlanName, Plan>;

export const DEFAULT_PLANS: PlanTable = {
  trial: { price: 0, messageLimit: 50, dedicatedNumber: false, llmAnswers: false },
  starter: { price: 15, messageLimit: 500, dedicatedNumber: true, llmAnswers: false },
  business: { price: 50, messageLimit: 2000, dedicatedNumber: true, llmAnswers: true },
};

const planOverride = z
  .object({
    price: z.number().min(0),
    messageLimit: z.number().int().min(0),
    dedicatedNumber: z.boolean(),
    llmAnswers: z.boolean(),
  })
  .partial()
  .strict();

/** The shape of the `plans` setting: any plan, any field, e.g. `{"starter":{"messageLimit":800}}`. */
export const planTableOverride = z.object({ trial: planOverride, starter: planOverride, business: planOverride }).partial().strict();

export function mergePlans(override: z.infer<typeof planTableOverride>, base: PlanTable = DEFAULT_PLANS): PlanTable {
  return {
    trial: { ...base.trial, ...override.trial },
    starter: { ...base.starter, ...override.starter },
    business: { ...base.business, ...override.business },
  };
}

export function isPlanName(value: string): value is PlanName {
  return (PLAN_NAMES as readonly string[]).includes(value);
}

/** A stored plan name that is no longer known falls back to trial, the most limited plan. */
export function planOf(name: string, table: PlanTable = DEFAULT_PLANS): { name: PlanName; plan: Plan } {
  const known: PlanName = isPlanName(name) ? name : 'trial';
  return { name: known, plan: table[known] };
}

/** Where an organization stands against its limit: the dashboard's banner says `near` and `reached`. */
export type LimitState = 'ok' | 'near' | 'reached';

/** From this share of the limit on, the operator is warned (SPEC §9: at 80%). */
export const NEAR_LIMIT_SHARE = 0.8;

export function limitStateOf(used: number, limit: number): LimitState {
  if (used >= limit) return 'reached';
  return used >= limit * NEAR_LIMIT_SHARE ? 'near' : 'ok';
}

/** Why a customer message waits in the inbox for a human, as the inbox shows it (messages.unanswered). */
export const UNANSWERED_REASONS = {
  limit_reached: 'Not answered: monthly limit reached',
} as const;
export type UnansweredReason = keyof typeof UNANSWERED_REASONS;

export function unansweredSentence(reason: string | null): string | null {
  if (reason === null) return null;
  return reason in UNANSWERED_REASONS ? UNANSWERED_REASONS[reason as UnansweredReason] : 'Not answered';
}

/** `2026-01` → the first instant of that month and of the next, as ISO strings (UTC). */
export function monthRange(month: string): { start: string; end: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return {
    start: new Date(Date.UTC(year, index, 1)).toISOString(),
    end: new Date(Date.UTC(year, index + 1, 1)).toISOString(),
  };
}

export function isMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** The calendar month (UTC) of an instant, `YYYY-MM`. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** `2026-03`, 2 → `[2026-02, 2026-03]`: the last `count` months ending with `month`, oldest first. */
export function monthsEndingWith(month: string, count: number): string[] {
  const { start } = monthRange(month);
  const first = new Date(start);
  const months: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    months.push(monthOf(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() - back, 1))));
  }
  return months;
}
