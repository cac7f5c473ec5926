// Every destructive action says what it will do before (a preview that changes nothing, the
// dashboard's confirmation) and after (the DELETE repeats it): revoking a key, deleting a widget,
// deleting a knowledge document. Numbers: number-removal.test.ts; agents: agent-removal.test.ts.
// And a number's last send error is shown only while it is current.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContact, makeConversation, makeNumber, makeOutboundMessage } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
beforeAll(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1', WORKER: '0', ANSWER_BY_MEANING: '0' } });
});
afterAll(async () => {
  await api.server.stop();
});

async function signIn(key: string): Promise<string> {
  const res = await api.server.app.inject({ method: 'POST', url: '/api/session', payload: { key } });
  expect(res.statusCode).toBe(200);
  return String(res.headers['set-cookie']).split(';')[0]!;
}

const withCookie = (cookie: string, method: 'GET' | 'DELETE', url: string) =>
  api.server.app.inject({ method, url, headers: { cookie, 'x-switchboard-dashboard': '1' } });

describe('revoking a key', () => {
  it("names the key, its sign-ins, and the caller's own session; the preview changes nothing, the DELETE repeats it", async () => {
    const { id } = await api.organizationWithKey('Keyed Cafe');
    const issued = await api.call('POST', `/api/organizations/${id}/api-keys`, { body: { name: 'ci' } });
    const { key, apiKey } = issued.body as { key: string; apiKey: { id: string } };
    const cookie = await signIn(key);
    const path = `/api/organizations/${id}/api-keys/${apiKey.id}`;

    const asPlatform = await api.call('GET', `${path}/revocation`);
    expect(asPlatform.body).toMatchObject({ ok: true, sessions: 1, yours: false, apiKey: { id: apiKey.id, name: 'ci', revokedAt: null } });
    expect(asPlatform.body.summary).toBe(
      "Dashboards and scripts using key 'ci' stop working at once; it cannot be turned back on (issue a new key instead). 1 dashboard sign-in made with it ends.",
    );
    // asked from a dashboard signed in with that very key
    const asItself = await withCookie(cookie, 'GET', `${path}/revocation`);
    expect(asItself.json()).toMatchObject({ yours: true, summary: expect.stringMatching(/This dashboard is signed in with it: you are signed out\.$/) });
    expect((await withCookie(cookie, 'GET', `/api/organizations/${id}/api-keys`)).statusCode).toBe(200);

    const revoked = await api.call('DELETE', path);
    expect(revoked.body).toMatchObject({ ok: true, summary: asPlatform.body.summary, apiKey: { revokedAt: api.ctx.clock.now().toISOString() } });
    expect((await withCookie(cookie, 'GET', `/api/organizations/${id}/api-keys`)).statusCode).toBe(401);
    expect((await api.call('GET', '/api/whoami', { key })).status).toBe(401);

    const again = await api.call('DELETE', path);
    expect(again.body.summary).toMatch(/^The key 'ci' was already revoked \(.+\); nothing changes\.$/);
    const other = await api.organizationWithKey('Not Yours');
    expect((await api.call('GET', `${path}/revocation`, { key: other.key })).status).toBe(404);
  });
});

