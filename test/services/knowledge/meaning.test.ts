// Answering by meaning: the real sentence encoder (its own worker thread), vectors stored with the
// trained index, asked only when the words leave doubt, and the words' answer when it fails.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentFromFile } from '../../../src/core/documents.js';
import { answerQuestion } from '../../../src/services/knowledge/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { sharedSentenceEncoder, type SentenceEncoder } from '../../../src/services/knowledge/meaning/encoder.js';
import { makeTestContext } from '../../support/context.js';
import { offeredFirst } from '../../support/answers.js';
import { makeOrganization } from '../../support/factories.js';
import { waitFor } from '../../support/wait.js';

const studio = () => {
  const file = 'yoga-studio-faq.csv';
  return [documentFromFile(file, readFileSync(new URL(`../../fixtures/knowledge/${file}`, import.meta.url)))];
};
/** Words alone are not sure of this one ("turn up in", "leggings"); its meaning is "what should I wear". */
const WEAR_QUESTION = 'what should i turn up in? are leggings ok and do i need anything with me';

/** The shared encoder, counting the texts it is given. */
function countingEncoder(): SentenceEncoder & { texts: string[] } {
  const texts: string[] = [];
  return {
    name: sharedSentenceEncoder(60_000).name,
    texts,
    embed: (batch) => {
      texts.push(...batch);
      return sharedSentenceEncoder(60_000).embed(batch);
    },
  };
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

let ctx: AppContext;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(() => ctx.database.close());

describe('the sentence encoder', () => {
  it('places a paraphrase nearer than a sentence on another topic, in unit vectors', async () => {
    const [question, paraphrase, other] = await sharedSentenceEncoder(60_000).embed([
      'can my mate tag along with me',
      'Can I bring a friend to class?',
      'How much does a monthly membership cost?',
    ]);
    expect(question).toHaveLength(512);
    expect(Math.hypot(...question!)).toBeCloseTo(1, 3);
    expect(cosine(question!, paraphrase!)).toBeGreaterThan(cosine(question!, other!) + 0.2);
  });

  it('answers many texts in order, across batches', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => (i % 2 ? 'Where can I park my car?' : `Clause ${i} of the warranty`));
    const vectors = await sharedSentenceEncoder(60_000).embed(texts);
    expect(vectors).toHaveLength(70);
    expect(cosine(vectors[1]!, vectors[69]!)).toBeCloseTo(1, 5);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.9);
  });
});

describe('answering by meaning', () => {
  it('answers a paraphrase the words alone leave unsure', async () => {
    const org = await makeOrganization(ctx);
    await seedKnowledge(ctx, org.id, studio());
    // Offered first (its meaning is near; no word is shared, so not asserted alone).
    expect(await offeredFirst(ctx, org.id, await answerQuestion(ctx, org.id, WEAR_QUESTION))).toContain('Wear comfortable, stretchy clothing');

    const wordsOnly = await makeTestContext({ env: { ANSWER_BY_MEANING: 'off' } });
    try {
      expect(wordsOnly.sentences).toBeUndefined();
      const same = await makeOrganization(wordsOnly);
      await seedKnowledge(wordsOnly, same.id, studio());
      expect((await answerQuestion(wordsOnly, same.id, WEAR_QUESTION)).kind).toBe('not-sure');
    } finally {
      await wordsOnly.database.close();
    }
  });

  it('stores a vector per passage when training, so a restart embeds only the questions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-meaning-'));
    try {
      const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
      const first = await makeTestContext({ databaseUrl });
      const org = await makeOrganization(first);
      const training = await seedKnowledge(first, org.id, studio());
      const row = await first.db.selectFrom('knowledge_indexes').select(['meaning_vectors', 'meaning_dimensions']).executeTakeFirstOrThrow();
      expect(training.byMeaning).toBe(true);
      expect(row.meaning_dimensions).toBe(512);
      expect(Buffer.from(row.meaning_vectors!, 'base64').length).toBe(training.chunks * 512);
      await first.database.close();

      const second = await makeTestContext({ databaseUrl });
      const counting = countingEncoder();
      second.sentences = counting;
      const answer = await answerQuestion(second, org.id, WEAR_QUESTION);
      expect(await offeredFirst(second, org.id, answer)).toContain('Wear comfortable, stretchy clothing');
      expect(counting.texts).toEqual([WEAR_QUESTION]);
      await second.database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds vectors to an index trained without them, in the background and without retraining', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-meaning-'));
    try {
      const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
      const before = await makeTestContext({ databaseUrl, env: { ANSWER_BY_MEANING: 'off' } });
      const org = await makeOrganization(before);
      const { trainedAt } = await seedKnowledge(before, org.id, studio());
      await before.database.close();

      const after = await makeTestContext({ databaseUrl });
      // The first answer comes by words at once; the vectors follow.
      expect((await answerQuestion(after, org.id, WEAR_QUESTION)).kind).toBe('not-sure');
      const row = () => after.db.selectFrom('knowledge_indexes').select(['meaning_vectors', 'trained_at']).executeTakeFirstOrThrow();
      await waitFor(async () => (await row()).meaning_vectors !== null);
      expect((await row()).trained_at).toBe(trainedAt);
      const answer = await answerQuestion(after, org.id, WEAR_QUESTION);
      expect(await offeredFirst(after, org.id, answer)).toContain('Wear comfortable, stretchy clothing');
      await after.database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not ask the encoder when the words leave no doubt', async () => {
    const org = await makeOrganization(ctx);
    await seedKnowledge(ctx, org.id, studio());
    const counting = countingEncoder();
    ctx.sentences = counting;
    const answer = await answerQuestion(ctx, org.id, 'Can I rent a yoga mat?');
    expect(answer).toMatchObject({ confident: true });
    expect(answer.answer).toContain('Mat hire is $3');
    expect(counting.texts).toEqual([]);
  });

  it('answers by words, and says why in the log, when the encoder fails', async () => {
    const warnings: string[] = [];
    const failing: SentenceEncoder = { name: sharedSentenceEncoder(60_000).name, embed: () => Promise.reject(new Error('model file unreadable')) };
    const org = await makeOrganization(ctx);
    await seedKnowledge(ctx, org.id, studio());
    ctx.sentences = failing;
    ctx.log = Object.assign(Object.create(ctx.log), { warn: (_: unknown, message: string) => warnings.push(message) });
    const answer = await answerQuestion(ctx, org.id, 'can i borrow a mat when i get there');
    expect(answer.answer).toContain('Mat hire is $3');
    expect(warnings).toEqual(['sentence encoder failed; answered by words alone']);

    // Training without the encoder stores no vectors, and the index still answers by words.
    expect((await seedKnowledge(ctx, org.id, [{ title: 'Towels', content: 'Towels are $2 to hire at the desk.' }])).byMeaning).toBe(false);
    const row = await ctx.db.selectFrom('knowledge_indexes').select('meaning_vectors').executeTakeFirstOrThrow();
    expect(row.meaning_vectors).toBeNull();
    expect(warnings).toContain('no sentence vectors; the index matches by words only');
    expect((await answerQuestion(ctx, org.id, 'how much are towels')).answer).toContain('Towels are $2');
  });
});
