// Nobody is orphaned (SPEC §8): removing an agent who answers visitors — from the API or with STOP
// AGENT from their phone — hands every open chat to the widget's other active agents as a new
// handover, or keeps it waiting in the inbox and tells the visitor; the preview says so first.
import { describe, expect, it } from 'vitest';
import { seatText } from '../../src/core/seat-text.js';
import { MAYA as ROSA, SANDBOX, TOM as BEN, sandboxEdgePerTest } from './handover-support.js';

const ANA = '+15550100103';
const sandbox = sandboxEdgePerTest();

/** An organization whose widget hands over to these agents, all of whom accepted from their phones. */
async function team(agents: Array<{ name: string; number: string }>) {
  const { edge } = sandbox;
  const org = await edge.organizationWithKey('Crumb & Co Bakery', { plan: 'starter' });
  const ids: Record<string, string> = {};
  for (const agent of agents) {
    const added = await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: agent });
    ids[agent.number] = added.body.agent.id;
  }
  const created = await edge.call('POST', `/api/organizations/${org.id}/widgets`, {
    key: org.key,
    body: { name: 'Website chat', allowedOrigins: ['*'], agentWhatsappNumbers: agents.map((a) => a.number) },
  });
  const widget = created.body.widget as { id: string; publicKey: string; agentInvitation: { code: string } };
  for (const agent of agents) {
    expect(await edge.twilioInbound(agent.number, SANDBOX, `ACCEPT ${widget.agentInvitation.code}`)).toBe(200);
  }
  await edge.drain();
  return { ...org, widget, ids };
}

/** `count` visitors ask for a human and Rosa takes each one. */
async function rosaAnswers(publicKey: string, count: number) {
  const visitors = [];
  for (let i = 1; i <= count; i++) {
    const v = await sandbox.edge.visitor(publicKey, `Visitor ${String.fromCharCode(64 + i)}`);
    await v.say('Is the sourdough vegan?');
    expect((await v.handover()).body).toMatchObject({ ok: true, conversationRef: i });
    await sandbox.edge.twilioInbound(ROSA, SANDBOX, `#${i}: Hi, Rosa here`);
    await sandbox.edge.drain();
    expect(v.agentTexts()).toEqual(['Hi, Rosa here']);
    visitors.push(v);
  }
  return visitors;
}

const notificationsTo = (agent: string, ref: number) =>
  sandbox.edge.sent().filter((m) => m.to === `whatsapp:${agent}` && m.body.startsWith('🔔 Agent Handover Request') && m.body.includes(`🆔 ID: #${ref}\n`));

async function conversation(orgId: string, ref: number) {
  return sandbox.edge.ctx.db
    .selectFrom('conversations')
    .select(['status', 'agent_number', 'assigned_whatsapp_number'])
    .where('organization_id', '=', orgId)
    .where('ref', '=', ref)
    .executeTakeFirstOrThrow();
}

