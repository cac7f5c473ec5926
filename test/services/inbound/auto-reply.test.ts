// Automatic WhatsApp replies: an answer from the organization's knowledge base, a human on request,
// an honest "not sure" with the offer of a human, nothing past the plan limit, never twice for one
// message — and the whole path from a signed Twilio webhook to the fake Twilio API.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { Conversation, Message, NumberRow, Organization } from '../../../src/db/schema.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { HANDOVER_CONFIRMATION, OFFER_HUMAN, replyToCustomer } from '../../../src/services/inbound/auto-reply.js';
import type { AppContext } from '../../../src/services/context.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { startFakeTwilio, type FakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { signedTwilioRequest, twilioFields } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import {
  activateAgents,
  makeContact,
  makeConversation,
  makeNumber,
  makeOrganization,
  openServiceWindow,
  makeInboundMessage,
  useAllowance,
} from '../../support/factories.js';

const KNOWLEDGE = [
  { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' },
  { title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
  { title: 'Holiday hours', content: 'Q: What are your holiday hours?\nA: On public holidays we open from 10am to 4pm.' },
  { title: 'Repairs', content: 'Q: Do you repair bikes?\nA: Our workshop repairs any bike, usually within two days.' },
];

describe('replyToCustomer', () => {
  let ctx: AppContext & { clock: ManualClock };
  let org: Organization;
  let number: NumberRow;
  let conversation: Conversation;
  const customer = '+5511987654321';

  beforeEach(async () => {
    ctx = await makeTestContext();
    org = await makeOrganization(ctx, { plan: 'starter' });
    number = await makeNumber(ctx, { organization_id: org.id });
    const contact = await makeContact(ctx, { organization_id: org.id, phone: customer });
    conversation = await makeConversation(ctx, { organization_id: org.id, contact_id: contact.id, number_id: number.id });
    await openServiceWindow(ctx, number.id, customer);
    await seedKnowledge(ctx, org.id, KNOWLEDGE);
  });
  afterEach(() => ctx.database.close());

  const inbound = (body: string): Promise<Message> => makeInboundMessage(ctx, number, { from: customer, body, conversationId: conversation.id });

  const replies = () => ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'out').orderBy('id').execute();
  const status = async () => (await ctx.db.selectFrom('conversations').select('status').where('id', '=', conversation.id).executeTakeFirstOrThrow()).status;

  it("answers from the organization's knowledge base as the bot, once per inbound message", async () => {
    const message = await inbound('how much to hire a bike?');
    await replyToCustomer(ctx, conversation, message);
    await replyToCustomer(ctx, conversation, message); // the job retried
    const sent = await replies();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      body: 'Yes, city bikes cost $8 per hour and e-bikes $15 per hour.',
      author: 'bot',
      audience: 'contact',
      conversation_id: conversation.id,
      number_id: number.id,
      to_address: customer,
      status: 'queued',
      idempotency_key: `auto-reply:${message.id}`,
    });
  });

  it('hands the conversation to the active agents when the customer asks for one, and confirms it', async () => {
    const agent = '+15550100101';
    await activateAgents(ctx, org.id, [agent], { [agent]: 'Maya' });
    await openServiceWindow(ctx, number.id, agent);
    for (const text of ['human', 'Agent', 'talk to a human', 'Can I speak with a real person please?']) {
      const message = await inbound(text);
      await replyToCustomer(ctx, conversation, message);
      expect(await status(), text).toBe('waiting_agent');
      await ctx.db.updateTable('conversations').set({ status: 'bot', assigned_whatsapp_number: null }).where('id', '=', conversation.id).execute();
    }
    const sent = await replies();
    expect(sent.filter((m) => m.audience === 'contact').map((m) => m.body)).toEqual(Array(4).fill(HANDOVER_CONFIRMATION));
    expect(sent.filter((m) => m.audience === 'agent').map((m) => [m.to_address, m.body!.split('\n')[0]])).toEqual(
      Array(4).fill([agent, '🔔 Agent Handover Request']),
    );
  });

  it('tells the customer honestly that no one can be reached when the organization has no active agent, and sends to nobody else', async () => {
    await ctx.db
      .insertInto('agents')
      .values({
        id: 'invited-tom',
        organization_id: org.id,
        name: 'Tom',
        number: '+15550100102',
        status: 'invited',
        created_at: ctx.clock.now().toISOString(),
        accepted_at: null,
      })
      .execute();
    await replyToCustomer(ctx, conversation, await inbound('human'));
    expect(await status()).toBe('bot');
    const sent = await replies();
    expect(sent.map((m) => [m.to_address, m.body])).toEqual([
      [customer, 'Sorry, no agent could be reached right now. Our assistant is here to help in the meantime.'],
    ]);
  });

  it('says it is not sure and offers a human when the knowledge base has no answer', async () => {
    await replyToCustomer(ctx, conversation, await inbound('do you sell pizza?'));
    const [reply] = await replies();
    expect(reply!.body).toContain('not sure');
    expect(reply!.body).toContain(OFFER_HUMAN);
    expect(await status()).toBe('bot');
  });

  it('answers a greeting, thanks and goodbye in the organization\'s name, never with a passage or "not sure"', async () => {
    for (const text of ['hi', 'Thanks!', 'bye 👋']) await replyToCustomer(ctx, conversation, await inbound(text));
    const bodies = (await replies()).map((m) => m.body!);
    expect(bodies[0]).toBe(`Hi! This is ${org.name}. How can I help you today?`);
    for (const body of bodies) {
      expect(body).toContain(org.name);
      expect(body).not.toMatch(/not sure|\$8|9am|human/);
    }
    // A greeting in front of a question leaves the question to answer.
    await replyToCustomer(ctx, conversation, await inbound('hello! how much to hire a bike?'));
    expect((await replies()).at(-1)!.body).toBe('Yes, city bikes cost $8 per hour and e-bikes $15 per hour.');
  });

  it('offers close passages as a numbered list, and the reply "2" answers from the second', async () => {
    await replyToCustomer(ctx, conversation, await inbound('are you open today?'));
    const offer = (await replies()).at(-1)!.body!;
    expect(offer).toMatch(/^Did you mean:\n1\. What are your opening hours\?\n2\. What are your holiday hours\?\n/);
    expect(offer).toMatch(/Reply 1(, 2)? or [23], or \*human\* to talk to a person\.$/);
    await replyToCustomer(ctx, conversation, await inbound('2'));
    expect((await replies()).at(-1)!.body).toBe('On public holidays we open from 10am to 4pm.');
    // The choices were answered: "1" now is no pick, and the bot says it is not sure.
    await replyToCustomer(ctx, conversation, await inbound('1'));
    expect((await replies()).at(-1)!.body).toContain('not sure');
  });

  it('forgets the choices after half an hour, and when the next answer offers none', async () => {
    await replyToCustomer(ctx, conversation, await inbound('are you open today?'));
    ctx.clock.advance(31 * 60_000);
    await replyToCustomer(ctx, conversation, await inbound('1'));
    expect((await replies()).at(-1)!.body).toContain('not sure');

    await replyToCustomer(ctx, conversation, await inbound('are you open today?'));
    await replyToCustomer(ctx, conversation, await inbound('how much to hire a bike?'));
    await replyToCustomer(ctx, conversation, await inbound('1'));
    expect((await replies()).at(-1)!.body).toContain('not sure');
  });

  it('stays silent once the plan limit is reached (still handing over on request), and for a message without text', async () => {
    await replyToCustomer(ctx, conversation, await inbound(''));
    expect(await replies()).toHaveLength(0);

    await ctx.db
      .insertInto('settings')
      .values({ key: 'plans', value: JSON.stringify({ starter: { messageLimit: 1 } }) })
      .execute();
    await useAllowance(ctx, org.id, 1);
    const unanswered = await inbound('how much to hire a bike?');
    await replyToCustomer(ctx, conversation, unanswered);
    expect(await replies()).toHaveLength(0);
    // Marked in the inbox for a human.
    const marked = await ctx.db.selectFrom('messages').select('unanswered').where('id', '=', unanswered.id).executeTakeFirstOrThrow();
    expect(marked.unanswered).toBe('limit_reached');

    // Asking for a person still reaches the agents; only the confirmation is not sent.
    await activateAgents(ctx, org.id, ['+15550100101']);
    await openServiceWindow(ctx, number.id, '+15550100101');
    await replyToCustomer(ctx, conversation, await inbound('human'));
    expect((await replies()).map((m) => [m.audience, m.to_address])).toEqual([['agent', '+15550100101']]);
    expect(await status()).toBe('waiting_agent');
  });
});