describe('deleting a widget', () => {
  it('names its sites, its open chats (closed first), its visitors and its pool', async () => {
    const { id, key } = await api.organizationWithKey('Widget Works');
    const number = (await api.call('POST', `/api/organizations/${id}/numbers`, { key, body: { provider: 'simulator' } })).body.number;
    const created = await api.call('POST', `/api/organizations/${id}/widgets`, {
      key,
      body: { name: 'Website chat', allowedOrigins: ['https://x.example'], whatsappNumberPool: [{ number: number.phoneNumber }] },
    });
    const widget = created.body.widget as { id: string; publicKey: string };
    const session = await api.server.app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, payload: {} });
    expect(session.statusCode).toBe(201);
    const visitor = await makeContact(api.ctx, { organization_id: id, kind: 'visitor', phone: null, external_id: 'visitor_7' });
    const open = await makeConversation(api.ctx, { organization_id: id, contact_id: visitor.id, channel: 'widget', widget_id: widget.id });

    const preview = await api.call('GET', `/api/widgets/${widget.id}/removal`, { key });
    expect(preview.body).toMatchObject({ openChats: [open.ref], visitorSessions: 1, poolNumbers: 1 });
    expect(preview.body.summary).toBe(
      `The chat of widget 'Website chat' disappears from https://x.example. 1 open chat (#${open.ref}) is closed: the visitor and any agent are told, and the conversation stays in the inbox. ` +
        "1 visitor loses their chat history. Its pool of 1 number is emptied (the numbers stay the organization's).",
    );
    expect((await api.call('GET', `/api/widgets/${widget.id}`, { key })).status).toBe(200);

    const deleted = await api.call('DELETE', `/api/widgets/${widget.id}`, { key });
    expect(deleted.body).toMatchObject({ ok: true, summary: preview.body.summary, openChats: [open.ref] });
    const conversation = await api.ctx.db.selectFrom('conversations').select('status').where('id', '=', open.id).executeTakeFirstOrThrow();
    expect(conversation.status).toBe('closed');
    expect((await api.call('GET', `/api/widgets/${widget.id}`, { key })).status).toBe(404);
    expect((await api.call('DELETE', `/api/widgets/${widget.id}`, { key })).status).toBe(404);
  });
});

describe('deleting a knowledge document', () => {
  it('counts the entries that leave the trained knowledge base, and says when nothing the bot answers changes', async () => {
    const { id, key } = await api.organizationWithKey('Know Co');
    const base = `/api/organizations/${id}/knowledge`;
    const add = async (title: string, content: string) => (await api.call('POST', base, { key, body: { title, content } })).body.document.id as string;
    const hours = await add('Hours', 'We open at 9am every day.\n\nWe close at 6pm on weekdays.');
    const untrained = await api.call('GET', `${base}/${hours}/removal`, { key });
    expect(untrained.body).toMatchObject({ passages: 0, trained: false });
    expect(untrained.body.summary).toBe("'Hours' is deleted. The knowledge base was never trained, so nothing the bot answers changes.");

    const prices = await add('Prices', 'A day of bike rental costs $30.\n\nA week costs $150.');
    expect((await api.call('POST', `/api/organizations/${id}/train`, { key })).status).toBe(200);
    const preview = await api.call('GET', `${base}/${prices}/removal`, { key });
    expect(preview.body.trained).toBe(true);
    const passages = preview.body.passages as number;
    expect(passages).toBeGreaterThan(0);
    expect(preview.body.summary).toBe(
      `'Prices' is deleted and ${passages} ${passages === 1 ? 'entry leaves' : 'entries leave'} the knowledge base: the bot no longer answers from ${passages === 1 ? 'it' : 'them'}. It is trained again at once without ${passages === 1 ? 'it' : 'them'}.`,
    );
    const deleted = await api.call('DELETE', `${base}/${prices}`, { key });
    expect(deleted.body).toMatchObject({ ok: true, message: 'Document deleted.', summary: preview.body.summary, passages });
    expect((await api.call('GET', base, { key })).body.documents.map((d: { title: string }) => d.title)).toEqual(['Hours']);
    expect((await api.call('GET', `${base}/${prices}/removal`, { key })).status).toBe(404);
  });
});

describe("a number's last send error", () => {
  it('is shown while current: not after a later send worked, nor once a day old', async () => {
    const { id, key } = await api.organizationWithKey('Health Check');
    const number = await makeNumber(api.ctx, { organization_id: id, provider: 'simulator', phone_number: '+15550118888', provider_id: '+15550118888' });
    const send = (success: boolean) =>
      makeOutboundMessage(api.ctx, number, { to: '+15550177002', ...(success ? {} : { sendError: 'Outside the 24-hour window.' }) });
    const lastError = async () => {
      const numbers = (await api.call('GET', `/api/organizations/${id}/numbers`, { key })).body.numbers as Array<{ id: string; lastSendError: string | null }>;
      return numbers.find((n) => n.id === number.id)!.lastSendError;
    };
    await send(false);
    expect(await lastError()).toBe('Outside the 24-hour window.');
    await send(true);
    expect(await lastError()).toBeNull();
    await send(false);
    expect(await lastError()).toBe('Outside the 24-hour window.');
    api.ctx.clock.advance(25 * 60 * 60 * 1000);
    expect(await lastError()).toBeNull();
  });
});
