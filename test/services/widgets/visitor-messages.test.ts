import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/realtime/bus.js';
import type { AppContext } from '../../../src/services/context.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { reactToVisitorMessage } from '../../../src/services/inbound/visitor-reaction.js';
import { receiveVisitorMessage } from '../../../src/services/widgets/visitor-inbound.js';
import { listVisitorMessages } from '../../../src/services/widgets/visitor-outbound.js';
import { authenticateSession, createSession, type AuthenticatedSession } from '../../../src/services/widgets/sessions.js';
import { createWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';

const AGENT = '+15550109001';
let ctx: AppContext;
let orgName: string;
let widgetId: string;
let visitor: AuthenticatedSession;
let live: LiveEvent[];

beforeEach(async () => {
  ctx = await makeTestContext();
  const org = await makeOrganization(ctx);
  orgName = org.name;
  const sender = await makeNumber(ctx, { organization_id: org.id });
  // The agent wrote to the sender lately, so free text may reach them.
  await openServiceWindow(ctx, sender.id, AGENT);
  await activateAgents(ctx, org.id, [AGENT]);
  await seedKnowledge(ctx, org.id, [
    { title: 'Shipping', content: 'We ship to Spain, France and Germany. Delivery takes 3 to 5 business days and costs 5 euros.' },
    { title: 'Returns', content: 'You can return any item within 30 days for a full refund.' },
  ]);
  const widget = await createWidget(
    ctx,
    org.id,
    widgetInput.parse({ name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: [AGENT], handoverWhatsappNumber: sender.phone_number }),
  );
  widgetId = widget.id;
  const session = await createSession(ctx, widget.publicKey, { visitorName: 'Ana' });
  visitor = await authenticateSession(ctx, session.sessionId, session.token);
  live = [];
  ctx.bus.subscribe(`session:${session.sessionId}`, (event) => live.push(event));
});
afterEach(async () => {
  await ctx.database.close();
});

const liveMessages = () =>
  live
    .filter((e) => e.type === 'message')
    .map((e) => e.data as { author: string; text: string; offerHandover?: boolean; choices?: { id: string; title: string }[] });

describe('small talk and choices in the widget', () => {
  const lastBot = async () => (await listVisitorMessages(ctx, visitor)).filter((m) => m.author === 'bot').at(-1)!;
  const say = async (text: string) => {
    await receiveVisitorMessage(ctx, visitor, { text });
    await drainJobs(ctx);
    return lastBot();
  };

  it("greets with the widget's greeting, or in the organization's name, and thanks without a passage or a human", async () => {
    expect(await say('hi!')).toMatchObject({ text: `Hi! This is ${orgName}. How can I help you today?`, media: null });
    expect((await lastBot()).offerHandover).toBeUndefined();
    await ctx.db.updateTable('widgets').set({ greeting: 'Welcome! Ask us about shipping and returns.' }).where('id', '=', widgetId).execute();
    expect((await say('Hello')).text).toBe('Welcome! Ask us about shipping and returns.');
    const thanks = await say('thank you');
    expect(thanks.text).toContain(orgName);
    expect(thanks.offerHandover).toBeUndefined();
  });

  it('offers close passages as quick replies beside the human button; the button sends its title and the answer comes from that passage', async () => {
    const org = (await ctx.db.selectFrom('widgets').select('organization_id').where('id', '=', widgetId).executeTakeFirstOrThrow()).organization_id;
    await seedKnowledge(ctx, org, [
      { title: 'Opening hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
      { title: 'Holiday hours', content: 'Q: What are your holiday hours?\nA: On public holidays we open from 10am to 4pm.' },
    ]);
    const offer = await say('are you open today?');
    expect(offer).toMatchObject({ author: 'bot', text: 'Did you mean one of these?', offerHandover: true, media: null });
    expect(offer.choices!.map((c) => c.title).slice(0, 2)).toEqual(['What are your opening hours?', 'What are your holiday hours?']);
    expect(liveMessages().at(-1)!.choices).toEqual(offer.choices);
    // What the quick-reply button sends: the title itself.
    expect(await say('What are your holiday hours?')).toMatchObject({ text: 'On public holidays we open from 10am to 4pm.' });
    expect((await lastBot()).choices).toBeUndefined();
  });
});

describe('answering a visitor', () => {
  it('the bot answers from the knowledge base, stored and pushed live', async () => {
    await receiveVisitorMessage(ctx, visitor, { text: 'Do you ship to Spain?' });
    await drainJobs(ctx);
    const history = await listVisitorMessages(ctx, visitor);
    expect(history.map((m) => m.author)).toEqual(['visitor', 'bot']);
    expect(history[1]!.text).toMatch(/Spain/);
    expect(history[1]!.offerHandover).toBeUndefined();
    expect(liveMessages().map((m) => m.author)).toEqual(['visitor', 'bot']);
  });

  it('a question the bot cannot answer comes back with the offer of a human', async () => {
    await receiveVisitorMessage(ctx, visitor, { text: 'Which telescope lenses fit a Zeiss microscope?' });
    await drainJobs(ctx);
    const bot = (await listVisitorMessages(ctx, visitor)).at(-1)!;
    expect(bot).toMatchObject({ author: 'bot', offerHandover: true, media: null });
  });

  it('a job that runs twice answers once', async () => {
    const { message } = await receiveVisitorMessage(ctx, visitor, { text: 'Can I return an item?' });
    await reactToVisitorMessage(ctx, { messageId: message.id });
    await reactToVisitorMessage(ctx, { messageId: message.id });
    expect((await listVisitorMessages(ctx, visitor)).filter((m) => m.author === 'bot')).toHaveLength(1);
  });

  it('while a human has the conversation the bot is silent and the message goes to the agent', async () => {
    await receiveVisitorMessage(ctx, visitor, { text: 'I need help with an order' });
    await drainJobs(ctx);
    await requestHandover(ctx, visitor.session.id);
    await drainJobs(ctx);
    const before = (await listVisitorMessages(ctx, visitor)).filter((m) => m.author === 'bot').length;

    await receiveVisitorMessage(ctx, visitor, { text: 'Order 1234 never arrived' });
    await drainJobs(ctx);
    expect((await listVisitorMessages(ctx, visitor)).filter((m) => m.author === 'bot')).toHaveLength(before);
    const toAgent = await ctx.db.selectFrom('messages').selectAll().where('audience', '=', 'agent').where('to_address', '=', AGENT).orderBy('id').execute();
    expect(toAgent.at(-1)!.body).toBe('#1 Ana: Order 1234 never arrived');
  });
});
