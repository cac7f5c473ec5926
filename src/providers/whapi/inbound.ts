// Whapi webhooks in: a shared secret (no HMAC exists), then messages and statuses routed by channel_id.
import { safeEqual } from '../../core/keys.js';
import { toE164 } from '../../core/phone.js';
import { mediaKindOf } from '../../core/media.js';
import { isRecord, readJsonBody } from '../transport.js';
import {
  type DeliveryStatus,
  type InboundMessageEvent,
  type NormalizedEvent,
  PayloadError,
  type StatusEvent,
  type WebhookRequest,
  type WhapiCredentials,
} from '../provider.js';
import { chatIdToE164, isGroupOrNewsletterChatId } from './ids.js';
import type { WhapiMessage, WhapiStatus, WhapiWebhookPayload } from './payloads.js';

/**
 * Whapi signs nothing; the webhook is configured with a secret we check in constant time, sent as
 * `Authorization: Bearer <secret>`, an `X-Webhook-Token` header, or `?token=` in the URL.
 */
export function verifyWhapiRequest(req: WebhookRequest, credentials: WhapiCredentials | undefined): boolean {
  const secret = credentials?.webhookSecret;
  if (!secret) return false;
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const offered = [bearer, req.headers['x-webhook-token'], req.query.token].filter((v): v is string => typeof v === 'string');
  // every candidate is compared, so the time taken does not say which one was present
  return offered.map((candidate) => safeEqual(candidate, secret)).includes(true);
}

function payloadOf(req: WebhookRequest): WhapiWebhookPayload {
  const body = readJsonBody(req);
  if (!isRecord(body)) throw new PayloadError('A Whapi webhook body is a JSON object.');
  return body as WhapiWebhookPayload;
}

export function detectWhapi(req: WebhookRequest): boolean {
  try {
    const body = readJsonBody(req);
    return isRecord(body) && typeof body.channel_id === 'string' && (Array.isArray(body.messages) || Array.isArray(body.statuses));
  } catch {
    return false;
  }
}

export function whapiRoutingHint(req: WebhookRequest): { providerNumberId: string } | undefined {
  try {
    const channelId = payloadOf(req).channel_id;
    return typeof channelId === 'string' && channelId ? { providerNumberId: channelId } : undefined;
  } catch {
    return undefined;
  }
}

export function parseWhapiWebhook(req: WebhookRequest): NormalizedEvent[] {
  const payload = payloadOf(req);
  if (!payload.channel_id) throw new PayloadError('A Whapi webhook needs channel_id.');
  const business = { providerNumberId: payload.channel_id };
  const events: NormalizedEvent[] = [];
  for (const message of payload.messages ?? []) {
    // from_me: the channel's own messages (sent by us or from the phone), not customers'
    if (message.from_me) continue;
    // group and newsletter chatter is not a customer conversation
    if (message.chat_id && isGroupOrNewsletterChatId(message.chat_id)) continue;
    events.push(parseMessage(message, business));
  }
  for (const status of payload.statuses ?? []) {
    const event = parseStatus(status, business);
    if (event) events.push(event);
  }
  return events;
}

function parseMessage(message: WhapiMessage, to: InboundMessageEvent['to']): InboundMessageEvent {
  if (!message.id) throw new PayloadError('A Whapi message needs an id.');
  const phone = (message.from ? toE164(message.from) : undefined) ?? (message.chat_id ? chatIdToE164(message.chat_id) : undefined);
  if (!phone) throw new PayloadError(`A Whapi message needs a sender phone; got ${JSON.stringify(message.from ?? message.chat_id)}.`);
  const content = messageContent(message);
  return {
    kind: 'message',
    provider: 'whapi',
    providerMessageId: message.id,
    to,
    from: { phone, ...(message.from_name ? { name: message.from_name } : {}) },
    ...content,
    ...(message.context?.quoted_id ? { replyToProviderMessageId: message.context.quoted_id } : {}),
    ...(typeof message.timestamp === 'number' ? { timestamp: new Date(message.timestamp * 1000) } : {}),
  };
}

const MEDIA_FIELDS = ['image', 'video', 'gif', 'audio', 'voice', 'document', 'sticker'] as const;

function messageContent(message: WhapiMessage): Pick<InboundMessageEvent, 'text' | 'media'> {
  const type = message.type ?? 'unknown';
  if (type === 'text') return { text: message.text?.body ?? null };
  if (type === 'link_preview') return { text: message.link_preview?.body ?? null };
  if ((MEDIA_FIELDS as readonly string[]).includes(type)) {
    const media = message[type as (typeof MEDIA_FIELDS)[number]] ?? {};
    if (!media.link && !media.id) throw new PayloadError(`A Whapi ${type} message needs a link or an id.`);
    // voice notes are audio, gifs are short videos; stickers keep their own kind
    const kind = type === 'sticker' ? 'sticker' : mediaKindOf(media.mime_type ?? (type === 'gif' ? 'video/mp4' : type === 'voice' ? 'audio/ogg' : `${type}/`));
    const filename = media.file_name ?? media.filename;
    return {
      text: media.caption ?? null,
      media: {
        type: kind,
        ...(media.link ? { url: media.link } : {}),
        ...(media.id ? { providerMediaId: media.id } : {}),
        ...(media.mime_type ? { mimeType: media.mime_type } : {}),
        ...(media.caption ? { caption: media.caption } : {}),
        ...(filename ? { filename } : {}),
      },
    };
  }
  if (type === 'location' || type === 'live_location') {
    const { latitude, longitude, name, address } = message.location ?? {};
    if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new PayloadError('A Whapi location needs latitude and longitude.');
    return { text: null, media: { type: 'location', latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } };
  }
  if (type === 'contact' || type === 'contact_list') return { text: null, media: { type: 'contacts', contacts: message.contact ?? message.contact_list } };
  return { text: message.text?.body ?? null, media: { type: 'unsupported' } };
}

const STATUS_MAP: Record<string, DeliveryStatus> = {
  pending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

function parseStatus(status: WhapiStatus, to: StatusEvent['to']): StatusEvent | undefined {
  if (!status.id || !status.status) throw new PayloadError('A Whapi status needs id and status.');
  const mapped = STATUS_MAP[status.status];
  // `deleted` is no delivery progress
  if (!mapped) return undefined;
  const error = status.errors?.[0];
  return {
    kind: 'status',
    provider: 'whapi',
    providerMessageId: status.id,
    status: mapped,
    to,
    ...(error?.code !== undefined ? { errorCode: String(error.code) } : {}),
    ...(error ? { errorMessage: [error.message, error.details].filter(Boolean).join(': ') } : {}),
    ...(status.timestamp && /^\d+$/.test(status.timestamp) ? { timestamp: new Date(Number(status.timestamp) * 1000) } : {}),
  };
}
