// The simulator: a real adapter for simulated phones, chosen by configuration (SIMULATOR). It keeps
// the 24-hour window like Meta so the window rules can be tried with no account.
import type { ProviderAdapter, WebhookRequest } from '../provider.js';
import { parseSimWebhook, simRoutingHint } from './inbound.js';
import { fetchSimMedia, sendSimMessage, showSimTyping } from './outbound.js';

export const simulator = {
  name: 'simulator',
  label: 'the simulator',
  webhooks: [{ kind: 'receive', method: 'POST', path: '/api/webhooks/sim', enabled: (config) => config.simulator }],
  // Simulated phones need no account.
  platformCredentials: () => ({}),
  // Never recognized on the shared /api/webhooks/whatsapp endpoint: that one requires a verified
  // provider, and simulator posts carry no signature. They have their own route.
  detect: (_req: WebhookRequest) => false,
  verify: () => true,
  routingHint: simRoutingHint,
  parse: parseSimWebhook,
  send: sendSimMessage,
  fetchMedia: fetchSimMedia,
  typing: showSimTyping,
  hasServiceWindow: true,
  // A template shows on the simulated phone as its name and variables; a number's name is the one
  // the phones show.
  capabilities: { templates: true, displayNames: true },
  unsignedWebhooks: true,
  // A simulated number exists the moment it is named (SIMULATOR on).
  numbers: { account: 'the simulator', credentialsName: 'credentials', onDemand: true },
  // Simulated phones have no reviewer: a template is approved the moment it is made.
  managedTemplates: {
    accountOf: () => 'simulator',
    create: async (_ctx, _credentials, draft) => ({ providerTemplateId: `sim_${draft.name}`, status: 'approved', rejectionReason: null }),
    read: async (_ctx, _credentials, template) => ({ providerTemplateId: template.providerTemplateId, status: 'approved', rejectionReason: null }),
    statusPushed: false,
  },
} satisfies ProviderAdapter<Record<string, never>>;
