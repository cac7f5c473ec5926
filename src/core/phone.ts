// Phone numbers and WhatsApp addresses. One person must be one contact, so every provider's way of
// writing a number (`whatsapp:+…`, wa_id digits, `…@s.whatsapp.net`) ends as one canonical E.164.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A WhatsApp party: a phone number (E.164), or an external id when the payload carries no phone. */
export type WhatsappAddress = { phone: string } | { externalId: string };

const PERSONAL_CHAT_SUFFIXES = ['@s.whatsapp.net', '@c.us'];

/**
 * Any written form of an international number → canonical E.164 (`+5511987654321`), or undefined.
 * Bare digits are read as international (wa_id style), never as a national number.
 */
export function toE164(input: string): string | undefined {
  let text = stripWhatsappPrefix(input.trim());
  const chatSuffix = PERSONAL_CHAT_SUFFIXES.find((s) => text.toLowerCase().endsWith(s));
  if (chatSuffix) text = text.slice(0, -chatSuffix.length);
  if (!/^\+?[\d\s().-]+$/.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return undefined;
  const e164 = `+${canonicalDigits(digits)}`;
  return isPossibleE164(e164) ? e164 : undefined;
}

// libphonenumber is the costliest step of a webhook (about 13% of its CPU in bench/profile.ts), and
// the same senders write again and again, so its verdict is remembered (bounded).
const possibleVerdicts = new Map<string, boolean>();

function isPossibleE164(e164: string): boolean {
  let verdict = possibleVerdicts.get(e164);
  if (verdict === undefined) {
    const parsed = parsePhoneNumberFromString(e164);
    // isPossible (length rules), not isValid: test ranges such as +1 555 01xx are real WhatsApp senders.
    // A number libphonenumber would rewrite (a trunk 0 after the country code) is not a WhatsApp id.
    verdict = Boolean(parsed?.isPossible() && parsed.number === e164);
    if (possibleVerdicts.size >= 10_000) possibleVerdicts.clear();
    possibleVerdicts.set(e164, verdict);
  }
  return verdict;
}

/** Digits without the `+`, as Meta's `to`/wa_id and Whapi's `to` want them. */
export function e164Digits(e164: string): string {
  return e164.replace(/^\+/, '');
}

/** `whatsapp:+1415…` → `+1415…` (any case of the prefix). */
export function stripWhatsappPrefix(address: string): string {
  return address.replace(/^whatsapp:/i, '');
}

/**
 * WhatsApp usernames and business-scoped user ids (BSUID, e.g. `US.13491208655302741918`) arrive
 * where a phone used to be. They contain a letter; phone numbers never do.
 */
export function isExternalId(value: string): boolean {
  return /^@?[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(value) && /[A-Za-z]/.test(value);
}

/** A provider's party field → phone or external id; undefined when it is neither (a bad id). */
export function parseWhatsappAddress(input: string | undefined | null): WhatsappAddress | undefined {
  if (typeof input !== 'string' || input.trim() === '') return undefined;
  const phone = toE164(input);
  if (phone) return { phone };
  const bare = stripWhatsappPrefix(input.trim());
  return isExternalId(bare) ? { externalId: bare.replace(/^@/, '') } : undefined;
}

/** The phone of an address, or its external id: what a provider is given as recipient. */
export function addressText(address: WhatsappAddress): string {
  return 'phone' in address ? address.phone : address.externalId;
}

/**
 * WhatsApp reports some mobile numbers in an older or alternative digit form; these rules fold each
 * variant onto one number (input and output are international digits without `+`):
 * - Brazil: mobiles gained a ninth digit (55 DD 9 + 8 digits); older accounts' wa_id still read
 *   55 DD + 8 digits. An 8-digit subscriber starting 6–9 is a mobile → insert the 9. Landlines
 *   (starting 2–5) stay as they are.
 * - Argentina: mobiles are dialled from abroad as 54 9 <area> <number> and WhatsApp's wa_id uses
 *   that form, while some gateways and people drop the 9. Canonical form: WITH the 9 (549…), which
 *   is also libphonenumber's E.164 for Argentine mobiles.
 * - Mexico: the mobile "1" after 52 was abolished in 2019 but wa_id still carries it (521…).
 *   Canonical form: WITHOUT it (52 + 10 digits), today's dialable number.
 */
export function canonicalDigits(digits: string): string {
  if (/^55\d{2}[6-9]\d{7}$/.test(digits)) return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  if (/^54[1-8]\d{9}$/.test(digits)) return `549${digits.slice(2)}`;
  if (/^521\d{10}$/.test(digits)) return `52${digits.slice(3)}`;
  return digits;
}
