// The agent's phone (SPEC §8): `help`, `#ref /ai`, `#ref /wrong`, a message without a usable
// prefix held for a numbered pick, and the commands line once a day in notifications.
import { afterEach, describe, expect, it } from 'vitest';
import { commandHelp, visitorText } from '../../../src/core/handover-text.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { listSuggestions } from '../../../src/services/knowledge/suggestions.js';
import { addDocument, trainKnowledge } from '../../../src/services/knowledge/training.js';
import { reactToVisitorMessage } from '../../../src/services/inbound/visitor-reaction.js';
import { openServiceWindow } from '../../support/factories.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world?.ctx.database.close();
});

async function handedOver(name: string, text = 'I need a person') {
  const v = await visitor(world, name);
  await v.say(text);
  return { ...v, ...(await requestHandover(world.ctx, v.sessionId)) };
}

const agentReplies = async (sessionId: string) => (await seenByVisitor(world, sessionId)).filter((m) => m.author === 'agent').map((m) => m.body);
const lastTo = async (agent: string) => (await sentToAgents(world, agent)).at(-1)?.body;
const says = (agent: string, text: string) => agentWrites(world, agent, world.handoverNumber!, text);

describe('help', () => {
  it('help and /help, in any case and with or without a reference, answer the commands and deliver nothing', async () => {
    world = await makeWorld({ handoverNumber: true });
    const viral = await handedOver('Viral tarpara');
    await handedOver('Ana');
    for (const text of ['help', 'HELP', '/help', '/Help', '#1 /help', '#2 help', '#1: help']) {
      const before = (await sentToAgents(world, MAYA)).length;
      expect((await says(MAYA, text)).handled).toBe(true);
      const notes = (await sentToAgents(world, MAYA)).slice(before);
      expect(notes.map((m) => m.body)).toEqual([commandHelp(2)]);
    }
    expect(commandHelp(2)).toContain('#2 /ai — hand #2 back to the assistant');
    expect(commandHelp(2)).toContain("#2 /wrong — the assistant's last answer in #2 was wrong");
    expect(await agentReplies(viral.sessionId)).toEqual([]);
    expect((await sentToAgents(world, MAYA)).some((m) => m.body?.includes('does not say which conversation'))).toBe(false);
  });
});

describe('#ref /ai', () => {
  it('gives the conversation back to the bot: the number is freed, the visitor and the other agent are told, a waiting visitor is connected', async () => {
    world = await makeWorld({ pool: 1, settings: { enableMultipleWhatsappChats: false } });
    const pool = world.pool[0]!;
    const gus = await handedOver('Gus');
    // One chat per agent on the one number, and Gus waits for both: the next visitor waits in line.
    const dana = await handedOver('Dana');
    expect(dana.assignedWhatsappNumber).toBeNull();

    await agentWrites(world, MAYA, pool, '#1 /ai');
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'bot', agent_number: null, assigned_whatsapp_number: null });
    const gusConversation = await conversationOf(world, 1);
    const assignment = await world.ctx.db
      .selectFrom('handover_assignments')
      .selectAll()
      .where('conversation_id', '=', gusConversation.id)
      .executeTakeFirstOrThrow();
    expect(assignment.released_at).not.toBeNull();
    const toGus = (await seenByVisitor(world, gus.sessionId)).map((m) => m.body);
    expect(toGus.at(-1)).toBe(visitorText.backToAssistant);
    expect((await sentToAgents(world, MAYA)).map((m) => m.body)).toContain('🤖 #1 Gus is back with the assistant.');
    expect((await sentToAgents(world, TOM)).map((m) => m.body)).toContain(`🤖 #1 Gus was handed back to the assistant by ${MAYA}.`);
    // The freed number carries the visitor who waited.
    expect(await conversationOf(world, 2)).toMatchObject({ status: 'waiting_agent', assigned_whatsapp_number: pool.phone_number });

    // Back with the bot: a later #1: reaches nobody.
    await agentWrites(world, MAYA, pool, '#1: are you still there?');
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await lastTo(MAYA)).toBe('⚠️ #1 Gus is not waiting for an agent right now; your message was not sent.');
  });

  it("is refused on another agent's conversation", async () => {
    world = await makeWorld({ handoverNumber: true });
    await handedOver('Gus');
    await says(MAYA, '#1: Hi');
    await says(TOM, '#1 /ai');
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'agent', agent_number: MAYA });
    expect(await lastTo(TOM)).toBe(`⚠️ #1 Gus is being answered by ${MAYA}; your message was not sent.`);
  });
});