describe('removing an agent who is answering visitors', () => {
  it('hands all 8 open chats to the other agents, who are notified and then reach the visitors; Rosa coming back takes none', async () => {
    const { edge } = sandbox;
    const org = await team([
      { name: 'Rosa', number: ROSA },
      { name: 'Ben', number: BEN },
      { name: 'Ana', number: ANA },
    ]);
    const visitors = await rosaAnswers(org.widget.publicKey, 8);
    for (let ref = 1; ref <= 8; ref++) expect(notificationsTo(BEN, ref)).toHaveLength(1);

    const preview = await edge.call('GET', `/api/organizations/${org.id}/agents/${org.ids[ROSA]}/removal`, { key: org.key });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      ok: true,
      summary: 'Rosa answers 8 open chats: they go to Ben and Ana.',
      waiting: [],
      handedOff: [1, 2, 3, 4, 5, 6, 7, 8].map((ref) => ({ ref, to: ['Ben', 'Ana'] })),
    });
    // The preview changed nothing.
    expect(await conversation(org.id, 1)).toMatchObject({ status: 'agent', agent_number: ROSA });

    const removed = await edge.call('DELETE', `/api/organizations/${org.id}/agents/${org.ids[ROSA]}`, { key: org.key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({
      ok: true,
      summary: 'Rosa answers 8 open chats: they go to Ben and Ana.',
      waiting: [],
      handedOff: [1, 2, 3, 4, 5, 6, 7, 8].map((ref) => ({ ref, to: ['Ben', 'Ana'] })),
    });
    await edge.drain();
    for (let ref = 1; ref <= 8; ref++) {
      expect(await conversation(org.id, ref)).toMatchObject({ status: 'waiting_agent', agent_number: null, assigned_whatsapp_number: SANDBOX });
      // A second notification each, as for a new handover; nothing more to Rosa.
      expect(notificationsTo(BEN, ref)).toHaveLength(2);
      expect(notificationsTo(ANA, ref)).toHaveLength(2);
      expect(visitors[ref - 1]!.live.map((e) => (e.data as { text?: string }).text)).toContain(seatText.agentLeftHandedOff);
    }
    const toRosa = edge.sent().filter((m) => m.to === `whatsapp:${ROSA}`).length;

    await visitors[2]!.say('hello? are you still there?');
    const forwarded = edge.sent().filter((m) => m.body === '#3 Visitor C: hello? are you still there?');
    expect(forwarded.map((m) => m.to).sort()).toEqual([`whatsapp:${BEN}`, `whatsapp:${ANA}`].sort());
    await edge.twilioInbound(BEN, SANDBOX, '#3: Ben here, yes it is vegan');
    await edge.drain();
    expect(visitors[2]!.agentTexts()).toEqual(['Hi, Rosa here', 'Ben here, yes it is vegan']);
    expect(await conversation(org.id, 3)).toMatchObject({ status: 'agent', agent_number: BEN });

    // Rosa is added again and accepts: the chats stay where they went.
    const again = await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: { name: 'Rosa', number: ROSA } });
    expect(again.status).toBe(201);
    await edge.twilioInbound(ROSA, SANDBOX, `ACCEPT ${org.widget.agentInvitation.code}`);
    await edge.drain();
    expect(await conversation(org.id, 3)).toMatchObject({ status: 'agent', agent_number: BEN });
    for (let ref = 1; ref <= 8; ref++) expect((await conversation(org.id, ref)).agent_number).not.toBe(ROSA);
    expect(edge.sent().filter((m) => m.to === `whatsapp:${ROSA}` && m.body.includes('#3 Visitor C'))).toEqual([]);
    expect(edge.sent().filter((m) => m.to === `whatsapp:${ROSA}`).length).toBeGreaterThan(toRosa); // only the acceptance
  });

  it('with nobody else, keeps the chats waiting with nobody assigned and tells each visitor', async () => {
    const { edge } = sandbox;
    const org = await team([{ name: 'Rosa', number: ROSA }]);
    const visitors = await rosaAnswers(org.widget.publicKey, 2);
    const preview = await edge.call('GET', `/api/organizations/${org.id}/agents/${org.ids[ROSA]}/removal`, { key: org.key });
    expect(preview.body.summary).toBe(
      'Rosa answers 2 open chats: nobody else can take them, so they wait in the inbox for the next agent and their visitors are told.',
    );
    const removed = await edge.call('DELETE', `/api/organizations/${org.id}/agents/${org.ids[ROSA]}`, { key: org.key });
    expect(removed.body).toMatchObject({ ok: true, handedOff: [], waiting: [1, 2] });
    for (const [i, v] of visitors.entries()) {
      expect(await conversation(org.id, i + 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
      expect(v.live.map((e) => (e.data as { text?: string }).text)).toContain(seatText.agentLeftWaiting);
    }
    const inbox = await edge.call('GET', `/api/organizations/${org.id}/conversations?status=waiting_agent`, { key: org.key });
    expect(inbox.body.conversations.map((c: { ref: number }) => c.ref).sort()).toEqual([1, 2]);
    // The bot stays silent: a human is still to answer.
    const before = visitors[0]!.live.length;
    await visitors[0]!.say('anyone?');
    expect(visitors[0]!.live.slice(before).filter((e) => (e.data as { author?: string }).author === 'bot')).toEqual([]);
  });

  it('STOP AGENT from the phone does the same', async () => {
    const { edge } = sandbox;
    const org = await team([
      { name: 'Rosa', number: ROSA },
      { name: 'Ben', number: BEN },
    ]);
    const [v] = await rosaAnswers(org.widget.publicKey, 1);
    await edge.twilioInbound(ROSA, SANDBOX, 'STOP AGENT');
    await edge.drain();
    expect(await conversation(org.id, 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
    expect(notificationsTo(BEN, 1)).toHaveLength(2);
    expect(v!.live.map((e) => (e.data as { text?: string }).text)).toContain(seatText.agentLeftHandedOff);
    await edge.twilioInbound(BEN, SANDBOX, '#1: Ben taking over');
    await edge.drain();
    expect(v!.agentTexts()).toEqual(['Hi, Rosa here', 'Ben taking over']);
  });

  it('STOP AGENT with nobody else keeps the chat waiting and tells the visitor', async () => {
    const { edge } = sandbox;
    const org = await team([{ name: 'Rosa', number: ROSA }]);
    const [v] = await rosaAnswers(org.widget.publicKey, 1);
    await edge.twilioInbound(ROSA, SANDBOX, 'stop agent');
    await edge.drain();
    expect(await conversation(org.id, 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
    expect(v!.live.map((e) => (e.data as { text?: string }).text)).toContain(seatText.agentLeftWaiting);
  });

  it('renumbering an active agent hands their chats on too', async () => {
    const { edge } = sandbox;
    const org = await team([
      { name: 'Rosa', number: ROSA },
      { name: 'Ben', number: BEN },
    ]);
    await rosaAnswers(org.widget.publicKey, 1);
    const changed = await edge.call('PATCH', `/api/organizations/${org.id}/agents/${org.ids[ROSA]}`, { key: org.key, body: { number: ANA } });
    expect(changed.body).toMatchObject({ ok: true, agent: { status: 'invited', number: ANA }, handedOff: [{ ref: 1, to: ['Ben'] }], waiting: [] });
    expect(await conversation(org.id, 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
  });
});
