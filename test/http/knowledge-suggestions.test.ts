// Learning from the humans, through the API: a question the bot was not sure of, answered by an
// agent from the inbox, becomes a suggestion; accepted (edited), it is indexed at once and answers
// the next customer who asks it in other words. Also: `ask` with choices, and a pick by id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replyToCustomer } from '../../src/services/inbound/auto-reply.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber, openServiceWindow } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const KNOWLEDGE = [
  { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' },
  { title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
  { title: 'Holiday hours', content: 'Q: What are your holiday hours?\nA: On public holidays we open from 10am to 4pm.' },
  { title: 'Repairs', content: 'Q: Do you repair bikes?\nA: Our workshop repairs any bike, usually within two days.' },
];
const CUSTOMER = '+5511987654321';

let api: AdminApi;
let shop: { id: string; key: string };
beforeEach(async () => {
  api = await startAdminApi();
  shop = await api.organizationWithKey('Lantern Lane Bikes');
  for (const doc of KNOWLEDGE) expect((await api.call('POST', `/api/organizations/${shop.id}/knowledge`, { key: shop.key, body: doc })).status).toBe(201);
  expect((await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key })).status).toBe(200);
});
afterEach(() => api.server.stop());

const ask = (body: object, key = shop.key, orgId = shop.id) => api.call('POST', `/api/organizations/${orgId}/ask`, { key, body });

/** A WhatsApp customer of the shop asks; the bot replies as it would from the webhook's job. */
async function customerAsks(text: string) {
  const ctx = api.ctx;
  const number =
    (await ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', shop.id).executeTakeFirst()) ??
    (await makeNumber(ctx, { organization_id: shop.id }));
  const contact =
    (await ctx.db.selectFrom('contacts').selectAll().where('organization_id', '=', shop.id).executeTakeFirst()) ??
    (await makeContact(ctx, { organization_id: shop.id, phone: CUSTOMER }));
  const conversation =
    (await ctx.db.selectFrom('conversations').selectAll().where('contact_id', '=', contact.id).executeTakeFirst()) ??
    (await makeConversation(ctx, { organization_id: shop.id, contact_id: contact.id, number_id: number.id }));
  await openServiceWindow(ctx, number.id, CUSTOMER);
  await replyToCustomer(ctx, conversation, await makeInboundMessage(ctx, number, { from: CUSTOMER, body: text, conversationId: conversation.id }));
  return conversation;
}

describe('ask', () => {
  it('returns choices when passages are close, the text the customer would get, and answers a pick by id', async () => {
    const asked = await ask({ question: 'are you open today?' });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ ok: true, offerHuman: true, kind: 'choices' });
    expect(asked.body.choices.slice(0, 2).map((c: { title: string }) => c.title)).toEqual(['What are your opening hours?', 'What are your holiday hours?']);
    expect(asked.body.answer).toContain('1. What are your opening hours?\n2. What are your holiday hours?');
    expect(asked.body.answer).toContain('*human*');
    const picked = await ask({ choice: asked.body.choices[1].id });
    expect(picked.body).toMatchObject({ ok: true, kind: 'answer', answer: 'On public holidays we open from 10am to 4pm.', offerHuman: false });

    expect((await ask({ question: 'hi' })).body).toMatchObject({
      kind: 'small-talk',
      answer: 'Hi! This is Lantern Lane Bikes. How can I help you today?',
      offerHuman: false,
    });
    expect((await ask({ question: 'do you sell pizza?' })).body).toMatchObject({ kind: 'not-sure', offerHuman: true, sources: [] });
    expect((await ask({ question: 'do you sell pizza?' })).body.answer).toContain('Reply *human* to talk to a person.');
    expect((await ask({})).status).toBe(400);
  });

  it("never answers a pick from another organization's passage", async () => {
    const other = await api.organizationWithKey('Other Shop');
    const choice = (await ask({ question: 'are you open today?' })).body.choices[0].id;
    expect((await ask({ choice }, other.key, other.id)).body).toMatchObject({ kind: 'not-sure' });
  });
});

