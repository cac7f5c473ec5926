// Meta WhatsApp Cloud API: JSON webhooks signed with the app secret, sends through the Graph API.
import type { Config } from '../../config.js';
import type { MetaCredentials, ProviderAdapter } from '../provider.js';
import { answerMetaSubscription, detectMeta, metaRoutingHint, metaSubscriptionQuery, parseMetaWebhook, verifyMetaRequest } from './inbound.js';
import { checkMetaCredentials, metaNumbers, platformMetaSender } from './numbers.js';
import { fetchMetaMedia, sendMetaMessage, showMetaTyping } from './outbound.js';
import { metaTemplates } from './templates.js';

/**
 * The platform's app (WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET, WHATSAPP_BUSINESS_ACCOUNT_ID).
 * The app secret alone is enough to verify webhooks for organizations that send with their own token.
 */
function platformMetaCredentials(config: Config): MetaCredentials | undefined {
  const { accessToken, appSecret, businessAccountId } = config.meta;
  return accessToken || appSecret ? { accessToken: accessToken ?? '', appSecret, businessAccountId } : undefined;
}

export const meta = {
  name: 'meta',
  label: 'Meta',
  webhooks: [
    { kind: 'receive', method: 'POST', path: '/api/webhooks/meta' },
    { kind: 'handshake', method: 'GET', path: '/api/webhooks/meta', query: metaSubscriptionQuery, answer: answerMetaSubscription },
  ],
  platformCredentials: platformMetaCredentials,
  detect: detectMeta,
  verify: verifyMetaRequest,
  webhookSecretField: 'appSecret',
  routingHint: metaRoutingHint,
  parse: parseMetaWebhook,
  send: sendMetaMessage,
  statusesCarryReference: true,
  fetchMedia: fetchMetaMedia,
  hasServiceWindow: true,
  capabilities: { templates: true },
  numbers: metaNumbers,
  checkCredentials: checkMetaCredentials,
  platformSender: platformMetaSender,
  managedTemplates: metaTemplates,
  typing: showMetaTyping,
} satisfies ProviderAdapter<MetaCredentials>;
