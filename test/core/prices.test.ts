import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, mergePrices, messageCost, priceTableOverride, rentalFee } from '../../src/core/prices.js';

const msg = (direction: 'in' | 'out', provider: string, category = 'service', insideWindow = true) => ({ direction, provider, category, insideWindow });

describe('message cost', () => {
  it("charges Twilio's $0.005 each way and no Meta fee inside the window", () => {
    expect(messageCost(msg('in', 'twilio'))).toBe(0.005);
    expect(messageCost(msg('out', 'twilio'))).toBe(0.005);
  });

  it('adds Meta fees by template category; utility was free inside the window until 2026-09-30', () => {
    expect(messageCost(msg('out', 'twilio', 'utility', false))).toBe(0.0084);
    expect(messageCost({ ...msg('out', 'twilio', 'utility', true), at: new Date('2026-09-30T23:00:00Z') })).toBe(0.005);
    expect(messageCost(msg('out', 'twilio', 'marketing', true))).toBe(0.03);
    expect(messageCost(msg('out', 'twilio', 'authentication', false))).toBe(0.0185);
    // Meta's own Cloud API has no provider fee, only Meta's.
    expect(messageCost(msg('out', 'meta', 'utility', false))).toBe(0.0034);
    expect(messageCost(msg('in', 'meta'))).toBe(0);
  });

  it('prices a utility template inside the window from 2026-10-01, by the dated window rules (A3.1), and service stays free', () => {
    const october = new Date('2026-10-01T08:00:00Z');
    expect(messageCost({ ...msg('out', 'twilio', 'utility', true), at: october })).toBe(0.0084);
    expect(messageCost({ ...msg('out', 'meta', 'utility', true), at: october })).toBe(0.0034);
    expect(messageCost({ ...msg('out', 'twilio', 'service', true), at: october })).toBe(0.005);
    // The rules are configuration: an operator whose bill shows the service charge says so.
    const charged = mergePrices(priceTableOverride.parse({ metaFee: { service: 0.0034 }, windowRules: [{ since: '2026-10-01', freeInsideWindow: [] }] }));
    expect(messageCost({ ...msg('out', 'meta', 'service', true), at: october }, charged)).toBe(0.0034);
    expect(priceTableOverride.safeParse({ windowRules: [{ since: 'October', freeInsideWindow: [] }] }).success).toBe(false);
  });

  it('charges nothing per message on Whapi, which is not on the Business Platform', () => {
    expect(messageCost(msg('out', 'whapi', 'marketing', false))).toBe(0);
  });

  it('follows an override of the table', () => {
    const prices = mergePrices(priceTableOverride.parse({ providerFee: { twilio: 0.0079 }, metaFee: { utility: 0.004 } }));
    expect(messageCost(msg('out', 'twilio', 'utility', false), prices)).toBe(0.0119);
    expect(prices.metaFee.marketing).toBe(DEFAULT_PRICES.metaFee.marketing);
    expect(priceTableOverride.safeParse({ providerFee: { twilio: -1 } }).success).toBe(false);
  });

  it('rents dedicated Twilio numbers for $1.00 a month', () => {
    expect(rentalFee('twilio')).toBe(1);
    expect(rentalFee('meta')).toBe(0);
  });
});
