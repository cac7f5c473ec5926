// Twilio webhooks in: signature check, then the message or status callback as a normalized event.
import { toE164 } from '../../core/phone.js';
import { mediaKindOf } from '../../core/media.js';
import {
  type DeliveryStatus,
  type InboundMedia,
  type InboundMessageEvent,
  type NormalizedEvent,
  PayloadError,
  type StatusEvent,
  type TwilioCredentials,
  type WebhookRequest,
} from '../provider.js';
import { isMessageSid, parseTwilioAddress } from './ids.js';
import type { TwilioParams, TwilioWebhookFields } from './payloads.js';
import { isValidTwilioBodySignature, isValidTwilioSignature } from './signature.js';

// routingHint, verify and parse each read the same body on the hot webhook path: decode it once.
const decodedForms = new WeakMap<Buffer, TwilioParams>();

/** Decoded form fields; a key sent twice keeps both values, as the signature needs. */
export function formParams(rawBody: Buffer): TwilioParams {
  const cached = decodedForms.get(rawBody);
  if (cached) return cached;
  const params: TwilioParams = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const seen = params[key];
    if (seen === undefined) params[key] = value;
    else params[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  decodedForms.set(rawBody, params);
  return params;
}

/** One value per field (the first), for reading a webhook; a GET webhook carries them in the query. */
function webhookFields(req: WebhookRequest): TwilioWebhookFields {
  if (req.method.toUpperCase() === 'GET') return { ...req.query };
  const fields: TwilioWebhookFields = {};
  for (const [key, value] of Object.entries(formParams(req.rawBody))) fields[key] = Array.isArray(value) ? value[0] : value;
  return fields;
}

function isJsonBody(req: WebhookRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().includes('application/json');
}

/**
 * The URL Twilio signed is the public URL it called: PUBLIC_URL + path + query as received (the
 * server behind a proxy cannot see the scheme and host Twilio used).
 */
export function verifyTwilioRequest(req: WebhookRequest, credentials: TwilioCredentials | undefined, publicUrl: string): boolean {
  const signature = req.headers['x-twilio-signature'];
  if (!credentials?.authToken || !signature) return false;
  const url = publicUrl.replace(/\/+$/, '') + req.url;
  if (isJsonBody(req)) return isValidTwilioBodySignature(credentials.authToken, signature, url, req.rawBody);
  const params = req.method.toUpperCase() === 'GET' ? {} : formParams(req.rawBody);
  return isValidTwilioSignature(credentials.authToken, signature, url, params);
}

export function detectTwilio(req: WebhookRequest): boolean {
  if (req.headers['x-twilio-signature']) return true;
  if (isJsonBody(req)) return false;
  const fields = webhookFields(req);
  return Boolean(fields.AccountSid && (fields.MessageSid || fields.SmsSid));
}

/** Inbound messages are for `To`; a status callback's business sender is its `From`. */
export function twilioRoutingHint(req: WebhookRequest): { phone?: string } | undefined {
  const fields = webhookFields(req);
  const business = isStatusCallback(fields) ? fields.From : fields.To;
  const address = parseTwilioAddress(business);
  return address && 'phone' in address ? { phone: address.phone } : undefined;
}

function isStatusCallback(fields: TwilioWebhookFields): boolean {
  return fields.MessageStatus !== undefined && !['received', 'receiving'].includes(fields.MessageStatus);
}

export function parseTwilioWebhook(req: WebhookRequest): NormalizedEvent[] {
  const fields = webhookFields(req);
  const sid = fields.MessageSid ?? fields.SmsSid;
  if (!sid || !isMessageSid(sid)) throw new PayloadError('A Twilio webhook needs a MessageSid (SM… or MM…, 34 characters).');
  return [isStatusCallback(fields) ? parseStatus(fields, sid) : parseMessage(fields, sid)];
}

const STATUS_MAP: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  partially_delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
};

function parseStatus(fields: TwilioWebhookFields, sid: string): StatusEvent {
  const status = STATUS_MAP[fields.MessageStatus!];
  if (!status) throw new PayloadError(`Unknown Twilio MessageStatus ${JSON.stringify(fields.MessageStatus)}.`);
  const sender = parseTwilioAddress(fields.From);
  return {
    kind: 'status',
    provider: 'twilio',
    providerMessageId: sid,
    status,
    to: sender && 'phone' in sender ? { phone: sender.phone } : undefined,
    errorCode: fields.ErrorCode || undefined,
    errorMessage: fields.ChannelStatusMessage || fields.ErrorMessage || undefined,
  };
}

function parseMessage(fields: TwilioWebhookFields, sid: string): InboundMessageEvent {
  const business = parseTwilioAddress(fields.To);
  if (!business || !('phone' in business)) throw new PayloadError('A Twilio message needs To as whatsapp:+E164.');
  // WaId is the sender's digits when Twilio sends it; From may instead carry a username/BSUID.
  const sender = (fields.WaId && toE164(fields.WaId) ? { phone: toE164(fields.WaId)! } : undefined) ?? parseTwilioAddress(fields.From);
  if (!sender) throw new PayloadError('A Twilio message needs From as whatsapp:+E164 or whatsapp:<id>.');
  const media = parseMedia(fields);
  // A caption is also the message's text (Twilio sends it as Body), so the bot can answer it.
  const text = fields.ButtonText || fields.Body || null;
  return {
    kind: 'message',
    provider: 'twilio',
    providerMessageId: sid,
    to: { phone: business.phone },
    from: { ...sender, ...(fields.ProfileName ? { name: fields.ProfileName } : {}) },
    text,
    ...(media ? { media } : {}),
    ...(fields.ButtonPayload ? { buttonPayload: fields.ButtonPayload } : {}),
    ...(fields.OriginalRepliedMessageSid ? { replyToProviderMessageId: fields.OriginalRepliedMessageSid } : {}),
  };
}

function parseMedia(fields: TwilioWebhookFields): InboundMedia | undefined {
  if (fields.Latitude && fields.Longitude) {
    const latitude = Number(fields.Latitude);
    const longitude = Number(fields.Longitude);
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) throw new PayloadError('Latitude and Longitude must be numbers.');
    return { type: 'location', latitude, longitude, ...(fields.Label ? { name: fields.Label } : {}), ...(fields.Address ? { address: fields.Address } : {}) };
  }
  if (Number(fields.NumMedia ?? '0') > 0 && fields.MediaUrl0) {
    const mimeType = fields.MediaContentType0;
    return { type: mediaKindOf(mimeType), url: fields.MediaUrl0, ...(mimeType ? { mimeType } : {}), ...(fields.Body ? { caption: fields.Body } : {}) };
  }
  return undefined;
}
