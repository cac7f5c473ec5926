// Reaching an agent in WhatsApp's rules (SPEC §8): each agent's notification takes the path the
// windows allow — free-form, the template, another number whose window is open, or skipped with a
// reason — and a failure the provider reports later (Twilio 63016, Meta 131047) takes the next path,
// once. Nobody who asked for a person goes back to the bot.
import { afterEach, describe, expect, it } from 'vitest';
import { visitorText } from '../../../src/core/handover-text.js';
import { providers } from '../../../src/providers/registry.js';
import { sweepHandovers } from '../../../src/services/handover/inactivity.js';
import { forwardCustomerMessage, requestHandover } from '../../../src/services/handover/request.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { signedMetaRequest, signedTwilioRequest } from '../../fixtures/providers/index.js';
import { activateAgents, makeNumber, openServiceWindow } from '../../support/factories.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world?.ctx.database.close();
});

const TEMPLATE = { name: 'handover_request', language: 'en', variables: ['{name}', '{ref}', '{message}'] };
const PUBLIC_URL = 'https://switchboard.example.com';
const TWILIO_ENV = { PUBLIC_URL, TWILIO_ACCOUNT_SID: 'AC9f1c3e5a7b9d2f4e6a8c0b1d3f5e7a90', TWILIO_AUTH_TOKEN: 'twilio-auth-token-1' };
const APP_SECRET = 'e3b1c44298fc1c149afbf4c8996fb924';
const MINUTE = 60_000;

const outcomes = (w: World) =>
  w.ctx.db
    .selectFrom('handover_notifications')
    .select(['agent_number', 'path', 'sender', 'reason', 'failed_at'])
    .orderBy('agent_number')
    .orderBy('created_at')
    .orderBy('path')
    .execute();

const toldNoAgent = async (w: World, sessionId: string) => (await seenByVisitor(w, sessionId)).filter((m) => m.body === visitorText.noAgentReachable);