describe('#ref /wrong', () => {
  it("marks the bot's last answer wrong: the question and the agent's answer become a suggestion, before or after the answer", async () => {
    world = await makeWorld({ handoverNumber: true });
    await addDocument(world.ctx, world.org.id, { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.' });
    await trainKnowledge(world.ctx, world.org.id);
    const gus = await visitor(world, 'Gus');
    const asked = await gus.say('Do you rent bikes?');
    await reactToVisitorMessage(world.ctx, { messageId: asked.id });
    const botSaid = (await seenByVisitor(world, gus.sessionId)).filter((m) => m.author === 'bot').at(-1)!.body!;
    expect(botSaid).toContain('$8 per hour');
    await requestHandover(world.ctx, gus.sessionId);

    await says(MAYA, '#1 /wrong');
    expect(await lastTo(MAYA)).toBe(
      "📝 Noted: the assistant's last answer in #1 Gus was wrong. Your next answer there becomes a suggested answer for the knowledge base.",
    );
    expect(await listSuggestions(world.ctx, world.org.id)).toEqual([]);
    await says(MAYA, '#1: City bikes are $10 an hour since May.');
    expect(await listSuggestions(world.ctx, world.org.id)).toEqual([
      expect.objectContaining({
        question: 'Do you rent bikes?',
        answer: 'City bikes are $10 an hour since May.',
        wrongAnswer: botSaid,
        status: 'pending',
      }),
    ]);
    // Marked again (a repeated command): still one suggestion.
    await says(MAYA, '#1 /wrong');
    expect(await listSuggestions(world.ctx, world.org.id)).toHaveLength(1);
    expect(await lastTo(MAYA)).toMatch(/Your answer there is now a suggested answer/);
  });

  it('with no bot answer in the conversation there is nothing to mark', async () => {
    world = await makeWorld({ handoverNumber: true });
    await handedOver('Gus');
    await says(MAYA, '#1 /wrong');
    expect(await lastTo(MAYA)).toBe('⚠️ The assistant has not answered in #1 Gus; there is nothing to mark wrong.');
    expect(await listSuggestions(world.ctx, world.org.id)).toEqual([]);
  });
});

describe('a message without a usable prefix is held, not lost', () => {
  it('the numbered pick delivers it to the conversation picked, once', async () => {
    world = await makeWorld({ handoverNumber: true });
    const gus = await handedOver('Gus');
    const dana = await handedOver('Dana');
    await says(MAYA, 'Your order ships tomorrow');
    expect(await lastTo(MAYA)).toBe(
      '❓ Which conversation? 1 · #1 Gus  2 · #2 Dana — reply 1 or 2. Your message is held for 10 minutes; nothing was sent yet.',
    );
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await agentReplies(dana.sessionId)).toEqual([]);

    await says(MAYA, '3');
    expect(await lastTo(MAYA)).toBe('⚠️ Reply with a number from 1 to 2 to choose the conversation; your message is still held.');
    await says(MAYA, '2');
    expect(await agentReplies(dana.sessionId)).toEqual(['Your order ships tomorrow']);
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await conversationOf(world, 2)).toMatchObject({ status: 'agent', agent_number: MAYA });
    expect(await lastTo(MAYA)).toBe('✅ Sent to #2 Dana.');

    // Taken: the same pick again, or another, delivers nothing more.
    await says(MAYA, '1');
    expect(await lastTo(MAYA)).toMatch(/^⚠️ No message of yours is waiting for a conversation, so "1" was not sent to anyone\./);
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await agentReplies(dana.sessionId)).toEqual(['Your order ships tomorrow']);
  });

  it('an unknown @Name: is held too; a newer held message replaces the older one', async () => {
    world = await makeWorld({ handoverNumber: true });
    const gus = await handedOver('Gus');
    await handedOver('Dana');
    await says(MAYA, '@Gustav: first try');
    expect(await lastTo(MAYA)).toMatch(/^❓ Which conversation\? 1 · #1 Gus {2}2 · #2 Dana/);
    await says(MAYA, 'second try');
    await says(MAYA, '1');
    expect(await agentReplies(gus.sessionId)).toEqual(['second try']);
  });

  it('expires after 10 minutes: a bare number then reaches nobody', async () => {
    world = await makeWorld({ handoverNumber: true });
    const gus = await handedOver('Gus');
    const dana = await handedOver('Dana');
    await says(MAYA, 'Are you there?');
    world.ctx.clock.advance(10 * 60_000 + 1000);
    await says(MAYA, '1');
    expect(await lastTo(MAYA)).toMatch(/^⚠️ No message of yours is waiting/);
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await agentReplies(dana.sessionId)).toEqual([]);
  });

  it('a bare number with nothing held is delivered nowhere, even with one open conversation on the number', async () => {
    world = await makeWorld({ pool: 1 });
    const gus = await handedOver('Gus');
    await agentWrites(world, MAYA, world.pool[0]!, '2');
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await lastTo(MAYA)).toMatch(/^⚠️ No message of yours is waiting for a conversation, so "2" was not sent to anyone\./);
  });

  it("a pick is delivered only while the conversation is still open and this agent's", async () => {
    world = await makeWorld({ handoverNumber: true });
    const gus = await handedOver('Gus');
    await handedOver('Dana');
    await says(MAYA, 'held for Gus');
    // Tom takes #1 meanwhile.
    await says(TOM, '#1: Tom here');
    await says(MAYA, '1');
    expect(await agentReplies(gus.sessionId)).toEqual(['Tom here']);
    expect(await lastTo(MAYA)).toBe('⚠️ #1 Gus is no longer open for you; your held message was not sent.');
  });

  it('a message starting with a reference that cannot be used keeps the warning and is not held', async () => {
    world = await makeWorld({ handoverNumber: true });
    const gus = await handedOver('Gus');
    await handedOver('Dana');
    await says(MAYA, '#9: hello');
    expect(await lastTo(MAYA)).toMatch(/^⚠️ #9 is not one of your conversations\./);
    await says(MAYA, '1');
    expect(await agentReplies(gus.sessionId)).toEqual([]);
    expect(await lastTo(MAYA)).toMatch(/^⚠️ No message of yours is waiting/);
  });
});

describe('the commands line', () => {
  it("closes an agent's first notification of each day, and no other", async () => {
    world = await makeWorld({ handoverNumber: true });
    const commands = (ref: number) => `\nCommands: #${ref}: reply · /list · #${ref} /close · #${ref} /ai · help`;
    await handedOver('Gus');
    await handedOver('Dana');
    for (const agent of [MAYA, TOM]) {
      const [first, second] = await sentToAgents(world, agent);
      expect(first!.body!.endsWith(commands(1))).toBe(true);
      expect(second!.body).not.toContain('Commands:');
    }
    // The agents keep writing to the number, so its 24-hour window stays open.
    const later = async (hours: number) => {
      world.ctx.clock.advance(hours * 3_600_000);
      for (const agent of [MAYA, TOM]) await openServiceWindow(world.ctx, world.handoverNumber!.id, agent);
    };
    await later(23);
    await handedOver('Eve');
    expect(await lastTo(MAYA)).toContain('🆔 ID: #3');
    expect(await lastTo(MAYA)).not.toContain('Commands:');
    await later(2);
    await handedOver('Finn');
    expect((await lastTo(MAYA))!.endsWith(commands(4))).toBe(true);
  });
});
