// The inbox's "wrong answer" mark: one of the bot's answers in a conversation marked wrong over
// the API becomes a suggested answer, exactly as an agent's `#282 /wrong` does — with the agent's
// reply given after it, or the next one. Tenant-scoped, and marking it again changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whatsappCustomerAsks } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const CUSTOMER = '+5511987654321';
let api: AdminApi;
let shop: { id: string; key: string };
beforeEach(async () => {
  api = await startAdminApi();
  shop = await api.organizationWithKey('Lantern Lane Bikes');
  const docs = [
    { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' },
    { title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
  ];
  for (const body of docs) await api.call('POST', `/api/organizations/${shop.id}/knowledge`, { key: shop.key, body });
  expect((await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key })).status).toBe(200);
});
afterEach(() => api.server.stop());

const customerAsks = (text: string) => whatsappCustomerAsks(api.ctx, shop.id, text, { customer: CUSTOMER });

const suggestions = async () => (await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions;
const markWrong = (conversationId: string, messageId: number, key = shop.key) =>
  api.call('POST', `/api/conversations/${conversationId}/messages/${messageId}/wrong`, { key });

describe('marking a bot answer wrong from the inbox', () => {
  it("turns the question and the agent's reply into a suggestion, once", async () => {
    // Answered with confidence, but the prices went up since.
    const { conversation, bot } = await customerAsks('do you rent bikes?');
    expect(bot.body).toBe('Yes, city bikes cost $8 per hour and e-bikes $15 per hour.');
    expect(await suggestions()).toEqual([]);
    const reply = await api.call('POST', `/api/conversations/${conversation.id}/messages`, {
      key: shop.key,
      body: { text: 'Yes: city bikes are $10 an hour now.' },
    });
    expect(reply.status).toBe(201);

    const marked = await markWrong(conversation.id, bot.id);
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ ok: true, suggestion: 'answered' });
    const listed = await suggestions();
    expect(listed).toEqual([
      expect.objectContaining({
        question: 'do you rent bikes?',
        answer: 'Yes: city bikes are $10 an hour now.',
        wrongAnswer: bot.body,
        conversationId: conversation.id,
        status: 'pending',
      }),
    ]);

    // The thread shows the mark when read again (a reload), on that answer only.
    const thread = (await api.call('GET', `/api/conversations/${conversation.id}/messages`, { key: shop.key })).body.messages;
    expect(thread.filter((m: { markedWrong?: boolean }) => m.markedWrong).map((m: { id: number }) => m.id)).toEqual([bot.id]);
    expect(thread.find((m: { author: string }) => m.author === 'agent')).not.toHaveProperty('markedWrong');

    // Marked again (a double click, a retry): still one suggestion.
    expect((await markWrong(conversation.id, bot.id)).body).toMatchObject({ ok: true, suggestion: 'answered' });
    expect(await suggestions()).toHaveLength(1);
  });

  it("waits for the agent's next reply when none was given yet", async () => {
    const { conversation, bot } = await customerAsks('when are you open?');
    expect((await markWrong(conversation.id, bot.id)).body).toMatchObject({ ok: true, suggestion: 'awaiting' });
    expect(await suggestions()).toEqual([]);
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'We now open on Sundays too, 10am to 4pm.' } });
    expect(await suggestions()).toEqual([
      expect.objectContaining({ question: 'when are you open?', answer: 'We now open on Sundays too, 10am to 4pm.', wrongAnswer: bot.body }),
    ]);
  });

  it("refuses what is not one of the bot's answers in that conversation, and another organization's conversation", async () => {
    const { conversation, bot } = await customerAsks('do you rent bikes?');
    const question = await api.ctx.db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', conversation.id)
      .where('direction', '=', 'in')
      .executeTakeFirstOrThrow();
    expect((await markWrong(conversation.id, question.id)).status).toBe(404);
    expect((await markWrong(conversation.id, 999_999)).status).toBe(404);
    const bad = await api.call('POST', `/api/conversations/${conversation.id}/messages/abc/wrong`, { key: shop.key });
    expect(bad.status).toBe(400);

    const other = await api.organizationWithKey('Other Shop');
    expect((await markWrong(conversation.id, bot.id, other.key)).status).toBe(404);
    expect(await suggestions()).toEqual([]);
  });
});

describe('marking wrong an answer the bot was unsure of', () => {
  it('keeps one suggestion for the question, naming the wrong answer', async () => {
    const { conversation, bot } = await customerAsks('can I hire a tandem?');
    const kind = bot.body?.startsWith('Did you mean') || bot.body?.includes('not sure');
    expect(kind, bot.body ?? '').toBe(true);
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Tandems are $20 an hour.' } });
    expect((await markWrong(conversation.id, bot.id)).body).toMatchObject({ suggestion: 'answered' });
    expect(await suggestions()).toEqual([
      expect.objectContaining({ question: 'can I hire a tandem?', answer: 'Tandems are $20 an hour.', wrongAnswer: bot.body }),
    ]);
  });
});