describe('the path of one notification', () => {
  it('pool numbers no agent wrote to and an approved template: the template goes from the chosen number to each agent', async () => {
    world = await makeWorld({ pool: 2, agentsWrote: false, settings: { handoverTemplate: TEMPLATE } });
    const ana = await visitor(world, 'Ana');
    await ana.say('Can someone check my order?');
    await requestHandover(world.ctx, ana.sessionId);
    const sent = await sentToAgents(world);
    expect(sent.map((m) => [m.to_address, m.from_address, m.status, m.category, m.body])).toEqual([
      [MAYA, '+15550100011', 'queued', 'utility', '[template handover_request] Ana · #1 · Can someone check my order?'],
      [TOM, '+15550100011', 'queued', 'utility', '[template handover_request] Ana · #1 · Can someone check my order?'],
    ]);
    expect((await outcomes(world)).map((o) => [o.agent_number, o.path])).toEqual([
      [MAYA, 'template'],
      [TOM, 'template'],
    ]);
    expect(await toldNoAgent(world, ana.sessionId)).toHaveLength(0);
  });

  it('no template: free-form from another number whose window is open, naming the conversation and its number; the #ref: reply from there reaches the visitor', async () => {
    world = await makeWorld({ pool: 1, agentsWrote: false });
    const own = await makeNumber(world.ctx, { organization_id: world.org.id, phone_number: '+15550100099' });
    await openServiceWindow(world.ctx, own.id, MAYA); // Maya wrote to the shop's own number today
    const ana = await visitor(world, 'Ana');
    await ana.say('Is my bike ready?');
    expect((await requestHandover(world.ctx, ana.sessionId)).assignedWhatsappNumber).toBe('+15550100011');

    const [toMaya, ...rest] = await sentToAgents(world);
    expect(rest).toEqual([]); // Tom: no path, nothing sent
    expect(toMaya).toMatchObject({ to_address: MAYA, from_address: '+15550100099', status: 'queued' });
    expect(toMaya!.body).toContain('🆔 ID: #1');
    expect(toMaya!.body).toContain('This conversation is on +15550100011');
    expect(toMaya!.body).toMatch(/\nReply with: #1: your message(\n|$)/);
    const [maya, tom] = await outcomes(world);
    expect(maya).toMatchObject({ path: 'other_sender', sender: '+15550100099' });
    expect(tom).toMatchObject({ path: 'skipped', sender: null, reason: expect.stringContaining('no other number of the organization has an open window') });
    // A path existed: the visitor is not told that no agent could be reached.
    expect(await toldNoAgent(world, ana.sessionId)).toHaveLength(0);

    const { handled } = await agentWrites(world, MAYA, own, '#1: Yes, come by after 3pm');
    expect(handled).toBe(true);
    expect((await seenByVisitor(world, ana.sessionId)).at(-1)).toMatchObject({ author: 'agent', body: 'Yes, come by after 3pm' });
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'agent', agent_number: MAYA });

    // Her window with the pool number is still closed: the visitor's next message reaches her where it is open.
    world.ctx.clock.advance(1000);
    const next = await ana.say('Great, thanks');
    const conversation = await conversationOf(world, 1);
    await forwardCustomerMessage(
      world.ctx,
      conversation,
      (await world.ctx.db.selectFrom('messages').selectAll().where('id', '=', next.id).executeTakeFirst())!,
    );
    expect((await sentToAgents(world, MAYA)).at(-1)).toMatchObject({ from_address: '+15550100099', body: '#1 Ana: Great, thanks', status: 'queued' });

    // Tom writing #1 to that number is not one of its agents' detours: nothing reaches Ana.
    const before = (await seenByVisitor(world, ana.sessionId)).length;
    await agentWrites(world, TOM, own, '#1: Tom here');
    expect(await seenByVisitor(world, ana.sessionId)).toHaveLength(before);
  });

  it('Whapi numbers have no window: free-form always', async () => {
    world = await makeWorld({ pool: 1, agentsWrote: false, provider: 'whapi' });
    const ana = await visitor(world, 'Ana');
    await ana.say('hi');
    await requestHandover(world.ctx, ana.sessionId);
    expect((await outcomes(world)).map((o) => o.path)).toEqual(['free_form', 'free_form']);
  });
});

describe('an agent skipped for want of a path', () => {
  it('is notified by the template once it is approved, once; nothing is forwarded to fail meanwhile', async () => {
    world = await makeWorld({ pool: 1, agentsWrote: false });
    const ana = await visitor(world, 'Ana');
    await ana.say('Is my cake ready?');
    await requestHandover(world.ctx, ana.sessionId);
    // The pool number's handover template was only asked for now: nobody has a path yet.
    expect((await outcomes(world)).map((o) => [o.agent_number, o.path])).toEqual([
      [MAYA, 'skipped'],
      [TOM, 'skipped'],
    ]);
    expect(await toldNoAgent(world, ana.sessionId)).toHaveLength(1);
    await sweepHandovers(world.ctx); // still no path: the template is not made yet
    await drainJobs(world.ctx);
    // Nothing was sent to fail: the visitor's message waits in the inbox for an agent who can be written to.
    expect((await sentToAgents(world)).filter((m) => m.category !== 'utility')).toHaveLength(0);
    // The simulator approved the template it was asked to make (drained above): the next sweep uses
    // it, and a second sweep sends nothing more.
    await sweepHandovers(world.ctx);
    await sweepHandovers(world.ctx);
    const sent = await sentToAgents(world);
    expect(sent.map((m) => [m.to_address, m.category])).toEqual([
      [MAYA, 'utility'],
      [TOM, 'utility'],
    ]);
    expect(sent.every((m) => m.body?.includes('#1'))).toBe(true);
    expect((await outcomes(world)).filter((o) => o.path === 'template').map((o) => o.agent_number)).toEqual([MAYA, TOM]);
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent' });
    // Told no agent could be reached, then — once — that one has been now.
    expect((await seenByVisitor(world, ana.sessionId)).filter((m) => m.body === visitorText.agentReachedLater)).toHaveLength(1);
  });
});

