// A pick teaches, end to end: a customer asks, gets choices, picks one (on WhatsApp by number, in
// the widget by its button); the question becomes a learned phrasing of the picked entry, the
// training it needs runs from the job queue at most once a minute per organization, and the next
// customer asking the same way gets that entry's answer directly.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LEARNED_PHRASINGS } from '../../src/core/entry-edits.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { replyToCustomer } from '../../src/services/inbound/auto-reply.js';
import { LEARNED_TRAINING_EVERY_MS, TRAIN_LEARNED_JOB } from '../../src/services/knowledge/learning.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber, openServiceWindow } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const KNOWLEDGE = [
  { title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
  { title: 'Holiday hours', content: 'Q: What are your holiday hours?\nA: On public holidays we open from 10am to 4pm.' },
  { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' },
];
const HOLIDAY_ANSWER = 'On public holidays we open from 10am to 4pm.';
/** A question the knowledge base leaves torn between its two kinds of hours. */
const TORN = 'are you open today?';

let api: AdminApi;
let shop: { id: string; key: string };
beforeEach(async () => {
  api = await startAdminApi();
  shop = await api.organizationWithKnowledge('Lantern Lane Bikes', KNOWLEDGE);
});
afterEach(() => api.server.stop());

const ask = async (question: string) => (await api.call('POST', `/api/organizations/${shop.id}/ask`, { key: shop.key, body: { question } })).body;
const entries = async () => (await api.call('GET', `/api/organizations/${shop.id}/knowledge/entries`, { key: shop.key })).body.entries as any[];
const learned = async () => (await entries()).flatMap((e) => e.learnedPhrasings.map((p: { phrasing: string }) => [e.question, p.phrasing]));
const trainingJobs = () => api.ctx.db.selectFrom('jobs').select(['run_at', 'status']).where('kind', '=', TRAIN_LEARNED_JOB).orderBy('run_at').execute();
const trainedAt = async () => (await api.call('GET', `/api/organizations/${shop.id}/knowledge`, { key: shop.key })).body.trainedAt as string;

/** A WhatsApp customer of the shop writes; the bot replies as it would from the webhook's job. */
async function customer(phone: string) {
  const ctx = api.ctx;
  const number =
    (await ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', shop.id).executeTakeFirst()) ??
    (await makeNumber(ctx, { organization_id: shop.id }));
  const contact = await makeContact(ctx, { organization_id: shop.id, phone });
  const conversation = await makeConversation(ctx, { organization_id: shop.id, contact_id: contact.id, number_id: number.id });
  await openServiceWindow(ctx, number.id, phone);
  return async (text: string) => {
    const inbound = await makeInboundMessage(ctx, number, { from: phone, body: text, conversationId: conversation.id });
    await replyToCustomer(ctx, conversation, inbound);
    const reply = await ctx.db
      .selectFrom('messages')
      .select('body')
      .where('conversation_id', '=', conversation.id)
      .where('direction', '=', 'out')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return reply.body ?? '';
  };
}

/** The training job that picks scheduled runs: the clock reaches its minute and the worker takes it. */
async function minutePasses() {
  const before = await trainedAt();
  api.ctx.clock.advance(LEARNED_TRAINING_EVERY_MS);
  await drainJobs(api.ctx);
  await waitFor(async () => (await trainedAt()) !== before && (await trainingJobs()).every((j) => j.status === 'done'), { what: 'the learned training' });
}

describe('a pick teaches', () => {
  it('on WhatsApp: ask → choices → "2" → retrained → the same question is answered directly', async () => {
    const ana = await customer('+5511987650001');
    const menu = await ana(TORN);
    expect(menu).toMatch(/^Did you mean:\n1\. .*\n2\. /);
    const pick = menu.includes('2. What are your holiday hours?') ? '2' : '1';
    expect(await ana(pick)).toBe(HOLIDAY_ANSWER);
    expect(await learned()).toEqual([['What are your holiday hours?', TORN]]);

    // Not before the training the pick scheduled, due at the end of the minute.
    expect((await ask(TORN)).kind).toBe('choices');
    const [job] = await trainingJobs();
    expect(job).toMatchObject({ status: 'pending' });
    expect(new Date(job!.run_at).getTime() % LEARNED_TRAINING_EVERY_MS).toBe(0);
    expect(new Date(job!.run_at).getTime()).toBeGreaterThan(api.ctx.clock.now().getTime());

    await minutePasses();
    expect(await ask(TORN)).toMatchObject({ kind: 'answer', answer: HOLIDAY_ANSWER });
    // The next customer asking that way gets the answer, not the choices.
    expect(await (await customer('+5511987650002'))(TORN)).toBe(HOLIDAY_ANSWER);
  });

  it('in the widget: the quick-reply button teaches the question the visitor asked', async () => {
    const widget = await createWidget(api.ctx, shop.id, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'] }));
    const opened = await api.server.app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, payload: { visitorName: 'Ana' } });
    const { sessionId, token } = opened.json() as { sessionId: string; token: string };
    const auth = { authorization: `Bearer ${token}` };
    const url = `/api/widget/sessions/${sessionId}/messages`;
    const botSaid = async (count: number) => {
      let bot: any[] = [];
      await waitFor(
        async () => {
          const messages = (await api.server.app.inject({ method: 'GET', url, headers: auth })).json().messages as any[];
          bot = messages.filter((m) => m.author === 'bot');
          return bot.length >= count;
        },
        { what: `bot message ${count}` },
      );
      return bot[count - 1];
    };
    expect((await api.server.app.inject({ method: 'POST', url, headers: auth, payload: { text: 'Hello, are you open today?' } })).statusCode).toBe(201);
    const offer = await botSaid(1);
    const holiday = offer.choices.find((c: { title: string }) => c.title === 'What are your holiday hours?');
    expect(holiday).toBeDefined();
    // What the button sends: its title.
    await api.server.app.inject({ method: 'POST', url, headers: auth, payload: { text: holiday.title } });
    expect(await botSaid(2)).toMatchObject({ text: HOLIDAY_ANSWER });
    // The greeting in front is no part of the way of asking.
    expect(await learned()).toEqual([['What are your holiday hours?', 'are you open today?']]);

    await minutePasses();
    expect(await ask('are you open today?')).toMatchObject({ kind: 'answer', answer: HOLIDAY_ANSWER });
  });

  it('trains at most once a minute per organization, however many customers pick', async () => {
    const picks = ['+5511987650011', '+5511987650012', '+5511987650013'];
    const questions = [TORN, 'are you open now?', 'r u open today'];
    for (const [i, phone] of picks.entries()) {
      const say = await customer(phone);
      const menu = await say(questions[i]!);
      expect(menu, questions[i]).toContain('What are your holiday hours?');
      expect(await say(menu.includes('1. What are your holiday hours?') ? '1' : '2')).toBe(HOLIDAY_ANSWER);
      if (i === 1) api.ctx.clock.advance(LEARNED_TRAINING_EVERY_MS); // the third pick comes a minute later
    }
    expect((await learned()).map(([, phrasing]) => phrasing).sort()).toEqual([...questions].sort());
    const jobs = await trainingJobs();
    expect(jobs).toHaveLength(2);
    expect(new Date(jobs[1]!.run_at).getTime() - new Date(jobs[0]!.run_at).getTime()).toBe(LEARNED_TRAINING_EVERY_MS);
  });

  it('learns a question once, and no more than the bound per entry', async () => {
    const entryId = (await entries()).find((e) => e.question === 'What are your holiday hours?').id as string;
    const documentId = entryId.split('#')[0]!;
    const ana = await customer('+5511987650021');
    for (const question of [TORN, 'ARE YOU OPEN TODAY']) {
      const menu = await ana(question);
      expect(await ana(menu.includes('1. What are your holiday hours?') ? '1' : '2')).toBe(HOLIDAY_ANSWER);
    }
    expect(await learned()).toEqual([['What are your holiday hours?', TORN]]);

    const full = Array.from({ length: MAX_LEARNED_PHRASINGS - 1 }, (_, i) => ({
      id: `filler-${i}`,
      organization_id: shop.id,
      document_id: documentId,
      entry_id: entryId,
      phrasing: `a way of asking number ${i}`,
      created_at: api.ctx.clock.now().toISOString(),
    }));
    await api.ctx.db.insertInto('knowledge_learned_phrasings').values(full).execute();
    const menu = await ana('open right now?');
    expect(await ana(menu.includes('1. What are your holiday hours?') ? '1' : '2')).toBe(HOLIDAY_ANSWER);
    expect((await learned()).filter(([, p]) => p === 'open right now?')).toEqual([]);
    expect((await entries()).find((e) => e.id === entryId).learnedPhrasings).toHaveLength(MAX_LEARNED_PHRASINGS);
  });
});
