// Meta WhatsApp Cloud API: JSON webhooks signed with the app secret, sends through the Graph API.
import type { MetaCredentials, ProviderAdapter } from '../provider.js';
import { detectMeta, metaRoutingHint, parseMetaWebhook, verifyMetaRequest } from './inbound.js';
import { fetchMetaMedia, sendMetaMessage } from './outbound.js';

export const meta = {
  name: 'meta',
  detect: detectMeta,
  verify: verifyMetaRequest,
  routingHint: metaRoutingHint,
  parse: parseMetaWebhook,
  send: sendMetaMessage,
  fetchMedia: fetchMetaMedia,
  hasServiceWindow: true,
} satisfies ProviderAdapter<MetaCredentials>;
