// The default answerer: each organization's own passages only, the customer's words over their
// synonyms, filler ignored, intent (price, time, duration) used, answers trimmed for WhatsApp.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asksForHuman, questionIntents } from '../../../src/core/intent.js';
import {
  answerQuestion,
  inSentenceCase,
  MAX_ANSWER_CHARACTERS,
  NOT_SURE_ANSWER,
  NOT_TRAINED_ANSWER,
  OFFER_HUMAN,
} from '../../../src/services/knowledge/answers.js';
import { offeredFirst } from '../../support/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { makeTestContext } from '../../support/context.js';
import { makeOrganization } from '../../support/factories.js';

let ctx: AppContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(() => ctx.database.close());

describe('isolation between organizations', () => {
  it("never answers from another organization's knowledge, even on the same topics", async () => {
    const a = await makeOrganization(ctx, { name: 'North Cycles' });
    const b = await makeOrganization(ctx, { name: 'South Cycles' });
    const untrained = await makeOrganization(ctx, { name: 'New Shop' });
    const aDocs = [
      { title: 'Hours', content: 'Q: When are you open?\nA: North Cycles is open Monday to Friday from 7am to 3pm.' },
      { title: 'Prices', content: 'Q: How much is a tune-up?\nA: A tune-up at North Cycles costs $49.' },
      { title: 'Returns', content: 'Q: Can I return a bike?\nA: North Cycles takes returns within 14 days.' },
    ];
    const bDocs = [
      { title: 'Hours', content: 'Q: When are you open?\nA: South Cycles is open every day from noon to 10pm.' },
      { title: 'Prices', content: 'Q: How much is a tune-up?\nA: A tune-up at South Cycles costs $99.' },
      { title: 'Returns', content: 'Q: Can I return a bike?\nA: South Cycles takes returns within 60 days.' },
    ];
    await seedKnowledge(ctx, a.id, aDocs);
    await seedKnowledge(ctx, b.id, bDocs);
    const aDocumentIds = new Set((await ctx.db.selectFrom('knowledge_documents').select('id').where('organization_id', '=', a.id).execute()).map((d) => d.id));

    for (const question of ['what are your opening hours?', 'how much does a tune up cost', 'can I return my bicycle', 'south cycles prices?']) {
      const forA = await answerQuestion(ctx, a.id, question);
      const forB = await answerQuestion(ctx, b.id, question);
      expect(forA.answer, question).not.toMatch(/South|\$99|noon|60 days/);
      expect(forB.answer, question).not.toMatch(/North|\$49|7am|14 days/);
      for (const source of forA.sources) expect(aDocumentIds.has(source.documentId)).toBe(true);
      for (const source of forB.sources) expect(aDocumentIds.has(source.documentId)).toBe(false);
      const forNew = await answerQuestion(ctx, untrained.id, question);
      expect(forNew).toEqual({
        answer: `${NOT_TRAINED_ANSWER} ${OFFER_HUMAN}`,
        sources: [],
        confidence: 0,
        confident: false,
        kind: 'not-sure',
        offerHuman: true,
        untrained: true,
      });
    }
    expect((await answerQuestion(ctx, a.id, 'how much does a tune up cost')).answer).toBe('A tune-up at North Cycles costs $49.');
    expect((await answerQuestion(ctx, b.id, 'how much does a tune up cost')).answer).toBe('A tune-up at South Cycles costs $99.');
  });
});

