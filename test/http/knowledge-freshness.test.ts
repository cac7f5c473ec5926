// An untrained knowledge base, and one changed since its training: asking before the first
// training says so plainly (and the customer is offered a person, not told "not sure"); after
// it, answers come from the last training until the next, while the knowledge list and the
// training status say the base changed since (a document added or removed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { knowledgeFreshness, markKnowledgeChanged } from '../../src/services/knowledge/training.js';
import { whatsappCustomerAsks } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const CUSTOMER = '+5511987654321';
let api: AdminApi;
let shop: { id: string; key: string };
beforeEach(async () => {
  api = await startAdminApi();
  shop = await api.organizationWithKey('Lantern Lane Bikes');
});
afterEach(() => api.server.stop());

const ask = async (question: string) => (await api.call('POST', `/api/organizations/${shop.id}/ask`, { key: shop.key, body: { question } })).body;
const knowledge = async () => (await api.call('GET', `/api/organizations/${shop.id}/knowledge`, { key: shop.key })).body;
const add = async (title: string, content: string) => {
  const added = await api.call('POST', `/api/organizations/${shop.id}/knowledge`, { key: shop.key, body: { title, content } });
  expect(added.status).toBe(201);
  return added.body.document.id as string;
};
const train = async () => expect((await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key })).status).toBe(200);
const later = () => api.ctx.clock.advance(60_000);

describe('a knowledge base before and after training', () => {
  it('says plainly it has not been trained, offering a person, until its first training', async () => {
    await add('Rentals', 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.');
    const asked = await ask('do you rent bikes?');
    expect(asked).toMatchObject({ ok: true, kind: 'not-sure', offerHuman: true, untrained: true, sources: [] });
    expect(asked.notice).toMatch(/has not been trained yet/);
    expect(asked.answer).toBe("I can't answer questions here yet. Reply *human* to talk to a person.");
    expect(await knowledge()).toMatchObject({ trainedAt: null, changedSinceTraining: false });

    await train();
    const answered = await ask('do you rent bikes?');
    expect(answered).toMatchObject({ kind: 'answer', answer: 'Yes, city bikes cost $8 per hour.' });
    expect(answered.notice).toBeUndefined();
    expect(answered.untrained).toBeUndefined();
  });

  it('tells a WhatsApp customer it cannot answer yet and offers a person', async () => {
    await add('Rentals', 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.');
    const { bot } = await whatsappCustomerAsks(api.ctx, shop.id, 'do you rent bikes?', { customer: CUSTOMER });
    expect(bot.body).toBe("I can't answer questions here yet. Reply *human* to talk to a person.");
  });

  it('answers from the last training while it changed since, and says so until trained again', async () => {
    await add('Rentals', 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.');
    await train();
    later();
    const repairs = await add('Repairs', 'Q: Do you repair bikes?\nA: Our workshop repairs any bike within two days.');
    const listed = await knowledge();
    expect(listed).toMatchObject({ changedSinceTraining: true, trainedAt: expect.any(String), knowledgeChangedAt: expect.any(String) });
    expect(listed.knowledgeChangedAt > listed.trainedAt).toBe(true);
    expect((await api.call('GET', `/api/organizations/${shop.id}/train`, { key: shop.key })).body).toMatchObject({ changedSinceTraining: true });
    // The last training still answers; the new document does not yet.
    expect((await ask('do you rent bikes?')).answer).toBe('Yes, city bikes cost $8 per hour.');
    expect((await ask('can you repair my bike?')).answer).not.toContain('workshop');

    later();
    await train();
    expect(await knowledge()).toMatchObject({ changedSinceTraining: false });
    expect((await ask('can you repair my bike?')).answer).toContain('workshop repairs any bike');

    // A deletion in a trained base retrains at once: nothing is left to train.
    later();
    const deleted = await api.call('DELETE', `/api/organizations/${shop.id}/knowledge/${repairs}`, { key: shop.key });
    expect(deleted.status).toBe(200);
    expect(await knowledge()).toMatchObject({ changedSinceTraining: false });
  });

  it('counts a change made in the same millisecond as the training it follows', async () => {
    await add('Rentals', 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.');
    await train();
    // The test clock stands still: the mark is still later than the one the training saw.
    await markKnowledgeChanged(api.ctx, shop.id);
    expect(await knowledgeFreshness(api.ctx, shop.id)).toMatchObject({ changedSinceTraining: true });
    await train();
    expect(await knowledgeFreshness(api.ctx, shop.id)).toMatchObject({ changedSinceTraining: false });
  });

  it('keeps one organization’s changes to itself', async () => {
    const other = await api.organizationWithKey('Other Shop');
    await add('Rentals', 'Q: Do you rent bikes?\nA: Yes.');
    await train();
    later();
    await api.call('POST', `/api/organizations/${other.id}/knowledge`, { key: other.key, body: { title: 'Hours', content: 'Open 9 to 5.' } });
    expect(await knowledge()).toMatchObject({ changedSinceTraining: false });
    const theirs = await api.call('GET', `/api/organizations/${shop.id}/knowledge`, { key: other.key });
    expect(theirs.status).toBe(404);
  });
});
