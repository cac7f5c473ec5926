// Meta webhooks in: X-Hub-Signature-256 over the raw bytes, then every entry, change, message and
// status of the (possibly batched) payload as normalized events.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { toE164 } from '../../core/phone.js';
import { safeEqual } from '../../core/keys.js';
import { isRecord, readJsonBody } from '../transport.js';
import {
  type DeliveryStatus,
  type InboundMedia,
  type InboundMessageEvent,
  type MetaCredentials,
  type NormalizedEvent,
  PayloadError,
  type StatusEvent,
  type WebhookRequest,
} from '../provider.js';
import { parseWaId } from './ids.js';
import type { MetaChangeValue, MetaMessage, MetaStatus, MetaWebhookPayload } from './payloads.js';

/**
 * `sha256=` + hex HMAC-SHA256 of the exact bytes received, keyed by the app secret. Never of
 * re-serialized JSON: Meta escapes non-ASCII as \u-escapes (\u00e9), which JSON.stringify would not reproduce.
 */
export function verifyMetaRequest(req: WebhookRequest, credentials: MetaCredentials | undefined): boolean {
  const header = req.headers['x-hub-signature-256'];
  if (!credentials?.appSecret || !header?.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', credentials.appSecret).update(req.rawBody).digest('hex');
  return safeEqual(header.slice('sha256='.length).toLowerCase(), expected);
}

/** The query of Meta's subscription check (GET on the webhook URL). */
export const metaSubscriptionQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});

/** Meta's subscription check: echo hub.challenge as plain text when the verify token matches. */
export function answerMetaSubscription(req: WebhookRequest, config: Config): { contentType: string; body: string } | { refused: string } {
  const expected = config.meta.verifyToken;
  const token = req.query['hub.verify_token'];
  const challenge = req.query['hub.challenge'];
  if (req.query['hub.mode'] !== 'subscribe' || !expected || !token || !safeEqual(token, expected) || challenge === undefined) {
    return { refused: 'The verify token does not match (or hub.mode is not subscribe).' };
  }
  return { contentType: 'text/plain; charset=utf-8', body: challenge };
}

export function payloadOf(req: WebhookRequest): MetaWebhookPayload {
  const body = readJsonBody(req);
  if (!isRecord(body) || !Array.isArray(body.entry)) throw new PayloadError('A Meta webhook needs an entry array.');
  return body as MetaWebhookPayload;
}

export function detectMeta(req: WebhookRequest): boolean {
  if (req.headers['x-hub-signature-256']) return true;
  try {
    return (readJsonBody(req) as MetaWebhookPayload)?.object === 'whatsapp_business_account';
  } catch {
    return false;
  }
}

/** Every change value of every entry. */
function changeValues(payload: MetaWebhookPayload): MetaChangeValue[] {
  return (payload.entry ?? []).flatMap((entry) => (entry.changes ?? []).filter((c) => c.field === 'messages' && isRecord(c.value)).map((c) => c.value!));
}

export function metaRoutingHint(req: WebhookRequest): { providerNumberId?: string } | undefined {
  try {
    const id = changeValues(payloadOf(req)).find((v) => v.metadata?.phone_number_id)?.metadata?.phone_number_id;
    return id ? { providerNumberId: id } : undefined;
  } catch {
    return undefined;
  }
}

export function parseMetaWebhook(req: WebhookRequest): NormalizedEvent[] {
  const events: NormalizedEvent[] = [];
  for (const value of changeValues(payloadOf(req))) {
    const phoneNumberId = value.metadata?.phone_number_id;
    if (!phoneNumberId) throw new PayloadError('A Meta messages change needs metadata.phone_number_id.');
    const displayPhone = value.metadata?.display_phone_number ? toE164(value.metadata.display_phone_number) : undefined;
    const business = { providerNumberId: phoneNumberId, ...(displayPhone ? { phone: displayPhone } : {}) };
    const names = profileNames(value);
    for (const message of value.messages ?? []) events.push(parseMessage(message, business, names));
    for (const status of value.statuses ?? []) {
      const event = parseStatus(status, business);
      if (event) events.push(event);
    }
  }
  return events;
}

