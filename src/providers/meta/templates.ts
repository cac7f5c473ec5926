// Meta's WABA templates (providers-templates.md A1.2): created once per WhatsApp Business Account,
// read back by name, and their review pushed by the `message_template_status_update` webhook.
import { isRecord } from '../transport.js';
import {
  type MetaCredentials,
  type ProviderContext,
  ProviderRequestError,
  type ProviderTemplate,
  type TemplateAbility,
  type TemplateDraft,
  type TemplateStatus,
  type TemplateStatusEvent,
  type WebhookRequest,
} from '../provider.js';
import { isGraphId } from './ids.js';
import { graphCall, graphUrl } from './numbers.js';
import type { MetaWebhookPayload } from './payloads.js';
import { payloadOf } from './inbound.js';

/**
 * Meta's states and webhook events in our words. FLAGGED (a quality warning) and states that say
 * nothing about sending are left out: such an event changes nothing.
 */
const STATUSES: Record<string, TemplateStatus> = {
  APPROVED: 'approved',
  REINSTATED: 'approved',
  UNPAUSED: 'approved',
  PENDING: 'pending',
  IN_APPEAL: 'pending',
  REJECTED: 'rejected',
  PAUSED: 'paused',
  DISABLED: 'disabled',
  ARCHIVED: 'disabled',
  DELETED: 'disabled',
  PENDING_DELETION: 'disabled',
  LIMIT_EXCEEDED: 'disabled',
  LOCKED: 'disabled',
};

/** `en-US` (webhooks) and `en_US` (REST) are one language. */
export const sameLanguage = (a: string, b: string) => a.replace('-', '_').toLowerCase() === b.replace('-', '_').toLowerCase();

function wabaOf(credentials: MetaCredentials): string {
  const waba = credentials.businessAccountId;
  if (!waba || !isGraphId(waba)) throw new ProviderRequestError('rejected', 'Meta templates belong to a WhatsApp Business Account: its id is not configured.');
  return waba;
}

function templateOf(entry: Record<string, unknown>): ProviderTemplate {
  const status = STATUSES[String(entry.status ?? '').toUpperCase()] ?? 'pending';
  const reason = typeof entry.rejected_reason === 'string' && entry.rejected_reason !== 'NONE' ? entry.rejected_reason : null;
  return { providerTemplateId: String(entry.id), status, rejectionReason: status === 'rejected' ? (reason ?? 'Rejected without a reason given.') : null };
}

/** GET /{waba}/message_templates?name=…&fields=…: the template of that name and language, if any. */
async function findByName(ctx: ProviderContext, credentials: MetaCredentials, name: string, language: string) {
  const query = new URLSearchParams({ name, fields: 'id,name,language,status,category,rejected_reason', limit: '100' });
  const body = await graphCall(`${graphUrl(ctx.config, `${wabaOf(credentials)}/message_templates`)}?${query}`, credentials.accessToken);
  const data = Array.isArray(body.data) ? body.data.filter(isRecord) : [];
  return data.find((t) => t.name === name && typeof t.language === 'string' && sameLanguage(t.language, language) && t.id !== undefined);
}

/** POST /{waba}/message_templates, UTILITY with one BODY and its samples; an existing one of the name is adopted. */
async function createTemplate(ctx: ProviderContext, credentials: MetaCredentials, draft: TemplateDraft): Promise<ProviderTemplate> {
  const existing = await findByName(ctx, credentials, draft.name, draft.language);
  if (existing) return templateOf(existing);
  const created = await graphCall(graphUrl(ctx.config, `${wabaOf(credentials)}/message_templates`), credentials.accessToken, {
    name: draft.name,
    language: draft.language,
    category: 'UTILITY',
    components: [{ type: 'BODY', text: draft.body, example: { body_text: [draft.samples] } }],
  });
  if (created.id === undefined) throw new ProviderRequestError('failed', 'Meta created the template but answered no id.');
  return templateOf(created);
}

async function readTemplate(
  ctx: ProviderContext,
  credentials: MetaCredentials,
  template: { providerTemplateId: string; name: string; language: string },
): Promise<ProviderTemplate> {
  const found = await findByName(ctx, credentials, template.name, template.language);
  if (!found || String(found.id) !== template.providerTemplateId) {
    return { providerTemplateId: template.providerTemplateId, status: 'disabled', rejectionReason: 'The template is no longer in the business account.' };
  }
  return templateOf(found);
}

/** The change values of a webhook that is not JSON with entries name nothing. */
function statusChangesOf(req: WebhookRequest): TemplateStatusEvent[] {
  try {
    return parseTemplateStatusChanges(payloadOf(req));
  } catch {
    return [];
  }
}

export const metaTemplates: TemplateAbility<MetaCredentials> = {
  accountOf: (credentials) => credentials.businessAccountId,
  create: createTemplate,
  read: readTemplate,
  statusPushed: true,
  // This webhook has no metadata.phone_number_id: the WABA it is about chooses the credentials.
  webhookAccount: (req) => statusChangesOf(req)[0]?.account,
  parseStatusWebhook: statusChangesOf,
};

/** Every `message_template_status_update` change: the WABA (`entry[].id`) it is about and the new state. */
export function parseTemplateStatusChanges(payload: MetaWebhookPayload): TemplateStatusEvent[] {
  const events: TemplateStatusEvent[] = [];
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'message_template_status_update' || !isRecord(change.value)) continue;
      const value = change.value as Record<string, unknown>;
      const status = STATUSES[String(value.event ?? '').toUpperCase()];
      const id = value.message_template_id;
      // An integer here, a string in REST; anything else, or no account, names nothing.
      if (!status || typeof entry.id !== 'string' || !(typeof id === 'number' || typeof id === 'string') || !/^\d+$/.test(String(id))) continue;
      const info = isRecord(value.rejection_info) && typeof value.rejection_info.reason === 'string' ? `: ${value.rejection_info.reason}` : '';
      const reason = typeof value.reason === 'string' && value.reason !== 'NONE' ? `${value.reason}${info}` : undefined;
      events.push({
        kind: 'template_status',
        provider: 'meta',
        account: entry.id,
        providerTemplateId: typeof id === 'number' ? id.toFixed(0) : id,
        status,
        ...(reason ? { reason } : {}),
      });
    }
  }
  return events;
}
