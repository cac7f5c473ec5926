// A WhatsApp customer's "human", over the HTTP edge with signed Twilio webhooks and the fake Twilio:
// the organization's active agents are notified from the number the customer wrote to, with the
// widget's notification and reply rules (`#ref:`, swipe-reply, claim, `/close`, `/list`), the
// customer's messages reach the agent and the agent's reply reaches the customer on WhatsApp.
// Nobody who has not accepted is ever written to, and nobody is told "a member of our team will
// reply" when no one was told.
import { describe, expect, it } from 'vitest';
import { visitorText } from '../../src/core/handover-text.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { startServer } from '../../src/server.js';
import { DEMO_BUSINESS } from '../../src/services/platform/demo.js';
import { phoneThreads } from '../../src/services/platform/simulator.js';
import { closeInactiveConversations } from '../../src/services/handover/inactivity.js';
import { HANDOVER_CONFIRMATION, OFFER_HUMAN } from '../../src/services/inbound/auto-reply.js';
import { makeTestContext } from '../support/context.js';
import { MAYA, SANDBOX, TOM, sandboxEdgePerTest } from './handover-support.js';

const SHOP = '+14155550142';
const ANA = '+15550100200';

const sandbox = sandboxEdgePerTest();

/** A shop with a Twilio number of its own, and these agents (invited). */
async function shop(name: string, agents: Array<{ name: string; number: string }>, number = SHOP) {
  const org = await sandbox.edge.organizationWithKey(name, { plan: 'starter' });
  const provisioned = await sandbox.edge.call('POST', `/api/organizations/${org.id}/provision-number`, { body: { phoneNumber: number } });
  expect(provisioned.status).toBe(200);
  for (const agent of agents) expect((await sandbox.edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: agent })).status).toBe(201);
  const listed = await sandbox.edge.call('GET', `/api/organizations/${org.id}/agents`, { key: org.key });
  return { ...org, accept: listed.body.agentInvitation.text as string };
}

/** A WhatsApp message in, with the sender's WhatsApp profile name, and every job it leads to run. */
async function say(from: string, to: string, text: string, extra: Record<string, string> = {}) {
  expect(await sandbox.edge.twilioInbound(from, to, text, { extra: { ProfileName: from === ANA ? 'Ana Silva' : 'Someone', ...extra } })).toBe(200);
  await sandbox.edge.drain();
}

const sentTo = (phone: string) => sandbox.edge.sent().filter((m) => m.to === `whatsapp:${phone}`);
const bodiesTo = (phone: string) => sentTo(phone).map((m) => m.body);

