// What a message and a number cost the platform (SPEC §9). The table is configuration: the
// defaults come from the provisioning guide (seed 002) and Meta's per-message pricing; an operator
// overrides them with the `prices` setting (services/usage.ts).
import { z } from 'zod';

export type MessageCategory = 'service' | 'utility' | 'marketing' | 'authentication';

export interface WindowRule {
  /** YYYY-MM-DD, UTC */
  since: string;
  freeInsideWindow: MessageCategory[];
}

export interface PriceTable {
  /** per message, each way, by provider (Twilio's $0.005; Meta direct and Whapi charge no per-message fee) */
  providerFee: Record<string, number>;
  /**
   * Meta's fee for a business-initiated message by category. Service (free-form) messages are only
   * possible inside the 24-hour window and are free; utility templates are free inside it too.
   */
  metaFee: Record<MessageCategory, number>;
  /**
   * Which categories Meta does not charge inside the 24-hour window, from a day on
   * (providers-templates.md A3.1): the latest rule not after the message applies.
   */
  windowRules: WindowRule[];
  /** providers that carry Meta's fee (the WhatsApp Business Platform; Whapi is not on it) */
  metaBilled: string[];
  /** dollars a month per dedicated number, by provider */
  numberRental: Record<string, number>;
}

// The simulator is priced like Twilio so the demo's usage page shows what the same traffic would
// cost in production; nothing is actually charged.
export const DEFAULT_PRICES: PriceTable = {
  providerFee: { twilio: 0.005, simulator: 0.005, meta: 0, whapi: 0 },
  metaFee: { service: 0, utility: 0.0034, marketing: 0.025, authentication: 0.0135 },
  // Service messages free since 2024-11-01, utility templates inside the window too until 2026-09-30.
  // The charge for service messages reported from 2026-10-01 is not confirmed (A6.1): an operator
  // who has it on their bill sets `metaFee.service` and a rule without `service`.
  windowRules: [
    { since: '2024-11-01', freeInsideWindow: ['service', 'utility'] },
    { since: '2026-10-01', freeInsideWindow: ['service'] },
  ],
  metaBilled: ['twilio', 'meta', 'simulator'],
  numberRental: { twilio: 1, simulator: 1, meta: 0, whapi: 0 },
};

/** The shape of the `prices` setting: any part may be given; the rest stays default. */
export const priceTableOverride = z
  .object({
    providerFee: z.record(z.string(), z.number().min(0)),
    metaFee: z.object({ service: z.number().min(0), utility: z.number().min(0), marketing: z.number().min(0), authentication: z.number().min(0) }).partial(),
    windowRules: z.array(
      z.object({
        since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day like 2026-10-01'),
        freeInsideWindow: z.array(z.enum(['service', 'utility', 'marketing', 'authentication'])),
      }),
    ),
    metaBilled: z.array(z.string()),
    numberRental: z.record(z.string(), z.number().min(0)),
  })
  .partial()
  .strict();

export function mergePrices(override: z.infer<typeof priceTableOverride>, base: PriceTable = DEFAULT_PRICES): PriceTable {
  return {
    providerFee: { ...base.providerFee, ...override.providerFee },
    metaFee: { ...base.metaFee, ...override.metaFee },
    windowRules: override.windowRules ?? base.windowRules,
    metaBilled: override.metaBilled ?? base.metaBilled,
    numberRental: { ...base.numberRental, ...override.numberRental },
  };
}

export interface PricedMessage {
  direction: 'in' | 'out' | string;
  provider: string | null;
  category: MessageCategory | string;
  /** the contact wrote within the last 24 hours */
  insideWindow: boolean;
  /** when it is sent (which window rule applies); absent: the latest rule */
  at?: Date;
}

/** The latest window rule in force at `at` (the latest of all without it). */
function windowRuleAt(prices: PriceTable, at: Date | undefined): WindowRule | undefined {
  const day = at?.toISOString().slice(0, 10);
  const rules = [...prices.windowRules].sort((a, b) => a.since.localeCompare(b.since));
  return rules.filter((rule) => day === undefined || rule.since <= day).at(-1);
}

export function providerFee(provider: string | null, prices: PriceTable = DEFAULT_PRICES): number {
  return provider ? (prices.providerFee[provider] ?? 0) : 0;
}

/** Meta's part: outbound only, on the Business Platform, by category; free inside the window where the rule in force says. */
export function metaFee(message: PricedMessage, prices: PriceTable = DEFAULT_PRICES): number {
  if (message.direction !== 'out' || !message.provider || !prices.metaBilled.includes(message.provider)) return 0;
  const category = (message.category in prices.metaFee ? message.category : 'service') as MessageCategory;
  if (message.insideWindow && windowRuleAt(prices, message.at)?.freeInsideWindow.includes(category)) return 0;
  return prices.metaFee[category];
}

/** Dollars for one message, rounded to a hundredth of a cent so sums stay exact enough. */
export function messageCost(message: PricedMessage, prices: PriceTable = DEFAULT_PRICES): number {
  return roundCost(providerFee(message.provider, prices) + metaFee(message, prices));
}

export function rentalFee(provider: string, prices: PriceTable = DEFAULT_PRICES): number {
  return prices.numberRental[provider] ?? 0;
}

export function roundCost(dollars: number): number {
  return Math.round(dollars * 1e6) / 1e6;
}
