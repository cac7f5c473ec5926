// Whapi.cloud identifiers: chat ids (`14155552671@s.whatsapp.net`), channel ids and message ids.
import { e164Digits, toE164 } from '../../core/phone.js';

/** A one-to-one chat (`@s.whatsapp.net`; the obsolete `@c.us` still appears in older payloads). */
export function isPersonalChatId(value: string): boolean {
  return /^\d{6,15}@(s\.whatsapp\.net|c\.us)$/.test(value);
}

/** Groups (`@g.us`) and newsletters are not customer conversations. */
export function isGroupOrNewsletterChatId(value: string): boolean {
  return /@(g\.us|newsletter|broadcast)$/.test(value);
}

/** `14155552671@s.whatsapp.net` → `+14155552671`; undefined for groups and bad ids. */
export function chatIdToE164(chatId: string): string | undefined {
  return isPersonalChatId(chatId) ? toE164(chatId) : undefined;
}

/** E.164 → the personal chat id Whapi replies to. */
export function toWhapiChatId(e164: string): string {
  return `${e164Digits(e164)}@s.whatsapp.net`;
}

/** Message ids are opaque: letters, digits and `._-` (e.g. `p.w30M7fgwWD4XwHu.g4CA-gBgTwl0rVw`). */
export function isWhapiMessageId(value: string): boolean {
  return /^[A-Za-z0-9._-]{6,100}$/.test(value);
}

/** Channel ids look like `ACMEGEAR-7QK2X`. */
export function isWhapiChannelId(value: string): boolean {
  return /^[A-Za-z0-9_-]{3,64}$/.test(value);
}
