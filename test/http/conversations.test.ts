// The conversations API: list with filters, messages, sending as the organization (422 outside the
// window, 402 at the plan limit), close — and another organization's key sees none of it (404).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact, Conversation, NumberRow } from '../../src/db/schema.js';
import { makeContact, makeConversation, makeNumber, openServiceWindow, useAllowance } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
let orgA: { id: string; key: string };
let orgB: { id: string; key: string };
let number: NumberRow;
let contact: Contact;
let conversation: Conversation;

beforeEach(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1' } });
  orgA = await api.organizationWithKey('Amber Shop', { plan: 'starter' });
  orgB = await api.organizationWithKey('Birch Shop');
  number = await makeNumber(api.ctx, { organization_id: orgA.id });
  contact = await makeContact(api.ctx, { organization_id: orgA.id, name: 'Maria Souza', phone: '+5511987654321' });
  conversation = await makeConversation(api.ctx, { organization_id: orgA.id, contact_id: contact.id, number_id: number.id });
});
afterEach(async () => {
  await api.server.stop();
});

describe('GET /api/organizations/:orgId/conversations', () => {
  it('lists with the contact and filters by status and channel', async () => {
    const all = await api.call('GET', `/api/organizations/${orgA.id}/conversations`, { key: orgA.key });
    expect(all.status).toBe(200);
    expect(all.body.conversations).toEqual([
      expect.objectContaining({
        id: conversation.id,
        ref: 1,
        channel: 'whatsapp',
        status: 'bot',
        contactName: 'Maria Souza',
        contactNumber: '+5511987654321',
        sessionId: null,
      }),
    ]);
    const closed = await api.call('GET', `/api/organizations/${orgA.id}/conversations?status=closed`, { key: orgA.key });
    expect(closed.body.conversations).toEqual([]);
    const widget = await api.call('GET', `/api/organizations/${orgA.id}/conversations?channel=widget`, { key: orgA.key });
    expect(widget.body.conversations).toEqual([]);
    const bad = await api.call('GET', `/api/organizations/${orgA.id}/conversations?status=sleeping`, { key: orgA.key });
    expect(bad.status).toBe(400);
    expect(bad.body.ok).toBe(false);
  });

  it("answers 404 for another organization's key", async () => {
    const res = await api.call('GET', `/api/organizations/${orgA.id}/conversations`, { key: orgB.key });
    expect(res.status).toBe(404);
  });
});

describe('POST /api/conversations/:id/messages', () => {
  it('sends text inside the window and shows it in the thread', async () => {
    await openServiceWindow(api.ctx, number.id, contact.phone!);
    const sent = await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: orgA.key, body: { text: 'Your order is on its way' } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ direction: 'out', author: 'agent', body: 'Your order is on its way' });
    // the worker may already have sent it by the time the answer is written
    expect(['queued', 'sent']).toContain(sent.body.message.status);
    const thread = await api.call('GET', `/api/conversations/${conversation.id}/messages`, { key: orgA.key });
    expect(thread.body.messages.map((m: { body: string }) => m.body)).toEqual(['Your order is on its way']);
  });

  it('refuses free text outside the 24-hour window with 422 and a sentence, and stores nothing', async () => {
    const res = await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: orgA.key, body: { text: 'Hello again' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ ok: false, code: 'WINDOW_CLOSED' });
    expect(res.body.error).toMatch(/template/);
    expect(await api.ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);
  });

  it('sends a template outside the window', async () => {
    const res = await api.call('POST', `/api/conversations/${conversation.id}/messages`, {
      key: orgA.key,
      body: { template: 'order_update', variables: ['Maria', '#1042'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.message.body).toContain('order_update');
  });

  it('answers 402 naming the plan and limit once the month is used up', async () => {
    await api.call('PATCH', `/api/organizations/${orgA.id}`, { body: { plan: 'trial' } });
    await openServiceWindow(api.ctx, number.id, contact.phone!);
    await useAllowance(api.ctx, orgA.id, 50);
    const res = await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: orgA.key, body: { text: 'One more' } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatch(/trial/);
    expect(res.body.error).toMatch(/50/);
  });

  it('validates the body with a sentence', async () => {
    for (const body of [{}, { text: '' }, { text: 'x', template: 'y' }, { text: 42 }]) {
      const res = await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: orgA.key, body });
      expect(res.status).toBe(400);
      expect(res.body.ok).toBe(false);
    }
  });

  it('sends one message for a repeated Idempotency-Key', async () => {
    await openServiceWindow(api.ctx, number.id, contact.phone!);
    const send = () =>
      api.server.app.inject({
        method: 'POST',
        url: `/api/conversations/${conversation.id}/messages`,
        headers: { authorization: `Bearer ${orgA.key}`, 'idempotency-key': 'retry-1' },
        payload: { text: 'Only once' },
      });
    const first = (await send()).json();
    const second = (await send()).json();
    expect(second.message.id).toBe(first.message.id);
    expect(await api.ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(1);
  });
});

