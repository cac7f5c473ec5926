// Seed 000's single-number setup, as a new user tries it with a real Twilio configuration
// (TWILIO_PHONE_NUMBER=whatsapp:+14155238886), over the HTTP edge and a fake Twilio: the sender is a
// platform number from the start, agents are invited until they ACCEPT from their own phone, and
// an agent's `#ref:` reply reaches the right visitor live — never another one.
import { describe, expect, it } from 'vitest';
import { formBody, signTwilio } from '../fixtures/providers/index.js';
import { MAYA, PUBLIC_URL, SANDBOX, TOM, sandboxEdgePerTest } from './handover-support.js';

const sandbox = sandboxEdgePerTest();

/** An organization with one widget handing over to these agents, with no number of its own. */
async function shop(name: string, agents: Array<{ name: string; number: string }>) {
  const org = await sandbox.edge.organizationWithKey(name, { plan: 'starter' });
  for (const agent of agents) {
    const added = await sandbox.edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: agent });
    expect(added.status).toBe(201);
  }
  const created = await sandbox.edge.call('POST', `/api/organizations/${org.id}/widgets`, {
    key: org.key,
    body: { name: 'Website chat', allowedOrigins: ['*'], agentWhatsappNumbers: agents.map((a) => a.number) },
  });
  expect(created.status).toBe(201);
  return {
    ...org,
    widget: created.body.widget as { id: string; publicKey: string; agents: unknown; agentInvitation: { code: string; sendTo: string; text: string } },
  };
}

async function accept(agent: string, code: string) {
  expect(await sandbox.edge.twilioInbound(agent, SANDBOX, `accept ${code.toLowerCase()}`)).toBe(200);
  await sandbox.edge.drain();
}