describe("a WhatsApp customer's human", () => {
  it("notifies the active agent from the shop's number; the agent's #ref: reply and swipe-reply reach the customer, and the customer's messages reach the agent", async () => {
    const lantern = await shop('Lantern Lane Bikes', [
      { name: 'Maya', number: MAYA },
      { name: 'Tom', number: TOM },
    ]);
    await say(MAYA, SHOP, lantern.accept); // Tom never accepts
    expect(bodiesTo(MAYA).at(-1)).toContain('You are now an agent of Lantern Lane Bikes');

    await say(ANA, SHOP, 'My back tyre is flat');
    await say(ANA, SHOP, 'human');
    const notification = sentTo(MAYA).at(-1)!;
    expect(notification).toMatchObject({ from: `whatsapp:${SHOP}`, to: `whatsapp:${MAYA}` });
    expect(notification.body).toBe(
      [
        '🔔 Agent Handover Request',
        '👤 USER: Ana Silva',
        '🆔 ID: #1',
        `📱 WhatsApp: ${ANA}`,
        '💬 My back tyre is flat',
        'Reply in this chat: your message',
        'Commands: #1: reply · /list · #1 /close · #1 /ai · help',
      ].join('\n'),
    );
    expect(bodiesTo(ANA).at(-1)).toBe(HANDOVER_CONFIRMATION);
    // Invited, never accepted: nothing at all.
    expect(sentTo(TOM)).toEqual([]);
    const waiting = await sandbox.edge.call('GET', `/api/organizations/${lantern.id}/conversations`, { key: lantern.key });
    expect(waiting.body.conversations).toEqual([
      expect.objectContaining({ ref: 1, channel: 'whatsapp', status: 'waiting_agent', assignedWhatsappNumber: SHOP }),
    ]);

    await say(MAYA, SHOP, '#1: We can fix it today. Bring it in before 6pm.');
    expect(sentTo(ANA).at(-1)).toMatchObject({ from: `whatsapp:${SHOP}`, body: 'We can fix it today. Bring it in before 6pm.' });

    // The customer's next message goes to Maya, on one line; the bot says nothing.
    const toAnaBefore = sentTo(ANA).length;
    await say(ANA, SHOP, 'Great, thanks!\nIs 5pm ok?');
    const forward = sentTo(MAYA).at(-1)!;
    expect(forward).toMatchObject({ from: `whatsapp:${SHOP}`, body: '#1 Ana Silva: Great, thanks! Is 5pm ok?' });
    expect(sentTo(ANA)).toHaveLength(toAnaBefore);

    // A swipe-reply to the forward needs no prefix.
    await say(MAYA, SHOP, '5pm is fine', { OriginalRepliedMessageSid: forward.sid });
    expect(bodiesTo(ANA).at(-1)).toBe('5pm is fine');

    // Tom, who never accepted, is an ordinary customer of the shop: his #1 reaches nobody.
    await say(TOM, SHOP, '#1: Tom here, ignore Maya');
    expect(bodiesTo(ANA)).not.toContain('Tom here, ignore Maya');
    expect(bodiesTo(ANA).some((b) => b.includes('Tom here'))).toBe(false);

    await say(MAYA, SHOP, '/list');
    expect(bodiesTo(MAYA).at(-1)).toBe('Your open conversations:\n#1 Ana Silva');

    await say(MAYA, SHOP, '#1 /close');
    expect(bodiesTo(MAYA).at(-1)).toBe('✅ #1 Ana Silva is closed.');
    expect(bodiesTo(ANA).at(-1)).toBe(visitorText.closedByAgent);

    // After the close the bot answers again, and Maya hears nothing of it.
    const toMaya = sentTo(MAYA).length;
    await say(ANA, SHOP, 'do you sell helmets?');
    expect(bodiesTo(ANA).at(-1)).toContain(OFFER_HUMAN);
    expect(sentTo(MAYA)).toHaveLength(toMaya);
  });

  it('the first agent to answer takes it; the other is told who did, and their reply is refused', async () => {
    const lantern = await shop('Lantern Lane Bikes', [
      { name: 'Maya', number: MAYA },
      { name: 'Tom', number: TOM },
    ]);
    await say(MAYA, SHOP, lantern.accept);
    await say(TOM, SHOP, lantern.accept);
    await say(ANA, SHOP, 'Can I talk to a person?');
    expect(sentTo(MAYA).at(-1)!.body).toContain('💬 Can I talk to a person?');
    expect(sentTo(TOM).at(-1)!.body).toContain('🆔 ID: #1');

    await say(MAYA, SHOP, 'Hi Ana, Maya here', { OriginalRepliedMessageSid: sentTo(MAYA).at(-1)!.sid });
    expect(bodiesTo(ANA).at(-1)).toBe('Hi Ana, Maya here');
    expect(bodiesTo(TOM).at(-1)).toBe('ℹ️ #1 Ana Silva was taken by Maya.');

    await say(TOM, SHOP, '#1: Tom here too');
    expect(bodiesTo(TOM).at(-1)).toBe('⚠️ #1 Ana Silva is being answered by Maya; your message was not sent.');
    expect(bodiesTo(ANA)).not.toContain('Tom here too');

    // From now on only Maya hears the customer.
    const toTom = sentTo(TOM).length;
    await say(ANA, SHOP, 'thanks');
    expect(bodiesTo(MAYA).at(-1)).toBe('#1 Ana Silva: thanks');
    expect(sentTo(TOM)).toHaveLength(toTom);
  });

  it('with no active agent, the customer is told honestly that no one can be reached and nothing is sent to anyone else', async () => {
    await shop('Quiet Shop', [{ name: 'Tom', number: TOM }]); // invited only
    await say(ANA, SHOP, 'human');
    expect(sandbox.edge.sent().map((m) => [m.to, m.body])).toEqual([[`whatsapp:${ANA}`, visitorText.noAgents]]);
    // Still the bot's: the next question gets an answer, not silence.
    await say(ANA, SHOP, 'are you there?');
    expect(sentTo(ANA)).toHaveLength(2);
    expect(sentTo(TOM)).toEqual([]);
  });

  it('closes after the inactivity timeout, telling both sides; the bot answers again', async () => {
    const lantern = await shop('Lantern Lane Bikes', [{ name: 'Maya', number: MAYA }]);
    await say(MAYA, SHOP, lantern.accept);
    await say(ANA, SHOP, 'human');
    await say(MAYA, SHOP, '#1: Hello!');
    sandbox.edge.ctx.clock.advance(31 * 60_000);
    expect(await closeInactiveConversations(sandbox.edge.ctx)).toBe(1);
    await sandbox.edge.drain();
    expect(bodiesTo(ANA).at(-1)).toBe(visitorText.closedForInactivity(30));
    expect(bodiesTo(MAYA).at(-1)).toBe('⏱️ #1 Ana Silva was closed after 30 minutes without messages.');
  });

  it('closed from the inbox, the agent and the customer are told, and the agent can no longer reach the customer', async () => {
    const lantern = await shop('Lantern Lane Bikes', [{ name: 'Maya', number: MAYA }]);
    await say(MAYA, SHOP, lantern.accept);
    await say(ANA, SHOP, 'human');
    const [conversation] = (await sandbox.edge.call('GET', `/api/organizations/${lantern.id}/conversations`, { key: lantern.key })).body.conversations;
    expect((await sandbox.edge.call('POST', `/api/conversations/${conversation.id}/close`, { key: lantern.key })).status).toBe(200);
    await sandbox.edge.drain();
    expect(bodiesTo(MAYA).at(-1)).toBe('✅ #1 Ana Silva is closed.');
    expect(bodiesTo(ANA).at(-1)).toBe(visitorText.closedByAgent);
    const toAna = sentTo(ANA).length;
    await say(MAYA, SHOP, '#1: one more thing');
    expect(sentTo(ANA)).toHaveLength(toAna);
    expect(bodiesTo(MAYA).at(-1)).toBe('⚠️ #1 Ana Silva is already closed; your message was not sent.');
  });

  it("an agent's reply after the customer's 24 hours is not sent, and the agent is told why", async () => {
    const lantern = await shop('Lantern Lane Bikes', [{ name: 'Maya', number: MAYA }]);
    await say(MAYA, SHOP, lantern.accept);
    await say(ANA, SHOP, 'human');
    // Maya keeps the conversation alive from her side; Ana has been silent for a day.
    sandbox.edge.ctx.clock.advance(25 * 60 * 60_000);
    await say(MAYA, SHOP, lantern.accept); // her own window on the shop's number opens again
    const toAna = sentTo(ANA).length;
    await say(MAYA, SHOP, '#1: Are you still there?');
    expect(sentTo(ANA)).toHaveLength(toAna);
    expect(bodiesTo(MAYA).at(-1)).toContain('#1 Ana Silva has not written for 24 hours');
  });
});

