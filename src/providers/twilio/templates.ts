// Twilio's Content API (providers-templates.md A1.1): a `twilio/text` Content resource, submitted to
// WhatsApp with an approval request, whose state is read back until it is final. JSON bodies, Basic
// auth as the REST API. Twilio registers it under a suffixed name, so templates are keyed by HX sid.
import {
  type ProviderContext,
  ProviderRequestError,
  ProviderSendError,
  type ProviderTemplate,
  type TemplateAbility,
  type TemplateDraft,
  type TemplateStatus,
  type TwilioCredentials,
} from '../provider.js';
import { isRecord, requestJson } from '../transport.js';
import { isContentSid } from './ids.js';

/** Twilio's approval states (lowercase on the wire) in our words; an unknown one is still in review. */
const STATUSES: Record<string, TemplateStatus> = {
  unsubmitted: 'pending',
  received: 'pending',
  pending: 'pending',
  approved: 'approved',
  rejected: 'rejected',
  paused: 'paused',
  disabled: 'disabled',
};

async function contentCall(ctx: ProviderContext, credentials: TwilioCredentials, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const basic = Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64');
  let response: Awaited<ReturnType<typeof requestJson>>;
  try {
    response = await requestJson(`${ctx.config.twilio.contentBaseUrl}${path}`, { headers: { authorization: `Basic ${basic}` }, body }, 'Twilio');
  } catch (err) {
    if (err instanceof ProviderSendError) throw new ProviderRequestError('unreachable', err.message);
    throw err;
  }
  const answer = isRecord(response.body) ? response.body : {};
  if (response.status >= 200 && response.status < 300) return answer;
  const detail = `${typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`}${answer.code !== undefined ? ` (Twilio error ${String(answer.code)})` : ''}`;
  if (response.status === 401 || response.status === 403) throw new ProviderRequestError('auth', detail);
  if (response.status === 404) throw new ProviderRequestError('unknown', detail);
  if (response.status === 429) throw new ProviderRequestError('busy', detail);
  if (response.status >= 400 && response.status < 500) throw new ProviderRequestError('rejected', detail);
  throw new ProviderRequestError('failed', detail);
}

/** The WhatsApp part of an approval answer: `{whatsapp:{status,…}}`, or flat as some list items are. */
function approvalOf(answer: Record<string, unknown>, sid: string): ProviderTemplate {
  const whatsapp = isRecord(answer.whatsapp) ? answer.whatsapp : answer;
  const wire = typeof whatsapp.status === 'string' ? whatsapp.status.toLowerCase() : '';
  const status = STATUSES[wire] ?? 'pending';
  const reason = typeof whatsapp.rejection_reason === 'string' && whatsapp.rejection_reason !== '' ? whatsapp.rejection_reason : null;
  return { providerTemplateId: sid, status, rejectionReason: status === 'rejected' ? (reason ?? 'Rejected without a reason given.') : null };
}

/** POST /v1/Content, then POST /v1/Content/{HX}/ApprovalRequests/whatsapp `{name, category: "UTILITY"}`. */
async function createTemplate(ctx: ProviderContext, credentials: TwilioCredentials, draft: TemplateDraft): Promise<ProviderTemplate> {
  const created = await contentCall(ctx, credentials, '/v1/Content', {
    friendly_name: draft.name,
    language: draft.language,
    variables: Object.fromEntries(draft.samples.map((sample, i) => [String(i + 1), sample])),
    types: { 'twilio/text': { body: draft.body } },
  });
  const sid = typeof created.sid === 'string' && isContentSid(created.sid) ? created.sid : undefined;
  if (!sid) throw new ProviderRequestError('failed', 'Twilio created the content but answered no HX… sid.');
  const submitted = await contentCall(ctx, credentials, `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: draft.name, category: 'UTILITY' });
  return approvalOf(submitted, sid);
}

/** GET /v1/Content/{HX}/ApprovalRequests. */
async function readTemplate(ctx: ProviderContext, credentials: TwilioCredentials, template: { providerTemplateId: string }): Promise<ProviderTemplate> {
  if (!isContentSid(template.providerTemplateId)) throw new ProviderRequestError('rejected', 'A Twilio template is named by its HX… sid.');
  return approvalOf(await contentCall(ctx, credentials, `/v1/Content/${template.providerTemplateId}/ApprovalRequests`), template.providerTemplateId);
}

export const twilioTemplates: TemplateAbility<TwilioCredentials> = {
  // "A Content SID can be used only by a single Twilio Account SID": one template per account.
  accountOf: (credentials) => credentials.accountSid,
  create: createTemplate,
  read: readTemplate,
  statusPushed: false,
};