describe('a WhatsApp question answered end to end', () => {
  const PUBLIC_URL = 'https://switchboard.example.com';
  let twilio: FakeTwilio;
  let server: RunningServer;
  let ctx: AppContext;

  beforeAll(async () => {
    twilio = await startFakeTwilio();
  });
  afterAll(() => twilio.close());
  beforeEach(async () => {
    ctx = await makeTestContext({
      env: { PUBLIC_URL, ...twilioPlatformEnv(twilio), WORKER: '0' },
    });
    server = await startServer(ctx, { listen: false });
  });
  afterEach(() => server.stop());

  it("a customer's Twilio message gets the answer from that organization's knowledge base through the Twilio API", async () => {
    const org = await makeOrganization(ctx, { plan: 'starter' });
    const other = await makeOrganization(ctx, { plan: 'starter' });
    await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550123', provider_id: 'PN0123456789abcdef0123456789abcdef' });
    await seedKnowledge(ctx, org.id, KNOWLEDGE);
    await seedKnowledge(ctx, other.id, [{ title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Bikes cost $99 per hour here.' }]);

    // The fixture's exact fields, with the customer's question as the body.
    const fields = { ...twilioFields('twilio/inbound-text.txt'), Body: 'hi! how much does it cost to hire a bike?' };
    const request = signedTwilioRequest(fields, twilio.authToken, PUBLIC_URL);
    const response = await server.app.inject({ method: 'POST', url: request.url, headers: request.headers, payload: request.rawBody });
    expect(response.statusCode).toBe(200);
    expect(twilio.messages.size).toBe(0); // answered before any reply is made

    await drainJobs(ctx);
    const sent = [...twilio.messages.values()];
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      from: 'whatsapp:+14155550123',
      to: 'whatsapp:+5511987654321',
      body: 'Yes, city bikes cost $8 per hour and e-bikes $15 per hour.',
    });
    const reply = await ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'out').executeTakeFirstOrThrow();
    // Twilio accepted it: the row carries the SID the API returned.
    expect(reply).toMatchObject({ author: 'bot', organization_id: org.id, provider_message_id: [...twilio.messages.keys()][0] });
  });
});
