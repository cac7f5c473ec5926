// The inbox is a seat too (SPEC §8): a reply from the dashboard takes the conversation (the bot stays
// silent), is signed with the key's name (the dashboard session's too), and whoever had it on
// WhatsApp is told; handing back gives it to the bot without closing it.
import { describe, expect, it } from 'vitest';
import { seatText } from '../../src/core/seat-text.js';
import { MAYA as ROSA, SANDBOX, TOM as BEN, sandboxEdgePerTest, type Visitor } from './handover-support.js';

const sandbox = sandboxEdgePerTest();

async function shop(agents: Array<{ name: string; number: string }>) {
  const { edge } = sandbox;
  const org = await edge.organizationWithKey('Crumb & Co Bakery', { plan: 'starter' });
  const sam = (await edge.call('POST', `/api/organizations/${org.id}/api-keys`, { body: { name: 'Sam' } })).body.key as string;
  for (const agent of agents) await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: agent });
  const created = await edge.call('POST', `/api/organizations/${org.id}/widgets`, {
    key: org.key,
    body: { name: 'Website chat', allowedOrigins: ['*'], agentWhatsappNumbers: agents.map((a) => a.number) },
  });
  const widget = created.body.widget as { id: string; publicKey: string; agentInvitation: { code: string } };
  for (const agent of agents) await edge.twilioInbound(agent.number, SANDBOX, `ACCEPT ${widget.agentInvitation.code}`);
  await edge.drain();
  return { ...org, sam, widget };
}

async function conversationOf(orgId: string, ref: number) {
  return sandbox.edge.ctx.db.selectFrom('conversations').selectAll().where('organization_id', '=', orgId).where('ref', '=', ref).executeTakeFirstOrThrow();
}

const said = (v: Visitor, from: number) =>
  v.live.slice(from).flatMap((e) => (e.type === 'message' ? [e.data as { author: string; text: string; authorName?: string }] : []));

