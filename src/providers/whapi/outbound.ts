// Whapi sends: POST {base}/messages/text (or /messages/image, …) with the channel's token. The
// token names the channel, so the sender needs no other id.
import { e164Digits, parseWhatsappAddress } from '../../core/phone.js';
import { mediaKindOf } from '../../core/media.js';
import { downloadMedia, isRecord, MEDIA_REFUSED, parseRetryAfter, requestJson } from '../transport.js';
import {
  type DeliveryStatus,
  type InboundMedia,
  type OutboundMessage,
  ProviderSendError,
  type ProviderContext,
  type SendResult,
  type SentLookup,
  type TypingReply,
  type WhapiCredentials,
} from '../provider.js';
import type { WhapiErrorBody, WhapiMessage, WhapiMessagesList, WhapiSendResponse } from './payloads.js';

const MEDIA_ENDPOINTS = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

export async function sendWhapiMessage(ctx: ProviderContext, credentials: WhapiCredentials, message: OutboundMessage): Promise<SendResult> {
  const { path, body } = sendRequest(message);
  const response = await requestJson(`${ctx.config.whapi.baseUrl}${path}`, { headers: { authorization: `Bearer ${credentials.token}` }, body }, 'Whapi');
  if (response.status < 200 || response.status >= 300) {
    throw classifyWhapiError(response.status, response.body, response.headers.get('retry-after'));
  }
  const id = (response.body as WhapiSendResponse)?.message?.id;
  if (!id) throw new ProviderSendError('transient', 'Whapi accepted the message but returned no message id.');
  const status = (response.body as WhapiSendResponse).message?.status;
  return { providerMessageId: id, status: status === 'sent' ? 'sent' : 'queued' };
}

/** "Typing…" in the customer's chat: PUT /presences/{ChatID} (providers-templates.md A2). */
export async function showWhapiTyping(ctx: ProviderContext, credentials: WhapiCredentials, reply: TypingReply): Promise<void> {
  const address = parseWhatsappAddress(reply.to);
  if (!address || !('phone' in address))
    throw new ProviderSendError('permanent', `Cannot show typing to ${JSON.stringify(reply.to)}: not a WhatsApp number.`, 'BAD_RECIPIENT');
  const chatId = `${e164Digits(address.phone)}@s.whatsapp.net`;
  const response = await requestJson(
    `${ctx.config.whapi.baseUrl}/presences/${encodeURIComponent(chatId)}`,
    { method: 'PUT', headers: { authorization: `Bearer ${credentials.token}` }, body: { presence: 'typing' } },
    'Whapi',
  );
  if (response.status < 200 || response.status >= 300) throw classifyWhapiError(response.status, response.body, response.headers.get('retry-after'));
}

/** How many of the chat's newest messages from us are looked through. */
const FIND_SENT_LIMIT = 50;

/**
 * Our messages in the customer's chat since `lookup.after`, newest first:
 * `GET /messages/list/{ChatID}?from_me=true&time_from=…&count=…` (Whapi's messages list).
 */
export async function findSentWhapiMessages(ctx: ProviderContext, credentials: WhapiCredentials, lookup: SentLookup): Promise<SendResult[]> {
  const address = parseWhatsappAddress(lookup.to);
  if (!address || !('phone' in address)) return [];
  const chatId = `${e164Digits(address.phone)}@s.whatsapp.net`;
  const query = new URLSearchParams({ count: String(FIND_SENT_LIMIT), from_me: 'true', time_from: String(Math.floor(lookup.after.getTime() / 1000)) });
  const response = await requestJson(
    `${ctx.config.whapi.baseUrl}/messages/list/${encodeURIComponent(chatId)}?${query}`,
    { headers: { authorization: `Bearer ${credentials.token}` } },
    'Whapi',
  );
  if (response.status < 200 || response.status >= 300) throw classifyWhapiError(response.status, response.body, response.headers.get('retry-after'));
  const listed = (response.body as WhapiMessagesList)?.messages ?? [];
  return listed
    .filter((m) => m.from_me === true && typeof m.id === 'string')
    .filter((m) => (m.timestamp ?? 0) * 1000 >= Math.floor(lookup.after.getTime() / 1000) * 1000)
    .filter((m) => lookup.body === undefined || (textOf(m) ?? '').trim() === lookup.body.trim())
    .map((m) => ({ providerMessageId: m.id!, status: listedStatus(m.status) }));
}