describe('the single-number setup (TWILIO_PHONE_NUMBER)', () => {
  it('is a platform number from start-up that every organization can use', async () => {
    const org = await sandbox.edge.organizationWithKey('Harbour Tea Rooms');
    const numbers = await sandbox.edge.call('GET', `/api/organizations/${org.id}/numbers`, { key: org.key });
    expect(numbers.status).toBe(200);
    expect(numbers.body.numbers).toEqual([
      expect.objectContaining({
        provider: 'twilio',
        phoneNumber: SANDBOX,
        owner: 'platform',
        connection: 'platform',
        senderStatus: 'online',
        lastSendError: null,
      }),
    ]);
    // Named as the handover number, it is accepted as it is: no lookup at Twilio, no visitor waiting to find out.
    const widget = await sandbox.edge.call('POST', `/api/organizations/${org.id}/widgets`, {
      key: org.key,
      body: { name: 'Site', allowedOrigins: ['*'], handoverWhatsappNumber: 'whatsapp:+1 415 523 8886' },
    });
    expect(widget).toMatchObject({ status: 201, body: { widget: { handoverWhatsappNumber: SANDBOX } } });
    expect(sandbox.twilio.requests.filter((r) => r.path.includes('IncomingPhoneNumbers'))).toEqual([]);
  });

  it('hands over from it once the agent accepted, and the agent’s #ref: reply is live in that visitor’s widget only', async () => {
    const { widget } = await shop('Lantern Lane Bikes', [{ name: 'Maya', number: MAYA }]);
    expect(widget.agents).toEqual([{ number: MAYA, name: 'Maya', status: 'invited' }]);
    expect(widget.agentInvitation).toEqual({ code: expect.stringMatching(/^[A-Z2-9]{6}$/), sendTo: SANDBOX, text: `ACCEPT ${widget.agentInvitation.code}` });

    // Invited, never accepted: no handover, nothing sent to the agent's phone.
    const early = await sandbox.edge.visitor(widget.publicKey, 'Viral tarpara');
    await early.say('Can I talk to a person?');
    const refused = await early.handover();
    expect(refused).toMatchObject({ status: 503, body: { ok: false, code: 'NO_AGENTS', error: expect.stringContaining('ACCEPT') } });
    expect(sandbox.edge.sent().filter((m) => m.to === `whatsapp:${MAYA}`)).toEqual([]);

    await accept(MAYA, widget.agentInvitation.code);
    expect(sandbox.edge.sent().at(-1)).toMatchObject({
      from: `whatsapp:${SANDBOX}`,
      to: `whatsapp:${MAYA}`,
      body: expect.stringContaining('You are now an agent of Lantern Lane Bikes'),
    });
    const agents = await sandbox.edge.call('GET', `/api/widgets/${widget.id}`);
    expect(agents.body.widget.agents).toEqual([{ number: MAYA, name: 'Maya', status: 'active' }]);

    const handedOver = await early.handover();
    expect(handedOver).toMatchObject({ status: 200, body: { ok: true, conversationRef: 1, assignedWhatsappNumber: SANDBOX } });
    const notification = sandbox.edge.sent().at(-1)!;
    expect(notification).toMatchObject({ from: `whatsapp:${SANDBOX}`, to: `whatsapp:${MAYA}` });
    expect(notification.body).toBe(
      [
        '🔔 Agent Handover Request',
        '👤 USER: Viral tarpara',
        '🆔 ID: #1',
        `📱 Session: ${early.sessionId}`,
        '💬 Can I talk to a person?',
        'Reply in this chat: your message',
        'Commands: #1: reply · /list · #1 /close · #1 /ai · help',
      ].join('\n'),
    );

    // A second visitor, without a name, on the same sender: numbered, and the prefix is now needed.
    const second = await sandbox.edge.visitor(widget.publicKey);
    await second.say('Hello?\n🆔 ID: #1\nReply with: #1: hi');
    expect((await second.handover()).body).toMatchObject({ conversationRef: 2, assignedWhatsappNumber: SANDBOX });
    const secondNotification = sandbox.edge.sent().at(-1)!.body;
    expect(secondNotification.split('\n')).toEqual([
      '🔔 Agent Handover Request',
      '👤 USER: Visitor 2',
      '🆔 ID: #2',
      `📱 Session: ${second.sessionId}`,
      '💬 Hello? 🆔 ID: #1 Reply with: #1: hi',
      'Reply with: #2: your message',
    ]);

    expect(await sandbox.edge.twilioInbound(MAYA, SANDBOX, '#1: Your bike is ready')).toBe(200);
    await sandbox.edge.drain();
    expect(early.agentTexts()).toEqual(['Your bike is ready']);
    expect(second.agentTexts()).toEqual([]);
    // Named to the visitor by name, live and in the history, never by number.
    expect(early.live.find((e) => e.type === 'message' && (e.data as { author: string }).author === 'agent')!.data).toMatchObject({ authorName: 'Maya' });
    const history = await sandbox.edge.server.app.inject({ method: 'GET', url: `/api/widget/sessions/${early.sessionId}/messages`, headers: early.auth });
    expect(history.json().messages.filter((m: { author: string }) => m.author === 'agent')).toEqual([
      expect.objectContaining({ text: 'Your bike is ready', authorName: 'Maya' }),
    ]);
    expect(history.body).not.toContain(MAYA);

    // `#2 hello` (no colon) names #2: it never reaches #1.
    await sandbox.edge.twilioInbound(MAYA, SANDBOX, '#2 hello, Maya here');
    await sandbox.edge.drain();
    expect(second.agentTexts()).toEqual(['hello, Maya here']);
    expect(early.agentTexts()).toEqual(['Your bike is ready']);
  });

  it('an invited agent who never accepted is sent nothing, and their #ref: reaches no visitor', async () => {
    const { widget } = await shop('Two Agents', [
      { name: 'Maya', number: MAYA },
      { name: 'Tom', number: TOM },
    ]);
    await accept(MAYA, widget.agentInvitation.code);
    const v = await sandbox.edge.visitor(widget.publicKey, 'Ana');
    await v.say('A human please');
    expect((await v.handover()).status).toBe(200);
    expect(sandbox.edge.sent().filter((m) => m.to === `whatsapp:${TOM}`)).toEqual([]);
    expect(
      sandbox.edge
        .sent()
        .filter((m) => m.body.startsWith('🔔'))
        .map((m) => m.to),
    ).toEqual([`whatsapp:${MAYA}`]);

    await sandbox.edge.twilioInbound(TOM, SANDBOX, '#1: Tom here, let me help');
    await sandbox.edge.drain();
    expect(v.agentTexts()).toEqual([]);
    expect(sandbox.edge.sent().filter((m) => m.to === `whatsapp:${TOM}`)).toEqual([]);

    // STOP AGENT: Maya hears no more and her replies no longer reach visitors.
    await sandbox.edge.twilioInbound(MAYA, SANDBOX, 'STOP AGENT');
    await sandbox.edge.drain();
    expect(sandbox.edge.sent().at(-1)).toMatchObject({ to: `whatsapp:${MAYA}`, body: expect.stringContaining('no longer receive chats from Two Agents') });
    await sandbox.edge.twilioInbound(MAYA, SANDBOX, '#1: still there?');
    await sandbox.edge.drain();
    expect(v.agentTexts()).toEqual([]);
    const listed = await sandbox.edge.call('GET', `/api/widgets/${widget.id}`);
    expect(listed.body.widget.agents.map((a: { status: string }) => a.status)).toEqual(['stopped', 'invited']);
  });
});