describe('a reply from the inbox', () => {
  it('takes a conversation an agent had: signed with the key’s name, the agent told, the bot silent after', async () => {
    const { edge } = sandbox;
    const org = await shop([{ name: 'Rosa', number: ROSA }]);
    const v = await edge.visitor(org.widget.publicKey, 'Gus');
    await v.say('Do you deliver?');
    await v.handover();
    await edge.twilioInbound(ROSA, SANDBOX, '#1: Hi Gus, Rosa here');
    await edge.drain();
    const conversation = await conversationOf(org.id, 1);

    const from = v.live.length;
    const sent = await edge.call('POST', `/api/conversations/${conversation.id}/messages`, { key: org.sam, body: { text: 'Sam here: yes, within 5 km' } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ author: 'agent', agentName: 'Sam', body: 'Sam here: yes, within 5 km' });
    expect(said(v, from)).toEqual([expect.objectContaining({ author: 'agent', authorName: 'Sam', text: 'Sam here: yes, within 5 km' })]);
    await edge.drain();
    expect(edge.sent().at(-1)).toMatchObject({ from: `whatsapp:${SANDBOX}`, to: `whatsapp:${ROSA}`, body: '#1 answered by Sam: Sam here: yes, within 5 km' });
    expect(await conversationOf(org.id, 1)).toMatchObject({ status: 'agent', agent_number: ROSA });
    // The history shows the name too, and the inbox's thread.
    const history = await edge.server.app.inject({ method: 'GET', url: `/api/widget/sessions/${v.sessionId}/messages`, headers: v.auth });
    expect(history.json().messages.at(-1)).toMatchObject({ authorName: 'Sam' });

    const next = v.live.length;
    await v.say('great, thanks');
    expect(said(v, next).filter((m) => m.author === 'bot')).toEqual([]);
    expect(edge.sent().at(-1)).toMatchObject({ to: `whatsapp:${ROSA}`, body: '#1 Gus: great, thanks' });
  });

  it('takes a waiting conversation: every notified agent is told, and one of them may still answer', async () => {
    const { edge } = sandbox;
    const org = await shop([
      { name: 'Rosa', number: ROSA },
      { name: 'Ben', number: BEN },
    ]);
    const v = await edge.visitor(org.widget.publicKey, 'Dana');
    await v.say('Is the shop open on Sunday?');
    await v.handover();
    const conversation = await conversationOf(org.id, 1);
    // The platform key signs as the operator.
    const sent = await edge.call('POST', `/api/conversations/${conversation.id}/messages`, { body: { text: 'Yes, 9 to 1' } });
    expect(sent.body.message.agentName).toBe('Operator');
    await edge.drain();
    const told = edge.sent().filter((m) => m.body === '#1 answered by Operator: Yes, 9 to 1');
    expect(told.map((m) => m.to).sort()).toEqual([`whatsapp:${ROSA}`, `whatsapp:${BEN}`].sort());
    expect(await conversationOf(org.id, 1)).toMatchObject({ status: 'agent', agent_number: null });

    const from = v.live.length;
    await v.say('and Monday?');
    expect(said(v, from).filter((m) => m.author === 'bot')).toEqual([]);
    await edge.twilioInbound(BEN, SANDBOX, '#1: Monday we are closed');
    await edge.drain();
    expect(v.agentTexts()).toEqual(['Yes, 9 to 1', 'Monday we are closed']);
    expect(await conversationOf(org.id, 1)).toMatchObject({ status: 'agent', agent_number: BEN });
  });

  it('is signed through the dashboard session with the name of the key signed in with', async () => {
    const { edge } = sandbox;
    const org = await shop([{ name: 'Rosa', number: ROSA }]);
    const v = await edge.visitor(org.widget.publicKey, 'Li');
    await v.say('hello');
    const signIn = await edge.server.app.inject({ method: 'POST', url: '/api/session', payload: { key: org.sam } });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const conversation = await conversationOf(org.id, 1);
    const sent = await edge.server.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversation.id}/messages`,
      headers: { cookie },
      payload: { text: 'Hi Li, Sam here' },
    });
    expect(sent.statusCode).toBe(201);
    expect(said(v, 0).at(-1)).toMatchObject({ author: 'agent', authorName: 'Sam', text: 'Hi Li, Sam here' });
  });
});

describe('handing back to the bot from the inbox', () => {
  it('ends the claim without closing: the bot answers again, the visitor and the agent are told', async () => {
    const { edge } = sandbox;
    const org = await shop([{ name: 'Rosa', number: ROSA }]);
    const v = await edge.visitor(org.widget.publicKey, 'Gus');
    await v.say('Do you deliver?');
    await v.handover();
    await edge.twilioInbound(ROSA, SANDBOX, '#1: Hi Gus');
    await edge.drain();
    const conversation = await conversationOf(org.id, 1);

    const back = await edge.call('POST', `/api/conversations/${conversation.id}/hand-back`, { key: org.sam });
    expect(back).toMatchObject({ status: 200, body: { ok: true, conversation: { ref: 1, status: 'bot', closedAt: null } } });
    await edge.drain();
    expect(await conversationOf(org.id, 1)).toMatchObject({ status: 'bot', agent_number: null, assigned_whatsapp_number: null });
    expect(edge.sent().at(-1)).toMatchObject({ to: `whatsapp:${ROSA}`, body: 'ℹ️ #1 Gus was handed back to the assistant by Sam.' });
    expect(said(v, 0).at(-1)).toMatchObject({ author: 'system', text: seatText.backToAssistant });

    const from = v.live.length;
    const toRosa = edge.sent().filter((m) => m.to === `whatsapp:${ROSA}`).length;
    await v.say('what about cakes?');
    expect(said(v, from).some((m) => m.author === 'bot')).toBe(true);
    expect(edge.sent().filter((m) => m.to === `whatsapp:${ROSA}`)).toHaveLength(toRosa);

    // Handing back again changes nothing.
    const again = await edge.call('POST', `/api/conversations/${conversation.id}/hand-back`, { key: org.sam });
    expect(again.body.conversation.status).toBe('bot');
  });

  it('gives back a conversation the inbox took before any handover', async () => {
    const { edge } = sandbox;
    const org = await shop([{ name: 'Rosa', number: ROSA }]);
    const v = await edge.visitor(org.widget.publicKey, 'Li');
    await v.say('hello');
    const conversation = await conversationOf(org.id, 1);
    await edge.call('POST', `/api/conversations/${conversation.id}/messages`, { key: org.sam, body: { text: 'Hi Li' } });
    expect((await conversationOf(org.id, 1)).status).toBe('agent');
    let from = v.live.length;
    await v.say('do you sell bread?');
    expect(said(v, from).filter((m) => m.author === 'bot')).toEqual([]);
    await edge.call('POST', `/api/conversations/${conversation.id}/hand-back`, { key: org.sam });
    from = v.live.length;
    await v.say('do you sell bread?');
    expect(said(v, from).some((m) => m.author === 'bot')).toBe(true);
    const other = await edge.call('POST', `/api/conversations/${conversation.id}/hand-back`, { key: (await edge.organizationWithKey('Other')).key });
    expect(other.status).toBe(404);
  });
});
