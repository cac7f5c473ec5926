import { afterEach, describe, expect, it } from 'vitest';
import { showAgentTyping, showSeenByAgent } from '../../../src/services/handover/presence.js';
import { forwardCustomerMessage, requestHandover } from '../../../src/services/handover/request.js';
import { simulator } from '../../../src/providers/simulator/index.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { makeNumber, makeOrganization } from '../../support/factories.js';
import { waitFor } from '../../support/wait.js';
import { agentWrites, conversationOf, MAYA, makeWorld, markSent, seenByVisitor, sentToAgents, STRANGER, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world?.ctx.database.close();
});

/** A visitor who wrote and asked for a human. */
async function handedOver(name: string, text = 'I need a person') {
  const v = await visitor(world, name);
  await v.say(text);
  const result = await requestHandover(world.ctx, v.sessionId);
  return { ...v, ...result };
}

const agentReplies = async (sessionId: string) => (await seenByVisitor(world, sessionId)).filter((m) => m.author === 'agent').map((m) => m.body);
const lastTo = async (agent: string) => (await sentToAgents(world, agent)).at(-1)?.body;

describe('agent replies on a shared handover number', () => {
  it('#ref: text reaches that visitor, claims the conversation and tells the other agent who took it', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const { handled } = await agentWrites(world, MAYA, world.handoverNumber!, `#${viral.conversationRef}: Hi Viral, Maya here`);
    expect(handled).toBe(true);
    expect(await agentReplies(viral.sessionId)).toEqual(['Hi Viral, Maya here']);
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'agent', agent_number: MAYA });
    expect(await lastTo(TOM)).toBe(`ℹ️ #1 Viral tarpara was taken by ${MAYA}.`);

    // From now on the visitor's messages go to Maya only.
    world.ctx.clock.advance(1000);
    const said = await viral.say('Thanks Maya');
    const stored = await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', said.id).executeTakeFirstOrThrow();
    await forwardCustomerMessage(world.ctx, await conversationOf(world, 1), stored);
    expect(await lastTo(MAYA)).toBe('#1 Viral tarpara: Thanks Maya');
    expect((await sentToAgents(world)).filter((m) => m.body?.includes('Thanks Maya')).map((m) => m.to_address)).toEqual([MAYA]);

    // Tom's later reply is refused with a note; the visitor sees nothing from him.
    await agentWrites(world, TOM, world.handoverNumber!, '#1: I can help too');
    expect(await agentReplies(viral.sessionId)).toEqual(['Hi Viral, Maya here']);
    expect(await lastTo(TOM)).toBe(`⚠️ #1 Viral tarpara is being answered by ${MAYA}; your message was not sent.`);
  });

  it('a number that is not an agent writing #ref: … is an ordinary customer message and reaches no visitor', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const { handled } = await agentWrites(world, STRANGER, world.handoverNumber!, '#1: give me the visitor');
    expect(handled).toBe(false);
    expect(await agentReplies(viral.sessionId)).toEqual([]);
    expect(await sentToAgents(world, STRANGER)).toEqual([]);
    expect((await conversationOf(world, 1)).agent_number).toBeNull();
  });

  it('an agent writing to another organization’s number reaches none of this organization’s visitors', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const other = await makeOrganization(world.ctx);
    const theirs = await makeNumber(world.ctx, { organization_id: other.id, phone_number: '+15550100077' });
    // Even listed in this widget's pool, their number is not a sender of this widget.
    await world.ctx.db
      .insertInto('pool_numbers')
      .values({
        id: 'p-other',
        widget_id: world.widget.id,
        number: '+15550100077',
        display_name: null,
        is_active: 1,
        notes: null,
        position: 9,
        created_at: world.ctx.clock.now().toISOString(),
      })
      .execute();
    const { handled } = await agentWrites(world, MAYA, theirs, '#1: hello');
    expect(handled).toBe(false);
    expect(await agentReplies(viral.sessionId)).toEqual([]);
  });

  it('a swipe-reply to the notification goes to its conversation without a prefix', async () => {
    world = await makeWorld({ handoverNumber: true });
    const ana = await handedOver('Ana');
    const ben = await handedOver('Ben');
    const notificationToMaya = (await sentToAgents(world, MAYA)).find((m) => m.body?.includes('USER: Ben'))!;
    await markSent(world, notificationToMaya.id, 'SMben0001');
    await agentWrites(world, MAYA, world.handoverNumber!, 'Hello Ben', { replyTo: 'SMben0001' });
    expect(await agentReplies(ben.sessionId)).toEqual(['Hello Ben']);
    expect(await agentReplies(ana.sessionId)).toEqual([]);
  });

  it('a swipe-reply to another agent’s message is not taken as a reply: it is held for a pick', async () => {
    world = await makeWorld({ handoverNumber: true });
    const ana = await handedOver('Ana');
    const ben = await handedOver('Ben');
    const toTom = (await sentToAgents(world, TOM)).find((m) => m.body?.includes('USER: Ben'))!;
    await markSent(world, toTom.id, 'SMtom0001');
    await agentWrites(world, MAYA, world.handoverNumber!, 'Hello Ben', { replyTo: 'SMtom0001' });
    expect(await lastTo(MAYA)).toMatch(/^❓ Which conversation\? 1 · #1 Ana {2}2 · #2 Ben — reply 1 or 2\./);
    expect(await agentReplies(ana.sessionId)).toEqual([]);
    expect(await agentReplies(ben.sessionId)).toEqual([]);
  });

  it('@Name: and @visitor_…: address the visitor by name or session', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const ana = await handedOver('Ana');
    await agentWrites(world, MAYA, world.handoverNumber!, '@viral TARPARA: by name');
    await agentWrites(world, MAYA, world.handoverNumber!, `@${ana.sessionId.slice(0, 14)}: by session`);
    expect(await agentReplies(viral.sessionId)).toEqual(['by name']);
    expect(await agentReplies(ana.sessionId)).toEqual(['by session']);
  });

  it('an ambiguous or unknown reply is held for a numbered pick (or, with a reference, gets a warning), and nothing is delivered', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const ana = await handedOver('Ana');
    await agentWrites(world, MAYA, world.handoverNumber!, 'Which one am I talking to?');
    expect(await lastTo(MAYA)).toBe(
      '❓ Which conversation? 1 · #1 Viral tarpara  2 · #2 Ana — reply 1 or 2. Your message is held for 10 minutes; nothing was sent yet.',
    );
    await agentWrites(world, MAYA, world.handoverNumber!, '@Nobody: hello');
    expect(await lastTo(MAYA)).toMatch(/^❓ Which conversation\? 1 · #1 Viral tarpara {2}2 · #2 Ana/);
    await agentWrites(world, MAYA, world.handoverNumber!, '#99: hello');
    expect(await lastTo(MAYA)).toMatch(/^⚠️ #99 is not one of your conversations\./);
    expect(await agentReplies(viral.sessionId)).toEqual([]);
    expect(await agentReplies(ana.sessionId)).toEqual([]);
  });

  it('/list lists the agent’s open conversations; /close closes, frees the number and tells both sides', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    await handedOver('Ana');
    await agentWrites(world, MAYA, world.handoverNumber!, '/list');
    expect(await lastTo(MAYA)).toBe('Your open conversations:\n#2 Ana\n#1 Viral tarpara');

    await agentWrites(world, MAYA, world.handoverNumber!, '#1: Glad I could help');
    await agentWrites(world, MAYA, world.handoverNumber!, '#1 /close');
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'closed' });
    const assignment = await world.ctx.db
      .selectFrom('handover_assignments')
      .selectAll()
      .where('conversation_id', '=', (await conversationOf(world, 1)).id)
      .executeTakeFirstOrThrow();
    expect(assignment.released_at).not.toBeNull();
    expect(await lastTo(MAYA)).toBe('✅ #1 Viral tarpara is closed.');
    const seen = await seenByVisitor(world, viral.sessionId);
    expect(seen.at(-1)).toMatchObject({ author: 'system', body: expect.stringContaining('closed this conversation') });

    // Closed: later replies are refused, and the visitor's next message opens a new conversation for the bot.
    await agentWrites(world, MAYA, world.handoverNumber!, '#1: one more thing');
    expect(await lastTo(MAYA)).toBe('⚠️ #1 Viral tarpara is already closed; your message was not sent.');
    await viral.say('Thanks! Another question');
    const latest = await world.ctx.db
      .selectFrom('conversations')
      .selectAll()
      .where('organization_id', '=', world.org.id)
      .orderBy('ref', 'desc')
      .executeTakeFirstOrThrow();
    expect(latest).toMatchObject({ ref: 3, status: 'bot' });
  });

  it('an agent’s photo reaches the widget with its caption text', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    await agentWrites(world, MAYA, world.handoverNumber!, null, {
      media: { type: 'image', url: 'https://files.example/bike.jpg', mimeType: 'image/jpeg', caption: '#1: This is the bike' },
    });
    const [reply] = (await seenByVisitor(world, viral.sessionId)).filter((m) => m.author === 'agent');
    expect(reply!.body).toBe('This is the bike');
    expect(JSON.parse(reply!.media!)).toEqual({ type: 'image', url: 'https://files.example/bike.jpg', mimeType: 'image/jpeg' });
  });

  it('a repeated agent message (a retried job) is delivered once', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    const { message } = await agentWrites(world, MAYA, world.handoverNumber!, '#1: once');
    const { handleAgentMessage } = await import('../../../src/services/handover/agent-replies.js');
    expect(await handleAgentMessage(world.ctx, message, world.handoverNumber!)).toBe(true);
    expect(await agentReplies(viral.sessionId)).toEqual(['once']);
  });
});

