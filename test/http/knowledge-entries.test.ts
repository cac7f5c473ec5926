// Knowledge entries over HTTP: listed by document, read one by one, edited (and retrained, so the
// next question is answered from the edit), restored to the document's text; a learned phrasing
// removed; bad input refused with a sentence; another organization's entry never found; edits and
// learned phrasings gone with their document and organization.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { learnFromPick } from '../../src/services/knowledge/learning.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const HOURS = 'Q: What are your opening hours? | When are you open?\nA: Monday to Saturday, 9am to 6pm.';
const FAQ = [
  'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.',
  'Q: Do you repair bikes?\nA: Our workshop repairs any bike, usually within two days.',
].join('\n\n');

let api: AdminApi;
let shop: { id: string; key: string };
let hoursDoc: string;
let faqDoc: string;
beforeEach(async () => {
  api = await startAdminApi();
  const trained = await api.organizationWithKnowledge('Lantern Lane Bikes', [
    { title: 'Hours', content: HOURS },
    { title: 'Rentals FAQ', content: FAQ },
  ]);
  shop = trained;
  [hoursDoc, faqDoc] = trained.documentIds as [string, string];
});
afterEach(() => api.server.stop());

const entries = (query = '', org = shop) => api.call('GET', `/api/organizations/${org.id}/knowledge/entries${query}`, { key: org.key });
const entryUrl = (entryId: string, org = shop) => `/api/organizations/${org.id}/knowledge/entries/${encodeURIComponent(entryId)}`;
const ask = async (question: string) => (await api.call('POST', `/api/organizations/${shop.id}/ask`, { key: shop.key, body: { question } })).body;

