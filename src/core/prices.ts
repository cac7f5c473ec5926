// What a message and a number cost the platform (SPEC §9). The table is configuration: the
// defaults come from the provisioning guide (seed 002) and Meta's per-message pricing; an operator
// overrides them with the `prices` setting (services/usage.ts).
import { z } from 'zod';

export type MessageCategory = 'service' | 'utility' | 'marketing' | 'authentication';

export interface PriceTable {
  /** per message, each way, by provider (Twilio's $0.005; Meta direct and Whapi charge no per-message fee) */
  providerFee: Record<string, number>;
  /**
   * Meta's fee for a business-initiated message by category. Service (free-form) messages are only
   * possible inside the 24-hour window and are free; utility templates are free inside it too.
   */
  metaFee: Record<MessageCategory, number>;
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
  metaBilled: ['twilio', 'meta', 'simulator'],
  numberRental: { twilio: 1, simulator: 1, meta: 0, whapi: 0 },
};

/** The shape of the `prices` setting: any part may be given; the rest stays default. */
export const priceTableOverride = z
  .object({
    providerFee: z.record(z.string(), z.number().min(0)),
    metaFee: z.object({ service: z.number().min(0), utility: z.number().min(0), marketing: z.number().min(0), authentication: z.number().min(0) }).partial(),
    metaBilled: z.array(z.string()),
    numberRental: z.record(z.string(), z.number().min(0)),
  })
  .partial()
  .strict();

export function mergePrices(override: z.infer<typeof priceTableOverride>, base: PriceTable = DEFAULT_PRICES): PriceTable {
  return {
    providerFee: { ...base.providerFee, ...override.providerFee },
    metaFee: { ...base.metaFee, ...override.metaFee },
    metaBilled: override.metaBilled ?? base.metaBilled,
    numberRental: { ...base.numberRental, ...override.numberRental },
  };
}

export interface PricedMessage {
  direction: 'in' | 'out' | string;
  provider: string | null;
  category: MessageCategory | string;
  /** the contact wrote within the last 24 hours (only matters for utility templates) */
  insideWindow: boolean;
}

export function providerFee(provider: string | null, prices: PriceTable = DEFAULT_PRICES): number {
  return provider ? (prices.providerFee[provider] ?? 0) : 0;
}

/** Meta's part: outbound only, on the Business Platform, by category; free inside the window for utility. */
export function metaFee(message: PricedMessage, prices: PriceTable = DEFAULT_PRICES): number {
  if (message.direction !== 'out' || !message.provider || !prices.metaBilled.includes(message.provider)) return 0;
  const category = (message.category in prices.metaFee ? message.category : 'service') as MessageCategory;
  if (category === 'service') return 0;
  if (category === 'utility' && message.insideWindow) return 0;
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
