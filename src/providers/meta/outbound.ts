// Meta sends: POST {graph}/{version}/{phone_number_id}/messages with the connection's token.
import { mediaKindOf } from '../../core/media.js';
import { downloadMedia, isRecord, type MediaHosts, parseRetryAfter, requestJson } from '../transport.js';
import {
  type InboundMedia,
  type MetaCredentials,
  type OutboundMessage,
  ProviderSendError,
  type ProviderContext,
  type SendResult,
  type TypingReply,
} from '../provider.js';
import { isGraphId, metaRecipient } from './ids.js';
import type { GraphErrorBody, MetaMediaInfo, MetaSendResponse } from './payloads.js';

export async function sendMetaMessage(ctx: ProviderContext, credentials: MetaCredentials, message: OutboundMessage): Promise<SendResult> {
  const phoneNumberId = message.from.providerNumberId ?? ctx.config.meta.phoneNumberId;
  if (!phoneNumberId || !isGraphId(phoneNumberId)) {
    throw new ProviderSendError('permanent', 'A Meta sender needs its phone_number_id (digits).', 'BAD_SENDER');
  }
  const response = await graphRequest(ctx, credentials, `${phoneNumberId}/messages`, messageBody(message));
  const id = (response as MetaSendResponse)?.messages?.[0]?.id;
  if (!id) throw new ProviderSendError('transient', 'Meta accepted the message but returned no message id.');
  // 200 means accepted, not sent: the status webhooks say sent/delivered/read.
  return { providerMessageId: id, status: 'queued' };
}

/** "Typing…" in the customer's chat, which also marks their message read (providers-templates.md A2). */
export async function showMetaTyping(ctx: ProviderContext, credentials: MetaCredentials, reply: TypingReply): Promise<void> {
  const phoneNumberId = reply.from.providerNumberId ?? ctx.config.meta.phoneNumberId;
  if (!phoneNumberId || !isGraphId(phoneNumberId)) throw new ProviderSendError('permanent', 'A Meta sender needs its phone_number_id (digits).', 'BAD_SENDER');
  await graphRequest(ctx, credentials, `${phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: reply.inboundProviderMessageId,
    typing_indicator: { type: 'text' },
  });
}

const MEDIA_KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** The JSON of a send (providers.md §2.5). */
export function messageBody(message: OutboundMessage): Record<string, unknown> {
  const recipient = metaRecipient(message.to);
  if (!recipient) throw new ProviderSendError('permanent', `Cannot send to ${JSON.stringify(message.to)}: not a WhatsApp number or id.`, 'BAD_RECIPIENT');
  const body: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', ...recipient };
  if (message.template) {
    const { name, language, variables } = message.template;
    body.type = 'template';
    body.template = {
      name,
      language: { code: language ?? 'en_US' },
      ...(variables.length ? { components: [{ type: 'body', parameters: variables.map((text) => ({ type: 'text', text })) }] } : {}),
    };
  } else if (message.media) {
    const kind = message.media.type && MEDIA_KINDS.has(message.media.type) ? message.media.type : mediaKindOf(message.media.mimeType);
    body.type = kind;
    body[kind] = {
      link: message.media.url,
      // Meta refuses captions on audio and stickers
      ...(message.text && kind !== 'audio' && kind !== 'sticker' ? { caption: message.text } : {}),
      ...(kind === 'document' && message.media.filename ? { filename: message.media.filename } : {}),
    };
  } else if (message.text) {
    body.type = 'text';
    body.text = { preview_url: false, body: message.text };
  } else {
    throw new ProviderSendError('permanent', 'A message needs text, media or a template.', 'EMPTY_MESSAGE');
  }
  if (message.replyToProviderMessageId) body.context = { message_id: message.replyToProviderMessageId };
  // Echoed in this message's status webhooks: a send cut short by a crash is recognised by them.
  if (message.reference) body.biz_opaque_callback_data = message.reference;
  return body;
}

/** One Graph call with the connection's token; failures become classified ProviderSendErrors. */
async function graphRequest(ctx: ProviderContext, credentials: MetaCredentials, path: string, body?: unknown): Promise<unknown> {
  const { graphBaseUrl, apiVersion } = ctx.config.meta;
  const response = await requestJson(
    `${graphBaseUrl}/${apiVersion}/${path}`,
    { headers: { authorization: `Bearer ${credentials.accessToken}` }, body },
    'Meta',
  );
  if (response.status >= 200 && response.status < 300) return response.body;
  throw classifyMetaError(response.status, response.body, response.headers.get('retry-after'));
}

const WINDOW_CLOSED = new Set([131047]);
/** Throughput (130429), pair rate (131056), app call limit (4), WABA rate limit (80007). */
const RATE_LIMITED = new Set([130429, 131056, 4, 80007]);

/**
 * providers.md §2.5: branch on error.code, never on the text. 131047 → a template is needed; rate
 * limits and 5xx → retry; token (190), parameters (100), undeliverable (131026), restricted WABA
 * (368), permissions (10, 200–299) and anything else → permanent.
 */
export function classifyMetaError(status: number, body: unknown, retryAfter?: string | null): ProviderSendError {
  const error = isRecord(body) ? (body as GraphErrorBody).error : undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const codeText = code === undefined ? String(status) : String(code);
  const detail = error?.error_data?.details ?? error?.message ?? `HTTP ${status}`;
  const sentence = `Meta refused the message (${codeText}): ${detail}`;
  if (code !== undefined && WINDOW_CLOSED.has(code)) return new ProviderSendError('window_closed', sentence, codeText);
  if ((code !== undefined && RATE_LIMITED.has(code)) || status === 429) {
    return new ProviderSendError('transient', sentence, codeText, parseRetryAfter(retryAfter));
  }
  if (status >= 500) return new ProviderSendError('transient', sentence, codeText);
  return new ProviderSendError('permanent', sentence, codeText);
}

/**
 * providers.md §2: the media URL the Graph API gives is short-lived on `lookaside.fbsbx.com` and
 * needs the same Bearer token; Meta's CDN (`*.fbcdn.net`) gets none.
 */
const META_MEDIA_HOSTS: Omit<MediaHosts, 'apiBaseUrl'> = {
  fetchFrom: ['graph.facebook.com', 'lookaside.fbsbx.com', '*.fbcdn.net'],
  credentialsTo: ['graph.facebook.com', 'lookaside.fbsbx.com'],
};

/** Two steps: the media id gives a short-lived URL, which also needs the Bearer token. */
export async function fetchMetaMedia(ctx: ProviderContext, credentials: MetaCredentials, media: InboundMedia) {
  if (!media.providerMediaId) throw new ProviderSendError('permanent', 'This Meta media has no media id to fetch.');
  if (!isGraphId(media.providerMediaId)) throw new ProviderSendError('permanent', 'A Meta media id is digits.', 'BAD_MEDIA_ID');
  const info = (await graphRequest(ctx, credentials, media.providerMediaId)) as MetaMediaInfo;
  if (!info?.url) throw new ProviderSendError('permanent', 'Meta returned no URL for this media.');
  const bearer = `Bearer ${credentials.accessToken}`;
  const file = await downloadMedia(ctx, info.url, bearer, { ...META_MEDIA_HOSTS, apiBaseUrl: ctx.config.meta.graphBaseUrl }, 'Meta');
  return { bytes: file.bytes, contentType: info.mime_type ?? file.contentType };
}