/** The text a listed message shows: its body, or a media caption. */
function textOf(message: WhapiMessage): string | undefined {
  if (message.text?.body !== undefined) return message.text.body;
  for (const kind of ['image', 'video', 'gif', 'audio', 'voice', 'document', 'sticker'] as const) {
    if (message[kind]) return message[kind]?.caption;
  }
  return undefined;
}

/** providers.md §3.2's status values in our words (`pending` is accepted, not yet sent). */
function listedStatus(status: string | undefined): DeliveryStatus {
  if (status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed') return status;
  if (status === 'played') return 'read';
  return 'queued';
}

/** The endpoint and JSON of a send (providers.md §3.1); `to` is the phone's digits. */
export function sendRequest(message: OutboundMessage): { path: string; body: Record<string, unknown> } {
  if (message.template) {
    // Whapi drives an ordinary WhatsApp account: there are no approved templates to name.
    // enqueueSend refuses these up front (capabilities.templates); this gives a send job queued
    // before that check existed the true reason instead of EMPTY_MESSAGE.
    throw new ProviderSendError('permanent', 'Whapi channels have no message templates; send text instead.', 'TEMPLATES_UNSUPPORTED');
  }
  const address = parseWhatsappAddress(message.to);
  if (!address || !('phone' in address)) {
    throw new ProviderSendError('permanent', `Cannot send to ${JSON.stringify(message.to)}: Whapi needs a phone number.`, 'BAD_RECIPIENT');
  }
  const quoted = message.replyToProviderMessageId ? { quoted: message.replyToProviderMessageId } : {};
  const to = e164Digits(address.phone);
  if (message.media) {
    const kind = message.media.type && MEDIA_ENDPOINTS.has(message.media.type) ? message.media.type : mediaKindOf(message.media.mimeType);
    const body: Record<string, unknown> = { to, media: message.media.url, ...quoted };
    if (message.text) body.caption = message.text;
    if (message.media.mimeType) body.mime_type = message.media.mimeType;
    if (kind === 'document' && message.media.filename) body.filename = message.media.filename;
    return { path: `/messages/${kind}`, body };
  }
  if (!message.text) throw new ProviderSendError('permanent', 'A message needs text or media.', 'EMPTY_MESSAGE');
  return { path: '/messages/text', body: { to, body: message.text, ...quoted } };
}

/** 429 and 5xx are worth retrying; 400/401/403/404 (404 "Channel not found": a bad token) are not. */
export function classifyWhapiError(status: number, body: unknown, retryAfter?: string | null): ProviderSendError {
  const error = isRecord(body) ? (body as WhapiErrorBody).error : undefined;
  const code = String(error?.code ?? status);
  const sentence = `Whapi refused the message (${code}): ${error?.message ?? `HTTP ${status}`}${error?.details ? ` — ${error.details}` : ''}`;
  if (status === 429) return new ProviderSendError('transient', sentence, code, parseRetryAfter(retryAfter));
  if (status >= 500) return new ProviderSendError('transient', sentence, code);
  return new ProviderSendError('permanent', sentence, code);
}

/**
 * A media `link` on Whapi's own host is fetched as is; otherwise the media id through GET
 * /media/{id} with the token (a link elsewhere is never followed: the id is the safe way).
 */
export async function fetchWhapiMedia(ctx: ProviderContext, credentials: WhapiCredentials, media: InboundMedia) {
  const base = ctx.config.whapi.baseUrl;
  const hosts = { fetchFrom: ['gate.whapi.cloud'], credentialsTo: ['gate.whapi.cloud'], apiBaseUrl: base };
  const bearer = `Bearer ${credentials.token}`;
  if (media.url) {
    try {
      return await downloadMedia(ctx, media.url, bearer, hosts, 'Whapi');
    } catch (error) {
      if (!(error instanceof ProviderSendError && error.code === MEDIA_REFUSED && media.providerMediaId)) throw error;
    }
  }
  if (!media.providerMediaId) throw new ProviderSendError('permanent', 'This Whapi media has neither a link nor an id.');
  return downloadMedia(ctx, `${base}/media/${encodeURIComponent(media.providerMediaId)}`, bearer, hosts, 'Whapi');
}
