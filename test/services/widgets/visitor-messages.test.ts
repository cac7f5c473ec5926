import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/realtime/bus.js';
import type { AppContext } from '../../../src/services/context.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { reactToVisitorMessage, receiveVisitorMessage } from '../../../src/services/widgets/visitor-inbound.js';
import { listVisitorMessages } from '../../../src/services/widgets/visitor-outbound.js';
import { authenticateSession, createSession, type AuthenticatedSession } from '../../../src/services/widgets/sessions.js';
import { createWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';

const AGENT = '+15550109001';
let ctx: AppContext;
let visitor: AuthenticatedSession;
let live: LiveEvent[];

beforeEach(async () => {
  ctx = await makeTestContext();
  const org = await makeOrganization(ctx);
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
  const session = await createSession(ctx, widget.publicKey, { visitorName: 'Ana' });
  visitor = await authenticateSession(ctx, session.sessionId, session.token);
  live = [];
  ctx.bus.subscribe(`session:${session.sessionId}`, (event) => live.push(event));
});
afterEach(async () => {
  await ctx.database.close();
});

const liveMessages = () => live.filter((e) => e.type === 'message').map((e) => e.data as { author: string; text: string; offerHandover?: boolean });

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