describe('tenancy and close', () => {
  it("answers 404 to another organization's key for messages, send and close", async () => {
    for (const [method, url, body] of [
      ['GET', `/api/conversations/${conversation.id}/messages`, undefined],
      ['POST', `/api/conversations/${conversation.id}/messages`, { text: 'hi' }],
      ['POST', `/api/conversations/${conversation.id}/close`, undefined],
    ] as const) {
      const res = await api.call(method, url, { key: orgB.key, body });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    }
    expect((await api.call('GET', '/api/conversations/no-such-id/messages', { key: orgA.key })).status).toBe(404);
  });

  it('closes a conversation', async () => {
    const res = await api.call('POST', `/api/conversations/${conversation.id}/close`, { key: orgA.key });
    expect(res.status).toBe(200);
    expect(res.body.conversation.status).toBe('closed');
    const closed = await api.call('GET', `/api/organizations/${orgA.id}/conversations?status=closed`, { key: orgA.key });
    expect(closed.body.conversations.map((c: { id: string }) => c.id)).toEqual([conversation.id]);
  });
});

describe('answering a website visitor from the inbox', () => {
  it('delivers the reply to the visitor live, as the agent, once per idempotency key', async () => {
    const visitor = await makeContact(api.ctx, { organization_id: orgA.id, kind: 'visitor', external_id: 'visitor_inbox1', name: 'Ana' });
    const chat = await makeConversation(api.ctx, { organization_id: orgA.id, contact_id: visitor.id, channel: 'widget' });
    const seen: unknown[] = [];
    api.ctx.bus.subscribe(`org:${orgA.id}`, (event) => seen.push(event));
    const first = await api.call('POST', `/api/conversations/${chat.id}/messages`, {
      key: orgA.key,
      body: { text: 'Hi Ana, how can I help?' },
      headers: { 'idempotency-key': 'reply-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ direction: 'out', author: 'agent', body: 'Hi Ana, how can I help?' });
    const again = await api.call('POST', `/api/conversations/${chat.id}/messages`, {
      key: orgA.key,
      body: { text: 'Hi Ana, how can I help?' },
      headers: { 'idempotency-key': 'reply-1' },
    });
    expect(again.body.message.id).toBe(first.body.message.id);
    const thread = await api.call('GET', `/api/conversations/${chat.id}/messages`, { key: orgA.key });
    expect(thread.body.messages.filter((m: { author: string }) => m.author === 'agent')).toHaveLength(1);
    expect(seen.length).toBeGreaterThan(0);

    const template = await api.call('POST', `/api/conversations/${chat.id}/messages`, { key: orgA.key, body: { template: 'HX1', variables: [] } });
    expect(template.status).toBe(400);
    expect(template.body.error).toMatch(/templates are for WhatsApp/);
    const other = await api.call('POST', `/api/conversations/${chat.id}/messages`, { key: orgB.key, body: { text: 'hello' } });
    expect(other.status).toBe(404);
  });
});
