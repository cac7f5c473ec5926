// EMBEDDINGS_BASE_URL: an OpenAI-compatible embeddings endpoint gives the sentence vectors, tested
// against a local fake — what it is sent, batches of 64, its vectors read by `index` and made unit
// length — and the fall back to the built-in encoder when it fails or does not answer in time.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { answerQuestion } from '../../../src/services/knowledge/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { EMBEDDINGS_BATCH, remoteEncoder } from '../../../src/services/knowledge/meaning/remote-encoder.js';
import { knowledgeIndex, seedKnowledge } from '../../../src/services/knowledge/training.js';
import { FAKE_DIMENSIONS, type FakeEmbeddings, fakeEmbedding, startFakeEmbeddings } from '../../fakes/embeddings.js';
import { makeTestContext } from '../../support/context.js';
import { makeOrganization } from '../../support/factories.js';

const KNOWLEDGE = [
  { title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour and e-bikes $15 per hour.' },
  { title: 'Hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
  { title: 'Repairs', content: 'Q: Do you repair bikes?\nA: Our workshop repairs any bike, usually within two days.' },
];

let embeddings: FakeEmbeddings;
let ctx: AppContext;
let warnings: { fields: Record<string, unknown>; message: string }[];

beforeAll(async () => {
  embeddings = await startFakeEmbeddings();
});
afterAll(() => embeddings.close());

async function context(extra: Record<string, string> = {}) {
  const made = await makeTestContext({
    env: { EMBEDDINGS_BASE_URL: embeddings.baseUrl, EMBEDDINGS_API_KEY: 'sk-test-embeddings-key', EMBEDDINGS_MODEL: 'fake-embed-1', ...extra },
  });
  warnings = [];
  made.log = Object.assign(Object.create(made.log), { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) });
  return made;
}

beforeEach(async () => {
  embeddings.reset();
  embeddings.mode = 'answer';
  ctx = await context();
});
afterEach(() => ctx.database.close());

const stored = () => ctx.db.selectFrom('knowledge_indexes').select(['meaning_encoder', 'meaning_dimensions']).executeTakeFirstOrThrow();

describe('an embeddings endpoint', () => {
  it('is sent the model and the passages with the key, and its vectors answer the questions', async () => {
    const org = await makeOrganization(ctx);
    const training = await seedKnowledge(ctx, org.id, KNOWLEDGE);
    expect(training.byMeaning).toBe(true);
    expect(await stored()).toEqual({ meaning_encoder: 'embeddings:fake-embed-1', meaning_dimensions: FAKE_DIMENSIONS });
    const [request] = embeddings.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/embeddings' });
    expect(request!.headers.authorization).toBe('Bearer sk-test-embeddings-key');
    expect(request!.headers['content-type']).toContain('application/json');
    expect(request!.body).toEqual({ model: 'fake-embed-1', encoding_format: 'float', input: expect.any(Array) });
    // Each passage's question and answer (in the order the documents were stored, which the clock does not tell apart here).
    expect([...request!.body.input].sort()).toEqual(KNOWLEDGE.map(({ content }) => content.replace('Q: ', '').replace('\nA: ', ' ')).sort());

    // A question the words leave unsure is read by the same endpoint.
    embeddings.reset();
    const answer = await answerQuestion(ctx, org.id, 'workshop fixes any bicycle?');
    expect(embeddings.inputs()).toEqual([['workshop fixes any bicycle?']]);
    expect(answer.kind === 'answer' ? answer.answer : answer.choices?.[0]?.title).toMatch(/repair/);
  });

  it('gets the passages in batches of 64, reads each vector by its index and makes it unit length', async () => {
    const texts = Array.from({ length: EMBEDDINGS_BATCH + 6 }, (_, i) => `Clause ${i} covers ${i % 2 ? 'frames and forks' : 'wheels and tyres'}.`);
    const encoder = remoteEncoder(testConfig({ EMBEDDINGS_BASE_URL: embeddings.baseUrl, EMBEDDINGS_MODEL: 'fake-embed-1' }).embeddings!);
    const vectors = await encoder.embed(texts);
    expect(embeddings.inputs().map((batch) => batch.length)).toEqual([EMBEDDINGS_BATCH, 6]);
    expect(vectors).toHaveLength(texts.length);
    // The fake answers in reverse order: each vector is still its own text's.
    const expected = fakeEmbedding(texts[5]!);
    const norm = Math.hypot(...expected);
    expect([...vectors[5]!].map((v) => v.toFixed(5))).toEqual(expected.map((v) => (v / norm).toFixed(5)));
    expect(Math.hypot(...vectors[69]!)).toBeCloseTo(1, 5);
    // No key configured: no Authorization header.
    expect(embeddings.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('when the endpoint fails', () => {
  it('trains with the built-in encoder on a 500, and questions are read by the built-in one too', async () => {
    embeddings.mode = 'fail';
    const org = await makeOrganization(ctx);
    expect((await seedKnowledge(ctx, org.id, KNOWLEDGE)).byMeaning).toBe(true);
    expect(await stored()).toEqual({ meaning_encoder: 'built-in', meaning_dimensions: 512 });
    expect(warnings).toContainEqual({
      fields: expect.objectContaining({ encoder: 'embeddings:fake-embed-1', reason: 'HTTP 500' }),
      message: 'sentence vectors failed',
    });
    embeddings.reset();
    const answer = await answerQuestion(ctx, org.id, 'can your workshop fix my bicycle?');
    expect(embeddings.requests).toHaveLength(0);
    expect(answer.answer).not.toContain('not sure');
  });

  it('trains with the built-in encoder when the endpoint does not answer in time', async () => {
    await ctx.database.close();
    ctx = await context({ EMBEDDINGS_TIMEOUT_MS: '200' });
    embeddings.mode = 'hang';
    const org = await makeOrganization(ctx);
    await seedKnowledge(ctx, org.id, KNOWLEDGE);
    expect((await stored()).meaning_encoder).toBe('built-in');
    expect(warnings.map((w) => w.fields.reason)).toContain('no answer within 200 ms');
  });

  it('answers by words while the endpoint that made the index is down, and never mixes the two encoders', async () => {
    const org = await makeOrganization(ctx);
    await seedKnowledge(ctx, org.id, KNOWLEDGE);
    expect((await knowledgeIndex(ctx, org.id))?.encoder).toBe('embeddings:fake-embed-1');
    embeddings.mode = 'fail';
    const answer = await answerQuestion(ctx, org.id, 'how much to hire a bike?');
    expect(answer.answer).toBe('Yes, city bikes cost $8 per hour and e-bikes $15 per hour.');
    await answerQuestion(ctx, org.id, 'workshop fixes any bicycle?');
    expect(warnings.map((w) => w.message)).toContain('sentence encoder failed; answered by words alone');
  });
});

describe('the setting', () => {
  it('must be a URL, and names the variable when it is not', () => {
    expect(() => testConfig({ EMBEDDINGS_BASE_URL: 'not a url' })).toThrow(/EMBEDDINGS_BASE_URL/);
    expect(testConfig({ EMBEDDINGS_BASE_URL: 'http://localhost:11434/v1' }).embeddings).toMatchObject({ model: 'text-embedding-3-small', timeoutMs: 10000 });
    expect(testConfig({}).embeddings).toBeUndefined();
  });
});