describe('two organizations on the shared platform sender', () => {
  it('an agent of both gets the warning listing both #1s with their organizations, and nothing is delivered', async () => {
    const a = await shop('Alder Books', [{ name: 'Maya', number: MAYA }]);
    const b = await shop('Birch Bakery', [
      { name: 'Maya', number: MAYA },
      { name: 'Tom', number: TOM },
    ]);
    await accept(MAYA, a.widget.agentInvitation.code);
    await accept(MAYA, b.widget.agentInvitation.code);
    await accept(TOM, b.widget.agentInvitation.code);
    const ana = await sandbox.edge.visitor(a.widget.publicKey, 'Ana');
    await ana.say('hi');
    const bo = await sandbox.edge.visitor(b.widget.publicKey, 'Bo');
    await bo.say('hi');
    expect((await ana.handover()).body).toMatchObject({ conversationRef: 1, assignedWhatsappNumber: SANDBOX });
    expect((await bo.handover()).body).toMatchObject({ conversationRef: 1, assignedWhatsappNumber: SANDBOX });

    await sandbox.edge.twilioInbound(MAYA, SANDBOX, '#1: your order ships tomorrow');
    await sandbox.edge.drain();
    expect(ana.agentTexts()).toEqual([]);
    expect(bo.agentTexts()).toEqual([]);
    const warning = sandbox.edge.sent().at(-1)!;
    expect(warning.to).toBe(`whatsapp:${MAYA}`);
    expect(warning.body).toContain('#1 is open in several organizations');
    expect(warning.body).toContain('#1 Ana (Alder Books)');
    expect(warning.body).toContain('#1 Bo (Birch Bakery)');
    expect(warning.body).toContain('Nothing was sent to a visitor.');

    // Tom is an agent of Birch Bakery only: his #1 can only mean Bo's.
    await sandbox.edge.twilioInbound(TOM, SANDBOX, '#1: Tom from Birch Bakery here');
    await sandbox.edge.drain();
    expect(bo.agentTexts()).toEqual(['Tom from Birch Bakery here']);
    expect(ana.agentTexts()).toEqual([]);

    // A swipe-reply says which one without a prefix.
    const toMaya = sandbox.edge.sent().find((m) => m.to === `whatsapp:${MAYA}` && m.body.includes('USER: Ana'))!;
    await sandbox.edge.twilioInbound(MAYA, SANDBOX, 'It ships tomorrow', { extra: { OriginalRepliedMessageSid: toMaya.sid } });
    await sandbox.edge.drain();
    expect(ana.agentTexts()).toEqual(['It ships tomorrow']);
  });
});

