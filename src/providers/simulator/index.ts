// The simulator: a real adapter for simulated phones, chosen by configuration (SIMULATOR). It keeps
// the 24-hour window like Meta so the window rules can be tried with no account.
import type { ProviderAdapter, WebhookRequest } from '../provider.js';
import { parseSimWebhook, simRoutingHint } from './inbound.js';
import { fetchSimMedia, sendSimMessage } from './outbound.js';

export const simulator = {
  name: 'simulator',
  // Never recognized on the shared /api/webhooks/whatsapp endpoint: that one requires a verified
  // provider, and simulator posts carry no signature. They have their own route.
  detect: (_req: WebhookRequest) => false,
  verify: () => true,
  routingHint: simRoutingHint,
  parse: parseSimWebhook,
  send: sendSimMessage,
  fetchMedia: fetchSimMedia,
  hasServiceWindow: true,
} satisfies ProviderAdapter<Record<string, never>>;
