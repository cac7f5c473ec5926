// Meta Cloud API identifiers: wamid message ids, numeric Graph ids, wa_id digits and BSUIDs.
import { e164Digits, parseWhatsappAddress, type WhatsappAddress } from '../../core/phone.js';

/** `wamid.` + base64-ish text (may contain `=`, `+`, `/`, `_`, `-`). */
export function isWamid(value: string): boolean {
  return /^wamid\.[A-Za-z0-9+/=_-]{4,}$/.test(value);
}

/** phone_number_id, WABA id, media id: Graph ids are decimal digits. */
export function isGraphId(value: string): boolean {
  return /^\d{5,25}$/.test(value);
}

/** A webhook's `from` / `wa_id` / `recipient_id` (digits, no `+`) or a BSUID → address. */
export function parseWaId(value: string | undefined): WhatsappAddress | undefined {
  return parseWhatsappAddress(value);
}

/**
 * The recipient field of a send: phone digits go in `to`; a user known only by BSUID or username
 * goes in `recipient` (2026 username rollout, providers.md §2.2).
 */
export function metaRecipient(phoneOrId: string): { to: string } | { recipient: string } | undefined {
  const address = parseWhatsappAddress(phoneOrId);
  if (!address) return undefined;
  return 'phone' in address ? { to: e164Digits(address.phone) } : { recipient: address.externalId };
}
