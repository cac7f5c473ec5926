// The Content API part of the fake Twilio (providers-templates.md A1.1): create a Content resource
// (JSON), submit it to WhatsApp, read its approval — with the review's outcome set by the test.
import { basicAuth, type FakeResponse, hex32, type RecordedRequest, type Route } from './server.js';

export type ContentReview = 'received' | 'pending' | 'approved' | 'rejected' | 'paused' | 'disabled';

export interface FakeContent {
  /** Content resources by HX sid, with their approval request once submitted */
  contents: Map<string, { resource: Record<string, unknown>; approval?: { name: string; category: string; status: ContentReview; rejection_reason: string } }>;
  /** What a new submission starts as (default `received`). */
  submitAs(status: ContentReview): void;
  /** The review of a submitted content moves on (approve, reject with a reason, pause). */
  review(sid: string, status: ContentReview, rejectionReason?: string): void;
}

export function contentRoutes(account: { accountSid: string; authToken: string }): { routes: Route[]; content: FakeContent } {
  const contents: FakeContent['contents'] = new Map();
  let initial: ContentReview = 'received';
  const error = (status: number, code: number, message: string): FakeResponse => ({
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });
  const authed =
    (handler: (req: RecordedRequest, params: Record<string, string>) => FakeResponse) =>
    (req: RecordedRequest, params: Record<string, string>): FakeResponse => {
      const auth = basicAuth(req);
      if (!auth || auth.username !== account.accountSid || auth.password !== account.authToken) return error(401, 20003, 'Authenticate');
      if (req.method === 'POST' && !(req.headers['content-type'] ?? '').includes('application/json')) {
        return error(400, 20001, 'The Content API takes JSON bodies.');
      }
      return handler(req, params);
    };
  const approvalAnswer = (sid: string): FakeResponse => {
    const item = contents.get(sid);
    if (!item) return error(404, 20404, `The requested resource /v1/Content/${sid}/ApprovalRequests was not found`);
    const whatsapp = item.approval
      ? { type: 'whatsapp', ...item.approval, content_type: 'twilio/text', allow_category_change: true }
      : { type: 'whatsapp', name: '', category: '', content_type: 'twilio/text', status: 'unsubmitted', rejection_reason: '', allow_category_change: true };
    return { status: 200, body: { sid, account_sid: account.accountSid, whatsapp, url: `https://content.twilio.com/v1/Content/${sid}/ApprovalRequests` } };
  };

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: '/v1/Content',
      handler: authed((req) => {
        const body = req.body as Record<string, any> | undefined;
        if (!body?.language || !body.types || typeof body.types !== 'object') return error(400, 20001, 'language and types are required.');
        const sid = `HX${hex32()}`;
        const now = new Date().toISOString();
        const resource = {
          sid,
          account_sid: account.accountSid,
          friendly_name: body.friendly_name ?? null,
          language: body.language,
          variables: body.variables ?? {},
          types: body.types,
          url: `https://content.twilio.com/v1/Content/${sid}`,
          date_created: now,
          date_updated: now,
          links: {
            approval_create: `https://content.twilio.com/v1/Content/${sid}/ApprovalRequests/whatsapp`,
            approval_fetch: `https://content.twilio.com/v1/Content/${sid}/ApprovalRequests`,
          },
        };
        contents.set(sid, { resource });
        return { status: 201, body: resource };
      }),
    },
    {
      method: 'POST',
      pattern: '/v1/Content/:sid/ApprovalRequests/whatsapp',
      handler: authed((req, { sid }) => {
        const item = contents.get(sid!);
        if (!item) return error(404, 20404, `The requested resource /v1/Content/${sid} was not found`);
        const body = req.body as Record<string, any> | undefined;
        if (typeof body?.name !== 'string' || !/^[a-z0-9_]+$/.test(body.name) || typeof body.category !== 'string') {
          return error(400, 20001, 'name (lowercase letters, digits and _) and category are required.');
        }
        item.approval = { name: body.name, category: body.category, status: initial, rejection_reason: '' };
        return { status: 201, body: { ...item.approval, content_type: 'twilio/text', allow_category_change: true } };
      }),
    },
    { method: 'GET', pattern: '/v1/Content/:sid/ApprovalRequests', handler: authed((_req, { sid }) => approvalAnswer(sid!)) },
  ];
  return {
    routes,
    content: {
      contents,
      submitAs(status) {
        initial = status;
      },
      review(sid, status, rejectionReason = '') {
        const item = contents.get(sid);
        if (!item?.approval) throw new Error(`content ${sid} was never submitted`);
        item.approval = { ...item.approval, status, rejection_reason: rejectionReason };
      },
    },
  };
}
