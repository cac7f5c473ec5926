// The inbox as an agent reads it: unread counts that a read clears, the assignee and the email a
// visitor left on the conversation, and a failed send that says why and what to do.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Contact, Conversation, NumberRow } from '../../src/db/schema.js';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
let org: { id: string; key: string };
let number: NumberRow;
let contact: Contact;
let conversation: Conversation;

beforeEach(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1', WORKER: '0' } });
  org = await api.organizationWithKey('Amber Shop', { plan: 'starter' });
  number = await makeNumber(api.ctx, { organization_id: org.id, provider: 'simulator', phone_number: '+15550100001', provider_id: '+15550100001' });
  contact = await makeContact(api.ctx, { organization_id: org.id, name: 'Ana', phone: '+5511987654321', email: 'ana@example.com' });
  conversation = await makeConversation(api.ctx, { organization_id: org.id, contact_id: contact.id, number_id: number.id });
});
afterEach(async () => {
  await api.server.stop();
});

const listed = async () => {
  const res = await api.call('GET', `/api/organizations/${org.id}/conversations`, { key: org.key });
  return res.body.conversations[0];
};
async function addAgent(organizationId: string, name: string, number: string) {
  const at = api.ctx.clock.now().toISOString();
  await api.ctx.db
    .insertInto('agents')
    .values({ id: `agent-${number}`, organization_id: organizationId, name, number, status: 'active', created_at: at, accepted_at: at })
    .execute();
}
const from = (body: string) => makeInboundMessage(api.ctx, number, { from: contact.phone!, body, conversationId: conversation.id });

describe('unread counts', () => {
  it('counts the contact’s messages since the inbox last read the conversation', async () => {
    await from('Hello?');
    await from('Anyone there?');
    expect((await listed()).unread).toBe(2);

    const read = await api.call('POST', `/api/conversations/${conversation.id}/read`, { key: org.key, body: {} });
    expect(read.status).toBe(200);
    expect((await listed()).unread).toBe(0);

    await from('Still here');
    expect((await listed()).unread).toBe(1);
  });

  it('another organization cannot mark it read', async () => {
    const other = await api.organizationWithKey('Birch Shop');
    await from('Hello?');
    const res = await api.call('POST', `/api/conversations/${conversation.id}/read`, { key: other.key, body: {} });
    expect(res.status).toBe(404);
    expect((await listed()).unread).toBe(1);
  });
});

describe('the conversation names its assignee and the email the visitor left', () => {
  it('lists both, the agent by name when the organization lists them', async () => {
    expect(await listed()).toMatchObject({ agentNumber: null, agentName: null, contactEmail: 'ana@example.com' });
    await api.ctx.db.updateTable('conversations').set({ status: 'agent', agent_number: '+15550100101' }).where('id', '=', conversation.id).execute();
    expect(await listed()).toMatchObject({ status: 'agent', agentNumber: '+15550100101', agentName: null });
    await addAgent(org.id, 'Maya', '+15550100101');
    expect(await listed()).toMatchObject({ agentNumber: '+15550100101', agentName: 'Maya' });
  });
});

describe('a failed send on the message', () => {
  it('says the 24-hour window closed and what to do, apart from what the contact saw', async () => {
    // an agent who never wrote to this number: the notification cannot go as free text
    await enqueueSend(api.ctx, {
      organizationId: org.id,
      conversationId: conversation.id,
      numberId: number.id,
      to: '+15550100101',
      text: '🔔 Agent Handover Request',
      author: 'system',
      audience: 'agent',
      idempotencyKey: 'inbox-test:notification',
    });
    const res = await api.call('GET', `/api/conversations/${conversation.id}/messages`, { key: org.key });
    const [notice] = res.body.messages;
    expect(notice).toMatchObject({ audience: 'agent', agentNumber: '+15550100101', agentName: null, status: 'failed', errorCode: 'WINDOW_CLOSED' });
    expect(notice.failure.reason).toMatch(/24-hour window: \+15550100101 has not written to this number/);
    expect(notice.failure.action).toMatch(/send any message to this number|handover template/);

    await addAgent(org.id, 'Maya', '+15550100101');
    const named = await api.call('GET', `/api/conversations/${conversation.id}/messages`, { key: org.key });
    expect(named.body.messages[0]).toMatchObject({ agentNumber: '+15550100101', agentName: 'Maya' });
    await from('Hi');
    const again = await api.call('GET', `/api/conversations/${conversation.id}/messages`, { key: org.key });
    expect(again.body.messages[1]).toMatchObject({ audience: 'contact', agentNumber: null, failure: null });
  });
});

describe('a visitor waiting for an agent', () => {
  it('is answered 200 and listed as "no agent reached yet" with each agent’s reason when no agent can be written to now', async () => {
    await addAgent(org.id, 'Maya', '+15550100101');
    await addAgent(org.id, 'Tom', '+15550100102');
    const created = await api.call('POST', `/api/organizations/${org.id}/widgets`, {
      key: org.key,
      body: { name: 'Chat', allowedOrigins: ['*'], agentWhatsappNumbers: ['+15550100101', '+15550100102'], whatsappNumberPool: [{ number: '+15550100001' }] },
    });
    expect(created.status).toBe(201);
    const opened = await api.server.app.inject({
      method: 'POST',
      url: `/api/widget/${created.body.widget.publicKey}/sessions`,
      payload: { visitorName: 'Gus' },
    });
    const { sessionId, token } = opened.json() as { sessionId: string; token: string };
    const headers = { authorization: `Bearer ${token}` };
    await api.server.app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/messages`, headers, payload: { text: 'a person please' } });
    const handover = await api.server.app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/handover`, headers });
    // Neither agent has written to the pool number: no 503, the visitor waits.
    expect(handover.statusCode).toBe(200);
    expect(handover.json()).toMatchObject({ ok: true, assignedWhatsappNumber: '+15550100001' });

    const res = await api.call('GET', `/api/organizations/${org.id}/conversations?status=waiting_agent`, { key: org.key });
    expect(res.body.conversations).toHaveLength(1);
    const { waiting } = res.body.conversations[0];
    expect(waiting.agentReached).toBe(false);
    expect(waiting.agents.map((a: { name: string; path: string; reached: boolean }) => [a.name, a.path, a.reached])).toEqual([
      ['Maya', 'skipped', false],
      ['Tom', 'skipped', false],
    ]);
    expect(waiting.agents[0].reason).toContain('has not written to +15550100001 in the last 24 hours');
    // Only waiting conversations carry it.
    expect((await api.call('GET', `/api/organizations/${org.id}/conversations?status=bot`, { key: org.key })).body.conversations[0].waiting).toBeUndefined();
  });
});