describe('a customer writing to the platform sender', () => {
  const STRANGER = '+15550100199';
  const once = {
    MessageSid: 'SM0000000000000000000000000000c0de',
    SmsMessageSid: 'SM0000000000000000000000000000c0de',
    SmsSid: 'SM0000000000000000000000000000c0de',
  };

  it('is kept unrouted with no reply, while agents on the same number answer as before, and is replayed once the number is assigned', async () => {
    const { widget } = await shop('Lantern Lane Bikes', [{ name: 'Maya', number: MAYA }]);
    expect(await sandbox.edge.twilioInbound(STRANGER, SANDBOX, 'Do you sell bikes?', { extra: { ...once, ProfileName: 'Sam' } })).toBe(200);
    await sandbox.edge.drain();
    // A repeated delivery changes nothing.
    expect(await sandbox.edge.twilioInbound(STRANGER, SANDBOX, 'Do you sell bikes?', { extra: { ...once, ProfileName: 'Sam' } })).toBe(200);
    await sandbox.edge.drain();

    const listed = await sandbox.edge.call('GET', '/api/admin/unrouted-events');
    expect(listed.body.events).toEqual([
      expect.objectContaining({ provider: 'twilio', reason: expect.stringContaining(`${SANDBOX}, a platform number that carries handovers only`) }),
    ]);
    expect(JSON.parse(listed.body.events[0].payload)).toMatchObject({ from: STRANGER, to: SANDBOX, text: 'Do you sell bikes?', profileName: 'Sam' });
    expect(sandbox.edge.sent().filter((m) => m.to === `whatsapp:${STRANGER}`)).toEqual([]);
    const stored = await sandbox.edge.ctx.db.selectFrom('messages').selectAll().where('from_address', '=', STRANGER).execute();
    expect(stored).toEqual([expect.objectContaining({ organization_id: null, conversation_id: null })]);

    // The agent's ACCEPT and #1: reply on the same number still work and are never kept unrouted.
    await accept(MAYA, widget.agentInvitation.code);
    const welcome = sandbox.edge.sent().at(-1)!;
    expect(welcome).toMatchObject({ to: `whatsapp:${MAYA}`, body: expect.stringContaining('You are now an agent') });
    // Twilio's status callback for that send from the platform number still lands on it.
    const callback = {
      MessageSid: welcome.sid,
      SmsSid: welcome.sid,
      MessageStatus: 'delivered',
      AccountSid: sandbox.twilio.accountSid,
      From: `whatsapp:${SANDBOX}`,
      To: `whatsapp:${MAYA}`,
      ApiVersion: '2010-04-01',
    };
    const delivered = await sandbox.edge.server.app.inject({
      method: 'POST',
      url: '/api/webhooks/twilio',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio(`${PUBLIC_URL}/api/webhooks/twilio`, callback, sandbox.twilio.authToken),
      },
      payload: formBody(callback),
    });
    expect(delivered.statusCode).toBe(200);
    expect(await sandbox.edge.ctx.db.selectFrom('messages').select('status').where('provider_message_id', '=', welcome.sid).executeTakeFirstOrThrow()).toEqual({
      status: 'delivered',
    });
    const v = await sandbox.edge.visitor(widget.publicKey, 'Ana');
    await v.say('A person please');
    expect((await v.handover()).body).toMatchObject({ conversationRef: 1, assignedWhatsappNumber: SANDBOX });
    await sandbox.edge.twilioInbound(MAYA, SANDBOX, '#1: Hello Ana');
    await sandbox.edge.drain();
    expect(v.agentTexts()).toEqual(['Hello Ana']);
    expect((await sandbox.edge.call('GET', '/api/admin/unrouted-events')).body.events).toHaveLength(1);

    const id = listed.body.events[0].id;
    const early = await sandbox.edge.call('POST', `/api/admin/unrouted-events/${id}/replay`);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/carries handovers only\. Assign the number to an organization first\./);

    const owner = await sandbox.edge.organizationWithKey('Harbour Cycles', { plan: 'starter' });
    await sandbox.edge.ctx.db.updateTable('numbers').set({ organization_id: owner.id }).where('phone_number', '=', SANDBOX).execute();
    const replayed = await sandbox.edge.call('POST', `/api/admin/unrouted-events/${id}/replay`);
    expect(replayed).toMatchObject({ status: 200, body: { ok: true, stored: 1, duplicates: 0 } });
    await sandbox.edge.drain();
    const conversations = await sandbox.edge.call('GET', `/api/organizations/${owner.id}/conversations`, { key: owner.key });
    expect(conversations.body.conversations).toEqual([expect.objectContaining({ channel: 'whatsapp', contactNumber: STRANGER, contactName: 'Sam' })]);
    expect((await sandbox.edge.call('GET', '/api/admin/unrouted-events')).body.events).toEqual([]);
    expect((await sandbox.edge.call('POST', `/api/admin/unrouted-events/${id}/replay`)).body).toMatchObject({ stored: 0, duplicates: 1 });
    expect(
      await sandbox.edge.ctx.db.selectFrom('messages').select('id').where('from_address', '=', STRANGER).where('direction', '=', 'in').execute(),
    ).toHaveLength(1);
  });
});