describe('retrieval', () => {
  const shop = [
    '# Service',
    'Our full service covers brakes, gears and wheels, and we test ride every bike afterwards.',
    '',
    'A full service costs $140, parts extra.',
    '',
    '# Opening',
    'We take service bookings Monday to Friday, 9am to 5pm.',
    '',
    '# Turnaround',
    'A full service usually takes 3 days.',
    '',
    '# Mending',
    'We mend punctures while you wait.',
    '',
    '# Repairs',
    'Frame repair is done by our partner welder.',
  ].join('\n');

  let orgId: string;
  beforeEach(async () => {
    orgId = (await makeOrganization(ctx)).id;
    await seedKnowledge(ctx, orgId, [{ title: 'Workshop', content: shop }]);
  });

  it('uses the intent of the question: how much → a price, when → hours, how long → a duration', async () => {
    const first = async (question: string) => offeredFirst(ctx, orgId, await answerQuestion(ctx, orgId, question));
    // The price sits in the service section's passage, beside what the service covers.
    expect(await first('how much is a full service?')).toContain('A full service costs $140, parts extra.');
    expect(await first('when can I book a full service?')).toBe('We take service bookings Monday to Friday, 9am to 5pm.');
    expect(await first('how long does a full service take?')).toBe('A full service usually takes 3 days.');
  });

  it("weighs the customer's own word above its synonyms, and still finds a synonym alone", async () => {
    // "mend" is the shop's word in one passage, "repair" (its WordNet synonym) in another.
    const first = async (question: string) => offeredFirst(ctx, orgId, await answerQuestion(ctx, orgId, question));
    expect(await first('can you mend it?')).toBe('We mend punctures while you wait.');
    expect(await first('can you repair it?')).toBe('Frame repair is done by our partner welder.');
    // "puncture" appears only as "punctures", and "fix" only through WordNet ("fix" → "mend"): the
    // words find the mending entry; meaning puts "Repairs" near too, so both may be offered.
    const fix = await answerQuestion(ctx, orgId, 'do you fix punctured tyres?');
    expect(fix.kind === 'answer' ? [fix.answer] : (fix.choices ?? []).map((c) => c.title)).toContain(
      fix.kind === 'answer' ? 'We mend punctures while you wait.' : 'Mending',
    );
  });

  it('ignores filler words: a greeting with nothing asked is not a question it can answer', async () => {
    const hello = await answerQuestion(ctx, orgId, 'hey hi hello, can u please tell me?');
    expect(hello).toMatchObject({ confident: false, kind: 'not-sure', answer: `${NOT_SURE_ANSWER} ${OFFER_HUMAN}`, sources: [] });
    const padded = await answerQuestion(ctx, orgId, 'hey there!! so um I was wondering, how much is a full service please?');
    expect(padded.confident).toBe(true);
    expect(padded.answer).toContain('A full service costs $140');
  });

  it('is not sure about what the knowledge base does not cover', async () => {
    const answer = await answerQuestion(ctx, orgId, 'do you sell pizza?');
    expect(answer.confident).toBe(false);
    expect(answer.confidence).toBeGreaterThanOrEqual(0);
    expect(answer.confidence).toBeLessThan(0.35);
  });

  it('trims a long passage to whole sentences within one WhatsApp message', async () => {
    const longOrg = await makeOrganization(ctx);
    const sentences = Array.from({ length: 60 }, (_, i) => `Our warranty clause ${i + 1} applies to frames and forks.`);
    await seedKnowledge(ctx, longOrg.id, [{ title: 'Warranty', content: `Q: What does the warranty cover?\nA: ${sentences.join(' ')}` }]);
    const answer = await answerQuestion(ctx, longOrg.id, 'what does the warranty cover?');
    expect(answer.confident).toBe(true);
    expect(answer.answer.length).toBeLessThanOrEqual(MAX_ANSWER_CHARACTERS);
    expect(answer.answer.startsWith('Our warranty clause 1 applies')).toBe(true);
    expect(answer.answer.endsWith('frames and forks.')).toBe(true);
  });

  it('takes the passages of the latest training only', async () => {
    await seedKnowledge(ctx, orgId, [{ title: 'Parking', content: 'Park for free behind the shop.' }]);
    expect((await answerQuestion(ctx, orgId, 'where can I park?')).answer).toBe('Park for free behind the shop.');
  });
});

describe('reading a question', () => {
  it('tells price, time and duration questions apart, and "when" in mid-sentence is no time question', () => {
    expect(questionIntents('How much is a tune-up?')).toEqual(['price']);
    expect(questionIntents('so when are you open')).toEqual(['time']);
    expect(questionIntents('how long does a service take')).toEqual(['duration']);
    expect(questionIntents('do I need a helmet when I rent a bike')).toEqual([]);
  });

  it('recognises a request for a person, and only that', () => {
    for (const text of ['human', 'HUMAN!', 'agent', 'talk to a human', 'can I speak with a real person please', 'connect me to an agent']) {
      expect(asksForHuman(text), text).toBe(true);
    }
    for (const text of ['is the human resources office open?', 'do agents earn commission', 'how much is a tune-up']) {
      expect(asksForHuman(text), text).toBe(false);
    }
  });
});

describe('messages typed in capitals', () => {
  it('are read by meaning as a sentence, and other messages as they are', () => {
    expect(inSentenceCase('ARE YOU OPEN TODAY')).toBe('Are you open today');
    expect(inSentenceCase('Are You Open Today?')).toBe('Are you open today?');
    for (const text of ['are you open today', 'Do you service BMW and VW cars?', 'OK', 'Hi Ana']) expect(inSentenceCase(text)).toBe(text);
  });
});