describe('on the shared platform sender', () => {
  it('an agent whose window is open only on the platform sender is reached there; an ambiguous #1 warns, a swipe-reply delivers from the shop’s own number', async () => {
    // Alder Books hands its website visitors over on the platform sender; Birch Bikes has its own number.
    const alder = await sandbox.edge.organizationWithKey('Alder Books', { plan: 'starter' });
    await sandbox.edge.call('POST', `/api/organizations/${alder.id}/agents`, { key: alder.key, body: { name: 'Maya', number: MAYA } });
    const widget = await sandbox.edge.call('POST', `/api/organizations/${alder.id}/widgets`, {
      key: alder.key,
      body: { name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: [MAYA] },
    });
    const birch = await shop('Birch Bikes', [{ name: 'Maya', number: MAYA }]);
    // Maya accepts both from the platform sender: she has never written to Birch's own number.
    await say(MAYA, SANDBOX, (await sandbox.edge.call('GET', `/api/organizations/${alder.id}/agents`, { key: alder.key })).body.agentInvitation.text);
    await say(MAYA, SANDBOX, birch.accept);

    const visitor = await sandbox.edge.visitor(widget.body.widget.publicKey, 'Bo');
    await visitor.say('hi');
    expect((await visitor.handover()).body).toMatchObject({ conversationRef: 1, assignedWhatsappNumber: SANDBOX });
    await say(ANA, SHOP, 'human');
    const notification = sentTo(MAYA).at(-1)!;
    expect(notification).toMatchObject({ from: `whatsapp:${SANDBOX}`, body: expect.stringContaining('👤 USER: Ana Silva') });
    expect(notification.body).toMatch(/\nReply with: #1: your message$/);
    expect(bodiesTo(ANA).at(-1)).toBe(HANDOVER_CONFIRMATION);

    await say(MAYA, SANDBOX, '#1: which one?');
    const warning = bodiesTo(MAYA).at(-1)!;
    expect(warning).toContain('#1 is open in several organizations');
    expect(warning).toContain('#1 Bo (Alder Books)');
    expect(warning).toContain('#1 Ana Silva (Birch Bikes)');
    expect(bodiesTo(ANA)).not.toContain('which one?');
    expect(visitor.agentTexts()).toEqual([]);

    await say(MAYA, SANDBOX, 'Your bike is ready', { OriginalRepliedMessageSid: notification.sid });
    expect(sentTo(ANA).at(-1)).toMatchObject({ from: `whatsapp:${SHOP}`, body: 'Your bike is ready' });
    expect(visitor.agentTexts()).toEqual([]);
  });
});

describe("in the simulator, with the demo's agents", () => {
  it("the demo customer's human reaches both agents' phones; a swipe-reply reaches the customer and the other agent is told who took it", async () => {
    const server = await startServer(await makeTestContext({ env: { SIMULATOR: '1', DEMO: '1', WORKER: '0', PUBLIC_URL: 'http://localhost:3000' } }), {
      listen: false,
    });
    try {
      const { app, ctx } = server;
      const [maya, tom] = DEMO_BUSINESS.agents;
      const sam = DEMO_BUSINESS.customer;
      const phoneSays = async (from: string, text: string, replyTo?: string) => {
        const sent = await app.inject({ method: 'POST', url: '/api/simulator/messages', payload: { from, to: DEMO_BUSINESS.number, text, replyTo } });
        expect(sent.statusCode).toBe(201);
        await drainJobs(ctx);
      };
      const thread = async (phone: string) => {
        const threads = await phoneThreads(ctx, phone);
        return threads.find((t) => t.number === DEMO_BUSINESS.number)?.messages ?? [];
      };

      await phoneSays(sam.number, 'Do you rent tandems?');
      await phoneSays(sam.number, 'human');
      for (const agent of [maya!, tom!]) {
        const notification = (await thread(agent.number)).at(-1)!;
        expect(notification.mine).toBe(false);
        expect(notification.text).toMatch(
          new RegExp(`^🔔 Agent Handover Request\\n👤 USER: ${sam.name}\\n🆔 ID: #\\d+\\n📱 WhatsApp: \\${sam.number}\\n💬 Do you rent tandems\\?\\n`),
        );
      }
      expect((await thread(sam.number)).at(-1)!.text).toBe(HANDOVER_CONFIRMATION);

      const notification = (await thread(maya!.number)).at(-1)!;
      await phoneSays(maya!.number, 'We do, from $30 a day.', notification.providerMessageId!);
      expect((await thread(sam.number)).at(-1)).toMatchObject({ mine: false, text: 'We do, from $30 a day.' });
      expect((await thread(tom!.number)).at(-1)!.text).toMatch(new RegExp(`^ℹ️ #\\d+ ${sam.name} was taken by ${maya!.name.replace(/[()]/g, '\\$&')}\\.$`));
    } finally {
      await server.stop();
    }
  });
});