describe('entries', () => {
  it('are listed by document (one document’s with ?documentId=) and read one by one', async () => {
    const listed = await entries();
    expect(listed.status).toBe(200);
    expect(listed.body.entries).toEqual([
      {
        id: `${hoursDoc}#0`,
        documentId: hoursDoc,
        documentTitle: 'Hours',
        question: 'What are your opening hours?',
        phrasings: ['When are you open?'],
        learnedPhrasings: [],
        answer: 'Monday to Saturday, 9am to 6pm.',
        edited: false,
      },
      expect.objectContaining({ id: `${faqDoc}#0`, documentTitle: 'Rentals FAQ', question: 'Do you rent bikes?' }),
      expect.objectContaining({ id: `${faqDoc}#1`, question: 'Do you repair bikes?', answer: 'Our workshop repairs any bike, usually within two days.' }),
    ]);
    const faq = await entries(`?documentId=${faqDoc}`);
    expect(faq.body.entries.map((e: { id: string }) => e.id)).toEqual([`${faqDoc}#0`, `${faqDoc}#1`]);
    expect((await entries('?documentId=no-such-document')).status).toBe(404);

    const one = await api.call('GET', entryUrl(`${faqDoc}#1`), { key: shop.key });
    expect(one.status).toBe(200);
    expect(one.body.entry).toEqual(listed.body.entries[2]);
    for (const missing of [`${faqDoc}#7`, `${faqDoc}`, 'no-such-document#0', '#0']) {
      const read = await api.call('GET', entryUrl(missing), { key: shop.key });
      expect(read.status, missing).toBe(404);
      expect(read.body).toMatchObject({ ok: false, error: 'Entry not found.' });
    }
  });

  it('an edit is stored and retrained: the next question is answered from it; restoring brings the document’s text back', async () => {
    const id = `${hoursDoc}#0`;
    expect(await ask('When are you open?')).toMatchObject({ kind: 'answer', answer: 'Monday to Saturday, 9am to 6pm.' });

    const edited = await api.call('PATCH', entryUrl(id), { key: shop.key, body: { answer: '  Every day, 8am to 8pm — Sundays included.  ' } });
    expect(edited.status).toBe(200);
    expect(edited.body.entry).toMatchObject({
      id,
      question: 'What are your opening hours?',
      answer: 'Every day, 8am to 8pm — Sundays included.',
      edited: true,
    });
    expect(edited.body.training).toMatchObject({ trainedAt: expect.any(String), documents: 2 });
    expect(await ask('When are you open?')).toMatchObject({ kind: 'answer', answer: 'Every day, 8am to 8pm — Sundays included.' });

    // Its question and phrasings too: a new way of asking finds it, the rest is kept.
    const rephrased = await api.call('PATCH', entryUrl(id), {
      key: shop.key,
      body: { question: 'Opening times', phrasings: ['When are you open?', 'Is the shop open at weekends?', 'when are you OPEN'] },
    });
    expect(rephrased.body.entry).toMatchObject({
      question: 'Opening times',
      phrasings: ['When are you open?', 'Is the shop open at weekends?'],
      answer: 'Every day, 8am to 8pm — Sundays included.',
      edited: true,
    });
    expect(await ask('is the shop open at weekends?')).toMatchObject({ kind: 'answer', answer: 'Every day, 8am to 8pm — Sundays included.' });
    expect((await entries(`?documentId=${hoursDoc}`)).body.entries[0]).toEqual((await api.call('GET', entryUrl(id), { key: shop.key })).body.entry);

    const restored = await api.call('DELETE', `${entryUrl(id)}/edit`, { key: shop.key });
    expect(restored.status).toBe(200);
    expect(restored.body.entry).toMatchObject({
      question: 'What are your opening hours?',
      phrasings: ['When are you open?'],
      answer: 'Monday to Saturday, 9am to 6pm.',
      edited: false,
    });
    expect(await ask('When are you open?')).toMatchObject({ kind: 'answer', answer: 'Monday to Saturday, 9am to 6pm.' });
    // Restoring what is not edited changes nothing.
    expect((await api.call('DELETE', `${entryUrl(id)}/edit`, { key: shop.key })).body).toMatchObject({ ok: true, entry: { edited: false }, training: null });
  });

  it('an edit back to the document’s own text is no edit', async () => {
    const id = `${faqDoc}#0`;
    await api.call('PATCH', entryUrl(id), { key: shop.key, body: { answer: 'Yes: city bikes $8 an hour.' } });
    const back = await api.call('PATCH', entryUrl(id), { key: shop.key, body: { answer: 'Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' } });
    expect(back.body.entry).toMatchObject({ edited: false });
    expect(await api.ctx.db.selectFrom('knowledge_entry_edits').selectAll().execute()).toEqual([]);
  });

  it('refuses an edit that says nothing or too much with a sentence, and an unknown entry with 404', async () => {
    const url = entryUrl(`${faqDoc}#0`);
    for (const body of [
      {},
      { answer: '   ' },
      { question: '' },
      { phrasings: 'one phrasing' },
      { phrasings: ['ok', ''] },
      { answer: 'x'.repeat(20_001) },
      { colour: 'red' },
    ]) {
      const refused = await api.call('PATCH', url, { key: shop.key, body });
      expect(refused.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(refused.body.ok).toBe(false);
      expect(refused.body.error).toMatch(/\w+ \w+/);
      expect(refused.text).not.toMatch(/stack|at \//);
    }
    expect((await api.call('PATCH', entryUrl(`${faqDoc}#9`), { key: shop.key, body: { answer: 'Yes.' } })).status).toBe(404);
    expect((await entries()).body.entries.every((e: { edited: boolean }) => !e.edited)).toBe(true);
  });

  it('a learned phrasing is listed with its entry, searched, and removed', async () => {
    const id = `${faqDoc}#0`;
    expect(await learnFromPick(api.ctx, shop.id, id, 'can I hire a tandem for the weekend?')).toBe(true);
    await api.call('POST', `/api/organizations/${shop.id}/train`, { key: shop.key });
    const [learned] = (await api.call('GET', entryUrl(id), { key: shop.key })).body.entry.learnedPhrasings;
    expect(learned).toEqual({ id: expect.any(String), phrasing: 'can I hire a tandem for the weekend?', createdAt: expect.any(String) });
    expect(await ask('can I hire a tandem for the weekend?')).toMatchObject({ kind: 'answer', answer: expect.stringContaining('city bikes cost $8') });

    // Only through its own entry.
    expect((await api.call('DELETE', `${entryUrl(`${faqDoc}#1`)}/learned/${learned.id}`, { key: shop.key })).status).toBe(404);
    const removed = await api.call('DELETE', `${entryUrl(id)}/learned/${learned.id}`, { key: shop.key });
    expect(removed.status).toBe(200);
    expect(removed.body.entry.learnedPhrasings).toEqual([]);
    expect(removed.body.training).toMatchObject({ trainedAt: expect.any(String) });
    expect(await ask('can I hire a tandem for the weekend?')).not.toMatchObject({ kind: 'answer', answer: expect.stringContaining('city bikes cost $8') });
    const again = await api.call('DELETE', `${entryUrl(id)}/learned/${learned.id}`, { key: shop.key });
    expect(again.status).toBe(404);
    expect(again.body.error).toBe('Learned phrasing not found.');
  });
});

describe('another organization', () => {
  it('never finds, edits, restores or forgets the shop’s entries', async () => {
    const other = await api.organizationWithKey('Other Shop');
    const id = `${faqDoc}#0`;
    await learnFromPick(api.ctx, shop.id, id, 'can I hire a tandem for the weekend?');
    const [learned] = (await api.call('GET', entryUrl(id), { key: shop.key })).body.entry.learnedPhrasings;

    // Its own organization's path, the shop's entry id.
    const asOther = { key: other.key };
    expect((await api.call('GET', entryUrl(id, other), asOther)).status).toBe(404);
    expect((await api.call('PATCH', entryUrl(id, other), { ...asOther, body: { answer: 'Hijacked.' } })).status).toBe(404);
    expect((await api.call('DELETE', `${entryUrl(id, other)}/edit`, asOther)).status).toBe(404);
    expect((await api.call('DELETE', `${entryUrl(id, other)}/learned/${learned.id}`, asOther)).status).toBe(404);
    expect((await entries(`?documentId=${faqDoc}`, other)).status).toBe(404);
    expect((await entries('', other)).body.entries).toEqual([]);
    // The shop's path with its own key.
    expect((await api.call('PATCH', entryUrl(id), { ...asOther, body: { answer: 'Hijacked.' } })).status).toBeGreaterThanOrEqual(403);

    const kept = (await api.call('GET', entryUrl(id), { key: shop.key })).body.entry;
    expect(kept).toMatchObject({ answer: 'Yes, city bikes cost $8 per hour and e-bikes $15 per hour.', edited: false, learnedPhrasings: [learned] });
  });
});

describe('removal', () => {
  it('edits and learned phrasings go with their document, and with their organization', async () => {
    await api.call('PATCH', entryUrl(`${faqDoc}#0`), { key: shop.key, body: { answer: 'Yes.' } });
    await api.call('PATCH', entryUrl(`${hoursDoc}#0`), { key: shop.key, body: { answer: 'Always.' } });
    await learnFromPick(api.ctx, shop.id, `${faqDoc}#1`, 'can you fix a flat tyre?');
    await learnFromPick(api.ctx, shop.id, `${hoursDoc}#0`, 'are you open on sundays?');
    const rows = async (table: 'knowledge_entry_edits' | 'knowledge_learned_phrasings') =>
      (await api.ctx.db.selectFrom(table).select('entry_id').orderBy('entry_id').execute()).map((r) => r.entry_id);

    expect((await api.call('DELETE', `/api/organizations/${shop.id}/knowledge/${faqDoc}`, { key: shop.key })).status).toBe(200);
    expect(await rows('knowledge_entry_edits')).toEqual([`${hoursDoc}#0`]);
    expect(await rows('knowledge_learned_phrasings')).toEqual([`${hoursDoc}#0`]);
    expect((await api.call('GET', entryUrl(`${faqDoc}#0`), { key: shop.key })).status).toBe(404);

    expect((await api.call('DELETE', `/api/organizations/${shop.id}`)).status).toBe(200);
    expect(await rows('knowledge_entry_edits')).toEqual([]);
    expect(await rows('knowledge_learned_phrasings')).toEqual([]);
  });
});
