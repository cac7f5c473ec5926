// Twilio's identifiers: `whatsapp:` channel addresses and 34-character SIDs (two letters + 32 hex).
import { addressText, parseWhatsappAddress, type WhatsappAddress } from '../../core/phone.js';

const sidPattern = (prefixes: string) => new RegExp(`^(?:${prefixes})[0-9a-fA-F]{32}$`);
const MESSAGE_SID = sidPattern('SM|MM');
const PHONE_NUMBER_SID = sidPattern('PN');
const ACCOUNT_SID = sidPattern('AC');
const MESSAGING_SERVICE_SID = sidPattern('MG');
const CONTENT_SID = sidPattern('HX');

/** `SM…` (text) or `MM…` (media) message SID. */
export const isMessageSid = (value: string): boolean => MESSAGE_SID.test(value);
/** `PN…` IncomingPhoneNumber SID (a bought number). */
export const isPhoneNumberSid = (value: string): boolean => PHONE_NUMBER_SID.test(value);
export const isAccountSid = (value: string): boolean => ACCOUNT_SID.test(value);
export const isMessagingServiceSid = (value: string): boolean => MESSAGING_SERVICE_SID.test(value);
/** `HX…` Content Template SID: how WhatsApp templates are named on Twilio. */
export const isContentSid = (value: string): boolean => CONTENT_SID.test(value);

/** `whatsapp:+5511987654321` (or `whatsapp:<BSUID>`) → address; undefined for anything else. */
export function parseTwilioAddress(value: string | undefined): WhatsappAddress | undefined {
  if (!value || !/^whatsapp:/i.test(value)) return undefined;
  return parseWhatsappAddress(value);
}

/** E.164 or external id → Twilio's WhatsApp channel address; throws on a bad id. */
export function toTwilioAddress(phoneOrId: string): string {
  const address = parseWhatsappAddress(phoneOrId);
  if (!address) throw new Error(`Not a WhatsApp number or id: ${JSON.stringify(phoneOrId)}`);
  return `whatsapp:${addressText(address)}`;
}