describe('a notification the provider fails later', () => {
  it('Twilio 63016 in a status callback: the template goes next, once, however often the sweep runs', async () => {
    world = await makeWorld({ provider: 'twilio', handoverNumber: true, env: TWILIO_ENV, settings: { handoverTemplate: TEMPLATE } });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    const [toMaya] = await sentToAgents(world, MAYA);
    expect(toMaya!.body).toContain('🔔 Agent Handover Request'); // her window looked open
    // Twilio accepted it (the SID of the fixture), then calls back: undelivered, 63016.
    await world.ctx.db
      .updateTable('messages')
      .set({ provider: 'twilio', provider_message_id: 'SM1b2c3d4e5f60718293a4b5c6d7e8f901', status: 'sent' })
      .where('id', '=', toMaya!.id)
      .execute();
    await receiveWebhook(world.ctx, providers.twilio, signedTwilioRequest('twilio/status-failed.txt', TWILIO_ENV.TWILIO_AUTH_TOKEN, PUBLIC_URL));
    expect((await sentToAgents(world, MAYA))[0]).toMatchObject({ status: 'failed', error_code: '63016' });

    await sweepHandovers(world.ctx);
    await sweepHandovers(world.ctx);
    const toMayaNow = await sentToAgents(world, MAYA);
    expect(toMayaNow.map((m) => [m.status, m.category, m.from_address])).toEqual([
      ['failed', 'service', '+15550100001'],
      ['queued', 'utility', '+15550100001'],
    ]);
    expect(toMayaNow[1]!.body).toBe('[template handover_request] Ana · #1 · hello?');
    expect((await sentToAgents(world, TOM)).map((m) => m.category)).toEqual(['service']); // Tom: untouched
    expect((await outcomes(world)).filter((o) => o.agent_number === MAYA).map((o) => [o.path, o.failed_at !== null])).toEqual([
      ['free_form', true],
      ['template', false],
    ]);
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent' });
  });

  it('Meta 131047 in a status: free-form from another number whose window is open; no double notification', async () => {
    world = await makeWorld({ provider: 'meta', handoverNumber: true, env: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_ACCESS_TOKEN: 'meta-token' } });
    const other = await makeNumber(world.ctx, { organization_id: world.org.id, provider: 'meta', phone_number: '+15550100077', provider_id: '5550100077' });
    await openServiceWindow(world.ctx, other.id, MAYA);
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    const [toMaya] = await sentToAgents(world, MAYA);
    await world.ctx.db
      .updateTable('messages')
      .set({ provider_message_id: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBJDRjE2ODlBQjI0RTQ2MUE2QTQA', status: 'sent' })
      .where('id', '=', toMaya!.id)
      .execute();
    await receiveWebhook(world.ctx, providers.meta, signedMetaRequest('meta/status-failed.json', APP_SECRET));
    expect((await sentToAgents(world, MAYA))[0]).toMatchObject({ status: 'failed', error_code: '131047' });

    await sweepHandovers(world.ctx);
    await sweepHandovers(world.ctx);
    const toMayaNow = await sentToAgents(world, MAYA);
    expect(toMayaNow.map((m) => [m.status, m.from_address])).toEqual([
      ['failed', '+15550100001'],
      ['queued', '+15550100077'],
    ]);
    expect(toMayaNow[1]!.body).toContain('This conversation is on +15550100001');
    // Meta takes templates, but the widget has none: the reason says so, and the path went on.
    expect((await outcomes(world)).filter((o) => o.agent_number === MAYA).map((o) => o.path)).toEqual(['free_form', 'other_sender']);
    expect(await toldNoAgent(world, ana.sessionId)).toHaveLength(0);
  });
});

describe('escalation', () => {
  const SAM = '+15550100103';

  it("after agentResponseMinutes unclaimed, the organization's other agents are told and the visitor learns the team was alerted; once", async () => {
    world = await makeWorld({ pool: 1, settings: { agentResponseMinutes: 3 } });
    await activateAgents(world.ctx, world.org.id, [SAM], { [SAM]: 'Sam' }); // not on this widget
    await openServiceWindow(world.ctx, world.pool[0]!.id, SAM);
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    expect(await sentToAgents(world, SAM)).toHaveLength(0);

    world.ctx.clock.advance(2 * MINUTE + 59_000);
    await sweepHandovers(world.ctx);
    expect(await sentToAgents(world, SAM)).toHaveLength(0);

    world.ctx.clock.advance(1000);
    await sweepHandovers(world.ctx);
    await sweepHandovers(world.ctx);
    const toSam = await sentToAgents(world, SAM);
    expect(toSam).toHaveLength(1);
    expect(toSam[0]!.body).toContain('🆔 ID: #1');
    expect((await seenByVisitor(world, ana.sessionId)).filter((m) => m.body === visitorText.teamAlerted)).toHaveLength(1);
    expect((await conversationOf(world, 1)).status).toBe('waiting_agent');

    // Sam may answer it now, and takes it.
    const { handled } = await agentWrites(world, SAM, world.pool[0]!, '#1: Sam here, how can I help?');
    expect(handled).toBe(true);
    expect((await seenByVisitor(world, ana.sessionId)).at(-1)).toMatchObject({ author: 'agent', body: 'Sam here, how can I help?' });
    expect((await conversationOf(world, 1)).agent_number).toBe(SAM);
  });

  it('a claimed conversation is not escalated', async () => {
    world = await makeWorld({ pool: 1 });
    await activateAgents(world.ctx, world.org.id, [SAM]);
    await openServiceWindow(world.ctx, world.pool[0]!.id, SAM);
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    await agentWrites(world, MAYA, world.pool[0]!, '#1: Hi Ana');
    world.ctx.clock.advance(10 * MINUTE);
    await sweepHandovers(world.ctx);
    expect(await sentToAgents(world, SAM)).toHaveLength(0);
  });
});

describe('a burst of visitors', () => {
  it('ten visitors at once on a pool nobody wrote to: each is notified by some path or waits with reasons; none goes back to the bot', async () => {
    world = await makeWorld({ pool: 3, agentsWrote: false });
    await openServiceWindow(world.ctx, world.pool[2]!.id, MAYA); // Maya wrote to the third number only
    const visitors = await Promise.all(Array.from({ length: 10 }, (_, i) => visitor(world, `Visitor ${i + 1}`)));
    for (const v of visitors) await v.say('I need a person');
    await Promise.all(visitors.map((v) => requestHandover(world.ctx, v.sessionId)));
    await agentWrites(world, MAYA, world.pool[2]!, '#3: Hello, Maya here');

    const conversations = await world.ctx.db.selectFrom('conversations').selectAll().where('organization_id', '=', world.org.id).execute();
    expect(conversations).toHaveLength(10);
    const notifications = await world.ctx.db.selectFrom('handover_notifications').selectAll().execute();
    for (const c of conversations) {
      expect(['waiting_agent', 'agent']).toContain(c.status);
      const mine = notifications.filter((n) => n.conversation_id === c.id);
      // Maya reached by free-form on the third number, or from it when another carries the conversation; Tom skipped with a reason.
      expect(mine.find((n) => n.agent_number === MAYA)).toMatchObject({ sender: '+15550100013', failed_at: null });
      expect(mine.find((n) => n.agent_number === TOM)).toMatchObject({ path: 'skipped', reason: expect.stringContaining('Not reached') });
    }
    expect(conversations.find((c) => c.ref === 3)).toMatchObject({ status: 'agent', agent_number: MAYA });
    // Ten notifications to Maya, none to Tom, none failed.
    const sent = await sentToAgents(world);
    expect(sent.filter((m) => m.body?.startsWith('🔔')).map((m) => m.to_address)).toEqual(Array(10).fill(MAYA));
    for (const v of visitors) expect(await toldNoAgent(world, v.sessionId)).toHaveLength(0);
  });
});