/** contacts[] carries the WhatsApp profile names, keyed by wa_id (or user_id when there is no phone). */
function profileNames(value: MetaChangeValue): Map<string, string> {
  const names = new Map<string, string>();
  for (const contact of value.contacts ?? []) {
    const name = contact.profile?.name;
    if (!name) continue;
    if (contact.wa_id) names.set(contact.wa_id, name);
    if (contact.user_id) names.set(contact.user_id, name);
  }
  return names;
}

function unixSeconds(value: string | undefined): Date | undefined {
  return value && /^\d+$/.test(value) ? new Date(Number(value) * 1000) : undefined;
}

function parseMessage(message: MetaMessage, to: InboundMessageEvent['to'], names: Map<string, string>): InboundMessageEvent {
  if (!message.id) throw new PayloadError('A Meta message needs an id.');
  const senderKey = message.from ?? message.user_id ?? message.username;
  const sender = parseWaId(senderKey);
  if (!sender) throw new PayloadError(`A Meta message needs a sender (from, user_id or username); got ${JSON.stringify(senderKey)}.`);
  const name = names.get(message.from ?? '') ?? names.get(message.user_id ?? '');
  const content = messageContent(message);
  const timestamp = unixSeconds(message.timestamp);
  return {
    kind: 'message',
    provider: 'meta',
    providerMessageId: message.id,
    to,
    from: { ...sender, ...(name ? { name } : {}) },
    ...content,
    ...(content.replyToProviderMessageId ? {} : message.context?.id ? { replyToProviderMessageId: message.context.id } : {}),
    ...(timestamp ? { timestamp } : {}),
  };
}

type Content = Pick<InboundMessageEvent, 'text' | 'media' | 'buttonPayload' | 'replyToProviderMessageId'>;

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

function messageContent(message: MetaMessage): Content {
  const type = message.type ?? 'unsupported';
  if (type === 'text') return { text: message.text?.body ?? null };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const media = message[type as (typeof MEDIA_TYPES)[number]];
    if (!media?.id) throw new PayloadError(`A Meta ${type} message needs a media id.`);
    const parsed: InboundMedia = { type, providerMediaId: media.id };
    if (media.mime_type) parsed.mimeType = media.mime_type;
    if (media.caption) parsed.caption = media.caption;
    if (media.filename) parsed.filename = media.filename;
    return { text: media.caption ?? null, media: parsed };
  }
  if (type === 'location') {
    const { latitude, longitude, name, address } = message.location ?? {};
    if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new PayloadError('A Meta location needs latitude and longitude.');
    return { text: null, media: { type, latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } };
  }
  if (type === 'contacts') return { text: null, media: { type, contacts: message.contacts ?? [] } };
  if (type === 'interactive') {
    const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
    if (reply) return { text: reply.title ?? null, ...(reply.id ? { buttonPayload: reply.id } : {}) };
    return { text: message.interactive?.nfm_reply?.body ?? null };
  }
  if (type === 'button') return { text: message.button?.text ?? null, ...(message.button?.payload ? { buttonPayload: message.button.payload } : {}) };
  if (type === 'reaction') {
    // A reaction is kept (nothing lost) but marked, so the bot need not answer a 👍.
    const target = message.reaction?.message_id;
    return { text: message.reaction?.emoji ?? null, media: { type: 'reaction' }, ...(target ? { replyToProviderMessageId: target } : {}) };
  }
  return { text: null, media: { type: 'unsupported' } };
}

const STATUS_MAP: Record<string, DeliveryStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' };

function parseStatus(status: MetaStatus, to: StatusEvent['to']): StatusEvent | undefined {
  if (!status.id || !status.status) throw new PayloadError('A Meta status needs id and status.');
  const mapped = STATUS_MAP[status.status];
  // `deleted` (the user deleted our message) is no delivery progress
  if (!mapped) return undefined;
  const error = status.errors?.[0];
  const timestamp = unixSeconds(status.timestamp);
  return {
    kind: 'status',
    provider: 'meta',
    providerMessageId: status.id,
    status: mapped,
    to,
    ...(error?.code !== undefined ? { errorCode: String(error.code) } : {}),
    ...(error ? { errorMessage: [error.title ?? error.message, error.error_data?.details].filter(Boolean).join(': ') } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(typeof status.biz_opaque_callback_data === 'string' ? { reference: status.biz_opaque_callback_data } : {}),
  };
}
