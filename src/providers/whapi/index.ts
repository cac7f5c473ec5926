// Whapi.cloud: an ordinary WhatsApp account linked as a channel; no signatures, no templates, no window.
import type { Config } from '../../config.js';
import type { ProviderAdapter, WhapiCredentials } from '../provider.js';
import { checkWhapiCredentials, platformWhapiSender, whapiHealth } from './channel.js';
import { detectWhapi, parseWhapiWebhook, verifyWhapiRequest, whapiRoutingHint } from './inbound.js';
import { fetchWhapiMedia, findSentWhapiMessages, sendWhapiMessage, showWhapiTyping } from './outbound.js';

/** The platform's token (WHAPI_TOKEN) and webhook secret (WHAPI_WEBHOOK_SECRET); either is enough. */
function platformWhapiCredentials(config: Config): WhapiCredentials | undefined {
  const { token, webhookSecret } = config.whapi;
  return token || webhookSecret ? { token: token ?? '', webhookSecret } : undefined;
}

export const whapi = {
  name: 'whapi',
  label: 'Whapi',
  webhooks: [{ kind: 'receive', method: 'POST', path: '/api/webhooks/whapi' }],
  platformCredentials: platformWhapiCredentials,
  detect: detectWhapi,
  verify: verifyWhapiRequest,
  webhookSecretField: 'webhookSecret',
  routingHint: whapiRoutingHint,
  parse: parseWhapiWebhook,
  send: sendWhapiMessage,
  findSent: findSentWhapiMessages,
  fetchMedia: fetchWhapiMedia,
  hasServiceWindow: false,
  // An ordinary WhatsApp account has no approved templates to name.
  capabilities: { templates: false },
  checkCredentials: checkWhapiCredentials,
  health: whapiHealth,
  platformSender: platformWhapiSender,
  typing: showWhapiTyping,
} satisfies ProviderAdapter<WhapiCredentials>;
