import { afterEach, describe, expect, it } from 'vitest';
import { forwardCustomerMessage, requestHandover } from '../../../src/services/handover/request.js';
import { numberStats } from '../../../src/services/handover/stats.js';
import { visitorText } from '../../../src/core/handover-text.js';
import { makeNumber, openServiceWindow } from '../../support/factories.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world?.ctx.database.close();
});

describe('requesting a handover', () => {
  it('notifies every agent from the least used pool number with the exact notification', async () => {
    world = await makeWorld({ pool: 2 });
    const viral = await visitor(world, 'Viral tarpara');
    await viral.say('Can a person help me with a group booking?');
    const result = await requestHandover(world.ctx, viral.sessionId);
    expect(result).toEqual({ conversationRef: 1, assignedWhatsappNumber: '+15550100011' });

    const sent = await sentToAgents(world);
    expect(sent.map((m) => m.to_address)).toEqual([MAYA, TOM]);
    for (const m of sent) {
      expect(m).toMatchObject({ author: 'system', status: 'queued', number_id: world.pool[0]!.id, from_address: '+15550100011' });
      expect(m.body).toBe(
        [
          '🔔 Agent Handover Request',
          '👤 USER: Viral tarpara',
          '🆔 ID: #1',
          `📱 Session: ${viral.sessionId}`,
          '💬 Can a person help me with a group booking?',
          'Reply in this chat: your message',
          // the agent's first notification of the day names the commands
          'Commands: #1: reply · /list · #1 /close · #1 /ai · help',
        ].join('\n'),
      );
    }
    const conversation = await conversationOf(world, 1);
    expect(sent[0]!.conversation_id).toBe(conversation.id);
    expect(conversation).toMatchObject({ status: 'waiting_agent', assigned_whatsapp_number: '+15550100011', agent_number: null });
    const assignments = await world.ctx.db.selectFrom('handover_assignments').selectAll().execute();
    expect(assignments).toMatchObject([{ conversation_id: conversation.id, widget_id: world.widget.id, number: '+15550100011', released_at: null }]);
  });

  it('asking again changes nothing: same number, no second notification', async () => {
    world = await makeWorld({ pool: 2 });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello');
    const first = await requestHandover(world.ctx, ana.sessionId);
    const again = await requestHandover(world.ctx, ana.sessionId);
    expect(again).toEqual(first);
    expect(await sentToAgents(world)).toHaveLength(2);
  });

  it('gives two visitors asking at the same instant two different pool numbers', async () => {
    world = await makeWorld({ pool: 2 });
    const a = await visitor(world, 'Ana');
    const b = await visitor(world, 'Ben');
    await a.say('help');
    await b.say('help');
    const [ra, rb] = await Promise.all([requestHandover(world.ctx, a.sessionId), requestHandover(world.ctx, b.sessionId)]);
    expect(new Set([ra.assignedWhatsappNumber, rb.assignedWhatsappNumber])).toEqual(new Set(['+15550100011', '+15550100012']));
  });

  it('puts a third visitor on the number with the fewest assignments today once every number carries one', async () => {
    world = await makeWorld({ pool: 2 });
    for (const name of ['A', 'B']) {
      const v = await visitor(world, name);
      await v.say('hi');
      await requestHandover(world.ctx, v.sessionId);
    }
    // Number 1 handled an extra conversation earlier today (closed since).
    await world.ctx.db
      .insertInto('handover_assignments')
      .values({
        id: 'earlier',
        conversation_id: (await conversationOf(world, 1)).id,
        widget_id: world.widget.id,
        number: '+15550100011',
        assigned_at: world.ctx.clock.now().toISOString(),
        released_at: world.ctx.clock.now().toISOString(),
      })
      .execute();
    const c = await visitor(world, 'C');
    await c.say('hi');
    expect((await requestHandover(world.ctx, c.sessionId)).assignedWhatsappNumber).toBe('+15550100012');
  });

  it('without a pool uses the handover number: reply in this chat while it carries one conversation for the agent, the #ref form after', async () => {
    world = await makeWorld({ handoverNumber: true });
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    expect((await requestHandover(world.ctx, v.sessionId)).assignedWhatsappNumber).toBe('+15550100001');
    expect((await sentToAgents(world))[0]!.body).toMatch(/\nReply in this chat: your message\nCommands: #1: reply · \/list · #1 \/close · #1 \/ai · help$/);
    const w = await visitor(world, 'Bo');
    await w.say('hello');
    await requestHandover(world.ctx, w.sessionId);
    const second = (await sentToAgents(world)).filter((m) => m.body?.includes('ID: #2'));
    expect(second).toHaveLength(2);
    for (const m of second) expect(m.body).toMatch(/\nReply with: #2: your message$/);
  });

  it('falls back to the organization number, and fails with a clear 503 when there is none', async () => {
    world = await makeWorld();
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    await expect(requestHandover(world.ctx, v.sessionId)).rejects.toMatchObject({ status: 503, code: 'NO_HANDOVER_NUMBER' });
    expect(await sentToAgents(world)).toHaveLength(0);

    const own = await makeNumber(world.ctx, { organization_id: world.org.id, phone_number: '+15550100099' });
    await openServiceWindow(world.ctx, own.id, MAYA);
    expect((await requestHandover(world.ctx, v.sessionId)).assignedWhatsappNumber).toBe('+15550100099');
  });

  it('without any number of the organization uses the platform default sender, and agents answer through it', async () => {
    world = await makeWorld({ env: { TWILIO_PHONE_NUMBER: 'whatsapp:+14155550100' } });
    const platform = await makeNumber(world.ctx, { organization_id: null, provider: 'twilio', phone_number: '+14155550100', provider_id: 'PNplatform' });
    await openServiceWindow(world.ctx, platform.id, MAYA);
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    expect((await requestHandover(world.ctx, v.sessionId)).assignedWhatsappNumber).toBe('+14155550100');
    const { handled } = await agentWrites(world, MAYA, platform, '#1: Hello from the platform number');
    expect(handled).toBe(true);
    expect((await seenByVisitor(world, v.sessionId)).at(-1)).toMatchObject({ author: 'agent', body: 'Hello from the platform number' });
  });

  it('never sends from a number the platform no longer knows (removed after the widget was saved)', async () => {
    world = await makeWorld({ handoverNumber: true });
    await world.ctx.db.deleteFrom('numbers').where('id', '=', world.handoverNumber!.id).execute();
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    await expect(requestHandover(world.ctx, v.sessionId)).rejects.toMatchObject({ status: 503, code: 'UNKNOWN_SENDER' });
    expect((await conversationOf(world, 1)).assigned_whatsapp_number).toBeNull();
    expect(await sentToAgents(world)).toHaveLength(0);
  });

  it('answers an unknown session with 404 and a widget without agents with a clear 503', async () => {
    world = await makeWorld({ pool: 1, settings: { agentWhatsappNumbers: [] } });
    await expect(requestHandover(world.ctx, 'visitor_0000000000000000')).rejects.toMatchObject({ status: 404 });
    const v = await visitor(world, 'Ana');
    await expect(requestHandover(world.ctx, v.sessionId)).rejects.toMatchObject({
      status: 503,
      code: 'NO_AGENTS',
      message: expect.stringContaining('no agents'),
    });
  });

  it('outside working hours says when agents are back and requests nothing', async () => {
    // The test clock is Thursday 2026-01-15 12:00 UTC; these hours are over by then.
    world = await makeWorld({ pool: 1, settings: { workingHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '08:00', end: '11:00' } } });
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    await expect(requestHandover(world.ctx, v.sessionId)).rejects.toMatchObject({
      status: 409,
      code: 'OUTSIDE_WORKING_HOURS',
      message: expect.stringContaining('back tomorrow at 08:00 (UTC)'),
    });
    expect(await sentToAgents(world)).toHaveLength(0);
    expect((await conversationOf(world, 1)).status).toBe('bot');
  });
});

describe('agents outside the 24-hour window of the sender', () => {
  it('get the widget template when it has one', async () => {
    world = await makeWorld({
      provider: 'twilio',
      handoverNumber: true,
      agentsWrote: false,
      settings: { handoverTemplate: { name: 'handover_request', language: 'en', variables: ['{name}', '{ref}'] } },
    });
    await openServiceWindow(world.ctx, world.handoverNumber!.id, MAYA);
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    await requestHandover(world.ctx, v.sessionId);
    const [maya, tom] = await sentToAgents(world);
    expect(maya!.body).toContain('🔔 Agent Handover Request'); // inside her window: the full text
    expect(tom).toMatchObject({ status: 'queued', category: 'utility', body: '[template handover_request] Ana · #1' });
  });

  it('fill the template with what the visitor typed on one line, as the notification does', async () => {
    world = await makeWorld({
      provider: 'twilio',
      handoverNumber: true,
      agentsWrote: false,
      settings: { handoverTemplate: { name: 'handover_request', language: 'en', variables: ['{name}', '{message}'] } },
    });
    const v = await visitor(world, 'Ana\n🆔 ID: #7');
    await v.say('my order\r\n📱 Session: visitor_other\u2028reply to #7');
    await requestHandover(world.ctx, v.sessionId);
    const sent = await sentToAgents(world);
    expect(sent).toHaveLength(2);
    for (const m of sent) {
      expect(m.body).toBe('[template handover_request] Ana 🆔 ID: #7 · my order 📱 Session: visitor_other reply to #7');
    }
  });

  it('without a template or another open number: each agent is skipped with a reason, nothing is sent, and the visitor waits, told so', async () => {
    world = await makeWorld({ provider: 'twilio', handoverNumber: true, agentsWrote: false });
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    // Agents exist, so the visitor waits (200), rather than a 503 and the bot.
    expect(await requestHandover(world.ctx, v.sessionId)).toEqual({ conversationRef: 1, assignedWhatsappNumber: '+15550100001' });
    // The path was chosen before sending: nothing doomed to fail was sent.
    expect(await sentToAgents(world)).toHaveLength(0);
    const attempts = await world.ctx.db.selectFrom('handover_notifications').selectAll().orderBy('agent_number').execute();
    expect(attempts.map((a) => [a.agent_number, a.path, a.message_id])).toEqual([
      [MAYA, 'skipped', null],
      [TOM, 'skipped', null],
    ]);
    expect(attempts[0]!.reason).toContain('has not written to +15550100001 in the last 24 hours');
    expect(attempts[0]!.reason).toContain('no approved handover template');
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent', assigned_whatsapp_number: '+15550100001' });
    const told = (await seenByVisitor(world, v.sessionId)).filter((m) => m.body === visitorText.noAgentReachable);
    expect(told).toHaveLength(1);
  });
});

describe('forwarding visitor messages', () => {
  it('sends #ref Name: text to every agent before a claim, and attachments with it', async () => {
    world = await makeWorld({ handoverNumber: true });
    const v = await visitor(world, 'Viral tarpara');
    await v.say('hi');
    await requestHandover(world.ctx, v.sessionId);
    const conversation = await conversationOf(world, 1);
    world.ctx.clock.advance(1000);
    const text = await v.say('Are you there?');
    await forwardCustomerMessage(
      world.ctx,
      conversation,
      await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', text.id).executeTakeFirstOrThrow(),
    );
    const photo = await v.say('', { dataUrl: `data:image/png;base64,${Buffer.from('png').toString('base64')}`, filename: 'bike.png' });
    await forwardCustomerMessage(
      world.ctx,
      conversation,
      await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', photo.id).executeTakeFirstOrThrow(),
    );

    // A message written before the handover was quoted in the notification, not forwarded again.
    world.ctx.clock.advance(-5000);
    const early = await v.say('written before');
    await forwardCustomerMessage(
      world.ctx,
      conversation,
      await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', early.id).executeTakeFirstOrThrow(),
    );

    const forwards = (await sentToAgents(world)).slice(2);
    expect(forwards.map((m) => [m.to_address, m.body])).toEqual([
      [MAYA, '#1 Viral tarpara: Are you there?'],
      [TOM, '#1 Viral tarpara: Are you there?'],
      [MAYA, '#1 Viral tarpara: 📎 bike.png'],
      [TOM, '#1 Viral tarpara: 📎 bike.png'],
    ]);
    expect(JSON.parse(forwards[2]!.media!)).toMatchObject({ type: 'image', mimeType: 'image/png', url: expect.stringMatching(/\/api\/widget\/uploads\//) });
  });
});

describe('number stats', () => {
  it('counts open conversations, assignments and traffic for each pool number and the handover number', async () => {
    world = await makeWorld({ pool: 2, handoverNumber: true });
    const v = await visitor(world, 'Ana');
    await v.say('hi');
    await requestHandover(world.ctx, v.sessionId);
    const stats = await numberStats(world.ctx, world.widget.id);
    expect(stats.map((s) => s.number)).toEqual(['+15550100011', '+15550100012', '+15550100001']);
    expect(stats[0]).toMatchObject({
      displayName: 'Desk 1',
      isActive: true,
      openConversations: 1,
      assignments24h: 1,
      assignmentsTotal: 1,
      messagesIn: 0,
      messagesOut: 2,
      lastUsedAt: world.ctx.clock.now().toISOString(),
      lastSendError: null,
    });
    expect(stats[1]).toMatchObject({ openConversations: 0, assignmentsTotal: 0, messagesOut: 0, lastUsedAt: null });
  });
});