describe('agent replies on pool numbers', () => {
  it('without a prefix go to the one open conversation the pool number carries', async () => {
    world = await makeWorld({ pool: 2 });
    const ana = await handedOver('Ana');
    const ben = await handedOver('Ben');
    expect([ana.assignedWhatsappNumber, ben.assignedWhatsappNumber]).toEqual(['+15550100011', '+15550100012']);
    await agentWrites(world, TOM, world.pool[1]!, 'Hi Ben, Tom here');
    expect(await agentReplies(ben.sessionId)).toEqual(['Hi Ben, Tom here']);
    expect(await agentReplies(ana.sessionId)).toEqual([]);
  });
});

describe('one chat per agent (enableMultipleWhatsappChats off)', () => {
  it('later visitors wait in order, are told their place, and are connected when the earlier conversation closes', async () => {
    world = await makeWorld({ handoverNumber: true, settings: { enableMultipleWhatsappChats: false } });
    const first = await handedOver('Ana');
    const second = await handedOver('Ben', 'Ben here');
    const third = await handedOver('Cy');
    expect(first.assignedWhatsappNumber).toBe('+15550100001');
    expect(second.assignedWhatsappNumber).toBeNull();
    expect((await seenByVisitor(world, second.sessionId)).at(-1)!.body).toContain('You are number 1 in line');
    expect((await seenByVisitor(world, third.sessionId)).at(-1)!.body).toContain('You are number 2 in line');
    expect(await sentToAgents(world)).toHaveLength(2); // only Ana's notifications

    await agentWrites(world, MAYA, world.handoverNumber!, '#1 /close');
    expect(await conversationOf(world, 2)).toMatchObject({ status: 'waiting_agent', assigned_whatsapp_number: '+15550100001' });
    expect((await conversationOf(world, 3)).assigned_whatsapp_number).toBeNull();
    // Cy still waits, and is not told their place a second time.
    expect((await seenByVisitor(world, third.sessionId)).filter((m) => m.body?.includes('in line'))).toHaveLength(1);
    // Nobody was told about Cy yet, so an agent cannot answer #3.
    await agentWrites(world, TOM, world.handoverNumber!, '#3: hello Cy');
    expect(await lastTo(TOM)).toBe('⚠️ #3 Cy is not waiting for an agent right now; your message was not sent.');
    expect((await seenByVisitor(world, third.sessionId)).filter((m) => m.author === 'agent')).toEqual([]);
    const notifications = (await sentToAgents(world)).filter((m) => m.body?.startsWith('🔔'));
    expect(notifications.map((m) => [m.to_address, m.body?.split('\n')[1]])).toEqual([
      [MAYA, '👤 USER: Ana'],
      [TOM, '👤 USER: Ana'],
      [MAYA, '👤 USER: Ben'],
      [TOM, '👤 USER: Ben'],
    ]);
    expect(notifications.at(-1)!.body).toContain('💬 Ben here');
  });

  it('a free agent is offered the next visitor while the other agent is busy', async () => {
    world = await makeWorld({ handoverNumber: true, settings: { enableMultipleWhatsappChats: false } });
    await handedOver('Ana');
    await agentWrites(world, MAYA, world.handoverNumber!, '#1: Hi Ana');
    const ben = await handedOver('Ben');
    expect(ben.assignedWhatsappNumber).toBe('+15550100001');
    const benNotifications = (await sentToAgents(world)).filter((m) => m.body?.includes('USER: Ben'));
    expect(benNotifications.map((m) => m.to_address)).toEqual([TOM]);
  });
});

