// Simulator sends: the message goes to the simulated phone over the `sim` live channel.
import { randomUUID } from 'node:crypto';
import { addressText, parseWhatsappAddress } from '../../core/phone.js';
import { downloadMedia } from '../transport.js';
import { type InboundMedia, type OutboundMessage, ProviderSendError, type ProviderContext, type SendResult, type TypingReply } from '../provider.js';
import type { SimDeliveredMessage } from './payloads.js';

export async function sendSimMessage(ctx: ProviderContext, _credentials: unknown, message: OutboundMessage): Promise<SendResult> {
  if (!ctx.bus) throw new ProviderSendError('permanent', 'The simulator needs the live event bus to reach its phones.', 'NO_BUS');
  const to = parseWhatsappAddress(message.to);
  if (!to) throw new ProviderSendError('permanent', `Cannot send to ${JSON.stringify(message.to)}: not a WhatsApp number or id.`, 'BAD_RECIPIENT');
  const from = message.from.phone ?? message.from.providerNumberId;
  if (!from) throw new ProviderSendError('permanent', 'The simulator sender needs a phone number.', 'BAD_SENDER');
  const delivered: SimDeliveredMessage = {
    id: `sim_${randomUUID()}`,
    from,
    to: addressText(to),
    // a template shows as its name and variables: the simulator has no template texts
    text: message.text ?? (message.template ? `[${message.template.name}] ${message.template.variables.join(' · ')}`.trim() : null),
    media: message.media ? { ...message.media } : null,
    replyTo: message.replyToProviderMessageId ?? null,
    createdAt: (ctx.clock?.now() ?? new Date()).toISOString(),
  };
  await ctx.bus.publish({ channel: 'sim', type: 'message', data: delivered });
  return { providerMessageId: delivered.id, status: 'sent' };
}

/** "Typing…" on the simulated phone, until the reply arrives (or 25 s, as on WhatsApp). */
export async function showSimTyping(ctx: ProviderContext, _credentials: unknown, reply: TypingReply): Promise<void> {
  const to = parseWhatsappAddress(reply.to);
  const from = reply.from.phone ?? reply.from.providerNumberId;
  if (!ctx.bus || !to || !from) return;
  await ctx.bus.publish({ channel: 'sim', type: 'typing', data: { from, to: addressText(to) } });
}

/** Simulated media are links (often `data:` URLs from the page); no credentials exist. */
export async function fetchSimMedia(ctx: ProviderContext, _credentials: unknown, media: InboundMedia) {
  if (!media.url) throw new ProviderSendError('permanent', 'This simulated media has no URL.');
  if (media.url.startsWith('data:')) {
    const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(media.url);
    if (!match) throw new ProviderSendError('permanent', 'The simulated media data URL is malformed.');
    const bytes = match[2] ? Buffer.from(match[3]!, 'base64') : Buffer.from(decodeURIComponent(match[3]!), 'utf8');
    return { bytes, contentType: match[1] || media.mimeType || 'application/octet-stream' };
  }
  // Any public host (the simulator's webhook takes no signature), never a private address.
  return downloadMedia(ctx, media.url, undefined, 'any', 'Simulator');
}