describe('suggested answers', () => {
  it('an agent answering a question the bot was not sure of leaves a suggestion; accepted, it answers the next paraphrase', async () => {
    const before = await ask({ question: 'is there a tandem I could hire?' });
    expect(before.body.answer).not.toContain('tandem');

    const conversation = await customerAsks('do you rent tandem bikes?');
    // Nothing to suggest before an agent answers.
    expect((await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions).toEqual([]);
    const sent = await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Yes! Tandems are $20 an hour.' } });
    expect(sent.status).toBe(201);

    const listed = await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key });
    expect(listed.body.suggestions).toEqual([
      expect.objectContaining({
        question: 'do you rent tandem bikes?',
        answer: 'Yes! Tandems are $20 an hour.',
        status: 'pending',
        conversationId: conversation.id,
      }),
    ]);
    const id = listed.body.suggestions[0].id;

    // Another organization sees none of it.
    const other = await api.organizationWithKey('Other Shop');
    expect((await api.call('POST', `/api/organizations/${shop.id}/knowledge/suggestions/${id}/accept`, { key: other.key })).status).toBe(404);
    expect((await api.call('POST', `/api/organizations/${other.id}/knowledge/suggestions/${id}/accept`, { key: other.key })).status).toBe(404);
    expect((await api.call('POST', `/api/organizations/${shop.id}/knowledge/suggestions/${id}/accept`, { key: shop.key, body: { answer: '  ' } })).status).toBe(
      400,
    );

    const accepted = await api.call('POST', `/api/organizations/${shop.id}/knowledge/suggestions/${id}/accept`, {
      key: shop.key,
      body: { answer: 'Yes, we rent tandem bikes for two riders at $20 per hour.' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.suggestion).toMatchObject({ status: 'accepted', documentId: accepted.body.document.id });
    expect((await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions).toEqual([]);

    // Indexed at once: the next customer asking in other words gets it.
    const after = await ask({ question: 'is there a tandem I could hire?' });
    expect(after.body).toMatchObject({ kind: 'answer', answer: 'Yes, we rent tandem bikes for two riders at $20 per hour.' });
    // Asked more loosely, it is the first choice offered, under the question as a customer asked it.
    const loose = await ask({ question: 'can I hire a tandem for two people?' });
    expect(loose.body.choices[0]).toEqual({ id: expect.any(String), title: 'Do you rent tandem bikes?' });
    // Deciding twice is refused.
    expect((await api.call('DELETE', `/api/organizations/${shop.id}/knowledge/suggestions/${id}`, { key: shop.key })).status).toBe(404);
  });

  it('an answered question leaves nothing to suggest, a dismissed suggestion is gone, and agents writing in several messages make one answer', async () => {
    const conversation = await customerAsks('how much to hire a bike?');
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Anything else?' } });
    expect((await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions).toEqual([]);

    await customerAsks('can you store my bike over winter?');
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Yes, winter storage is £5 a week.' } });
    api.ctx.clock.advance(60_000);
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Drop it off any weekday.' } });
    // The same delivery again (a retried request without a key) joins nothing.
    await api.call('POST', `/api/conversations/${conversation.id}/messages`, { key: shop.key, body: { text: 'Drop it off any weekday.' } });
    const [suggestion] = (await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions;
    expect(suggestion).toMatchObject({ question: 'can you store my bike over winter?', answer: 'Yes, winter storage is £5 a week.\nDrop it off any weekday.' });

    expect((await api.call('DELETE', `/api/organizations/${shop.id}/knowledge/suggestions/${suggestion.id}`, { key: shop.key })).status).toBe(200);
    expect((await api.call('GET', `/api/organizations/${shop.id}/knowledge/suggestions`, { key: shop.key })).body.suggestions).toEqual([]);
    expect((await api.call('POST', `/api/organizations/${shop.id}/knowledge/suggestions/${suggestion.id}/accept`, { key: shop.key })).status).toBe(404);
  });
});
