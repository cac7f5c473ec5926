// Simulator webhooks in. No verification: the simulator is on only by configuration (SIMULATOR,
// off when real providers are configured), and its route exists only then.
import { randomUUID } from 'node:crypto';
import { parseWhatsappAddress, toE164 } from '../../core/phone.js';
import { mediaKindOf } from '../../core/media.js';
import { isRecord, readJsonBody } from '../transport.js';
import { type DeliveryStatus, type InboundMedia, type NormalizedEvent, PayloadError, type WebhookRequest } from '../provider.js';
import type { SimMedia } from './payloads.js';

const STATUSES: readonly DeliveryStatus[] = ['queued', 'sent', 'delivered', 'read', 'failed'];

function bodyOf(req: WebhookRequest): Record<string, unknown> {
  const body = readJsonBody(req);
  if (!isRecord(body)) throw new PayloadError('A simulator webhook body is a JSON object.');
  return body;
}

function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new PayloadError(`${field} must be a string.`);
  return value;
}

function businessPhone(value: unknown): string {
  const phone = typeof value === 'string' ? toE164(value) : undefined;
  if (!phone) throw new PayloadError(`to must be a phone number in E.164 form; got ${JSON.stringify(value)}.`);
  return phone;
}

function sender(value: unknown): { phone: string } | { externalId: string } {
  const address = typeof value === 'string' ? parseWhatsappAddress(value) : undefined;
  if (!address) throw new PayloadError(`from must be a phone number or a WhatsApp id; got ${JSON.stringify(value)}.`);
  return address;
}

export function simRoutingHint(req: WebhookRequest): { phone: string } | undefined {
  try {
    const to = bodyOf(req).to;
    const phone = typeof to === 'string' ? toE164(to) : undefined;
    return phone ? { phone } : undefined;
  } catch {
    return undefined;
  }
}

export function parseSimWebhook(req: WebhookRequest): NormalizedEvent[] {
  const body = bodyOf(req);
  const type = body.type ?? 'message';
  if (type === 'status') {
    const id = optionalText(body, 'id');
    const status = optionalText(body, 'status') as DeliveryStatus | undefined;
    if (!id || !status || !STATUSES.includes(status)) throw new PayloadError(`A status needs id and status (${STATUSES.join(', ')}).`);
    return [{ kind: 'status', provider: 'simulator', providerMessageId: id, status }];
  }
  if (type === 'typing') {
    return [{ kind: 'typing', provider: 'simulator', to: { phone: businessPhone(body.to) }, from: sender(body.from) }];
  }
  if (type !== 'message') throw new PayloadError(`Unknown simulator event type ${JSON.stringify(type)}.`);
  const text = optionalText(body, 'text') ?? null;
  const media = parseMedia(body.media);
  if (!text && !media) throw new PayloadError('A simulated message needs text or media.');
  const name = optionalText(body, 'name');
  const replyTo = optionalText(body, 'replyTo');
  return [
    {
      kind: 'message',
      provider: 'simulator',
      // Without an id a retried post would be a second message; the simulator page always sends one.
      providerMessageId: optionalText(body, 'id') ?? `sim_${randomUUID()}`,
      to: { phone: businessPhone(body.to) },
      from: { ...sender(body.from), ...(name ? { name } : {}) },
      text,
      ...(media ? { media } : {}),
      ...(replyTo ? { replyToProviderMessageId: replyTo } : {}),
    },
  ];
}

function parseMedia(value: unknown): InboundMedia | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || typeof value.url !== 'string') throw new PayloadError('media needs a url.');
  const media = value as unknown as SimMedia;
  const mimeType = typeof media.mimeType === 'string' ? media.mimeType : undefined;
  const type = typeof media.type === 'string' ? media.type : mediaKindOf(mimeType);
  return {
    type,
    url: media.url,
    ...(mimeType ? { mimeType } : {}),
    ...(typeof media.caption === 'string' ? { caption: media.caption } : {}),
    ...(typeof media.filename === 'string' ? { filename: media.filename } : {}),
  };
}