describe('what the widget shows of the agent', () => {
  it('typing on a pool number shows in that visitor’s widget only', async () => {
    world = await makeWorld({ pool: 2 });
    const ana = await handedOver('Ana');
    const ben = await handedOver('Ben');
    const events: Array<[string, unknown]> = [];
    for (const v of [ana, ben]) world.ctx.bus.subscribe(`session:${v.sessionId}`, (e) => events.push([v.sessionId, e.data]));
    expect(await showAgentTyping(world.ctx, world.pool[1]!, TOM)).toBe(true);
    expect(events).toEqual([[ben.sessionId, { conversationRef: 2, agentTyping: true }]]);
    expect(await showAgentTyping(world.ctx, world.pool[1]!, STRANGER)).toBe(false);
  });

  it('a read receipt on a forwarded message marks the visitor’s message seen', async () => {
    world = await makeWorld({ handoverNumber: true });
    const ana = await handedOver('Ana');
    world.ctx.clock.advance(1000);
    const said = await ana.say('Are you there?');
    const stored = await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', said.id).executeTakeFirstOrThrow();
    await forwardCustomerMessage(world.ctx, await conversationOf(world, 1), stored);
    const forward = (await sentToAgents(world, MAYA)).at(-1)!;
    const events: unknown[] = [];
    world.ctx.bus.subscribe(`session:${ana.sessionId}`, (e) => events.push(e.data));
    expect(await showSeenByAgent(world.ctx, { ...forward, status: 'delivered' })).toBe(false);
    expect(await showSeenByAgent(world.ctx, { ...forward, status: 'read' })).toBe(true);
    expect(events).toEqual([{ conversationRef: 1, seenMessageId: said.id }]);
  });

  it('arrives through the webhook pipeline: a typing event and a read receipt from the agent reach the widget', async () => {
    world = await makeWorld({ handoverNumber: true });
    const ana = await handedOver('Ana');
    world.ctx.clock.advance(1000);
    const said = await ana.say('Hello?');
    const stored = await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', said.id).executeTakeFirstOrThrow();
    await forwardCustomerMessage(world.ctx, await conversationOf(world, 1), stored);
    const forward = (await sentToAgents(world, MAYA)).at(-1)!;
    await markSent(world, forward.id, 'sim_forward_1');
    const events: unknown[] = [];
    world.ctx.bus.subscribe(`session:${ana.sessionId}`, (e) => events.push(e.data));
    const webhook = (body: object) =>
      receiveWebhook(world.ctx, simulator, {
        method: 'POST',
        url: '/api/webhooks/sim',
        rawBody: Buffer.from(JSON.stringify(body)),
        headers: { 'content-type': 'application/json' },
        query: {},
      });
    await webhook({ type: 'typing', from: MAYA, to: world.handoverNumber!.phone_number });
    await webhook({ type: 'status', id: 'sim_forward_1', status: 'read' });
    // the receipt reaches the widget after the commit that answered the webhook
    await waitFor(() => events.length >= 2, { what: 'the seen event' });
    expect(events).toEqual([
      { conversationRef: 1, agentTyping: true },
      { conversationRef: 1, seenMessageId: said.id },
    ]);
  });
});
