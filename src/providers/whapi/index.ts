// Whapi.cloud: an ordinary WhatsApp account linked as a channel; no signatures, no templates, no window.
import type { ProviderAdapter, WhapiCredentials } from '../provider.js';
import { detectWhapi, parseWhapiWebhook, verifyWhapiRequest, whapiRoutingHint } from './inbound.js';
import { fetchWhapiMedia, sendWhapiMessage } from './outbound.js';

export const whapi = {
  name: 'whapi',
  detect: detectWhapi,
  verify: verifyWhapiRequest,
  routingHint: whapiRoutingHint,
  parse: parseWhapiWebhook,
  send: sendWhapiMessage,
  fetchMedia: fetchWhapiMedia,
  hasServiceWindow: false,
} satisfies ProviderAdapter<WhapiCredentials>;
