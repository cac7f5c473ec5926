// The message_templates part of the fake Graph API (providers-templates.md A1.2): create a WABA
// template, list by name with `fields`, its review set by the test; and the signed
// `message_template_status_update` webhook Meta would post about it.
import { createHmac } from 'node:crypto';
import type { FakeResponse, RecordedRequest, Route } from './server.js';

export type MetaReview = 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export interface FakeMetaTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  status: MetaReview;
  rejected_reason: string;
  components: unknown[];
}

export interface FakeMetaTemplates {
  templates: FakeMetaTemplate[];
  /** What a new template starts as (default PENDING). */
  createAs(status: MetaReview): void;
  review(id: string, status: MetaReview, rejectedReason?: string): void;
  /** Forget every template and go back to PENDING for new ones. */
  clearTemplates(): void;
}

type Handler = (req: RecordedRequest, params: Record<string, string>) => FakeResponse;

export function messageTemplateRoutes(
  wabaId: string,
  authed: (handler: Handler) => Handler,
  graphError: (status: number, code: number, message: string, details?: string) => FakeResponse,
): { routes: Route[]; state: FakeMetaTemplates } {
  const templates: FakeMetaTemplate[] = [];
  let initial: MetaReview = 'PENDING';
  let nextId = 1689556908129832;
  const unknown = (id: string) => graphError(400, 100, `Unsupported request. Object with ID '${id}' does not exist.`);
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: '/:version/:wabaId/message_templates',
      handler: authed((req, params) => {
        if (params.wabaId !== wabaId) return unknown(params.wabaId!);
        const body = req.body as Record<string, any> | undefined;
        if (typeof body?.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name))
          return graphError(400, 100, 'Invalid parameter', 'name must be lowercase letters, digits and _.');
        if (!['UTILITY', 'MARKETING', 'AUTHENTICATION'].includes(body.category)) return graphError(400, 100, 'Invalid parameter', 'category is required.');
        const bodyComponent = Array.isArray(body.components) ? body.components.find((c: any) => c?.type === 'BODY') : undefined;
        const placeholders = String(bodyComponent?.text ?? '').match(/\{\{\d+\}\}/g) ?? [];
        if (!bodyComponent || (placeholders.length > 0 && bodyComponent.example?.body_text?.[0]?.length !== placeholders.length)) {
          return graphError(400, 100, 'Invalid parameter', 'A BODY with an example for every parameter is required.');
        }
        if (templates.some((t) => t.name === body.name && t.language === body.language)) {
          return graphError(400, 100, 'Invalid parameter', 'Message template already exists in this language.');
        }
        const template: FakeMetaTemplate = {
          id: String(nextId++),
          name: body.name,
          language: body.language,
          category: body.category,
          status: initial,
          rejected_reason: 'NONE',
          components: body.components,
        };
        templates.push(template);
        return { status: 200, body: { id: template.id, status: template.status, category: template.category } };
      }),
    },
    {
      method: 'GET',
      pattern: '/:version/:wabaId/message_templates',
      handler: authed((req, params) => {
        if (params.wabaId !== wabaId) return unknown(params.wabaId!);
        const fields = (req.query.fields ?? 'id,name,language,status,category').split(',');
        const found = templates.filter((t) => !req.query.name || t.name === req.query.name);
        const data = found.map((t) => Object.fromEntries(fields.filter((f) => f in t).map((f) => [f, t[f as keyof FakeMetaTemplate]])));
        return { status: 200, body: { data, paging: { cursors: { before: 'QVFIUmFk', after: 'QVFIUmFl' } } } };
      }),
    },
  ];
  return {
    routes,
    state: {
      templates,
      createAs(status) {
        initial = status;
      },
      clearTemplates() {
        templates.length = 0;
        initial = 'PENDING';
      },
      review(id, status, rejectedReason = 'NONE') {
        const template = templates.find((t) => t.id === id);
        if (!template) throw new Error(`no template ${id}`);
        template.status = status;
        template.rejected_reason = rejectedReason;
      },
    },
  };
}

/**
 * The `message_template_status_update` webhook for a template of `wabaId` (the WABA is `entry[].id`;
 * the template id an integer, the language with a hyphen, as Meta's webhook spells them), signed with the app secret.
 */
export function templateStatusWebhook(
  appSecret: string,
  input: { wabaId: string; templateId: string; name: string; language: string; event: string; reason?: string | null },
): { body: Buffer; signature: string } {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: input.wabaId,
        time: 1751247548,
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: input.event,
              message_template_id: Number(input.templateId),
              message_template_name: input.name,
              message_template_language: input.language.replace('_', '-'),
              reason: input.reason === undefined ? 'NONE' : input.reason,
              message_template_category: 'UTILITY',
              ...(input.reason === 'INVALID_FORMAT'
                ? { rejection_info: { reason: 'Variables at the end', recommendation: 'Add words after the last variable' } }
                : {}),
            },
          },
        ],
      },
    ],
  };
  const body = Buffer.from(JSON.stringify(payload));
  return { body, signature: `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}` };
}
