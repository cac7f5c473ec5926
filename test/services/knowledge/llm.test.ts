// LLM mode against a local OpenAI-compatible fake: what the model is sent (model, passages,
// instructions, recent turns), which plans use it, and the fall back to retrieval on a 500 or a
// timeout.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerQuestion } from '../../../src/services/knowledge/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { startFakeLlm, type FakeLlm } from '../../fakes/llm.js';
import { makeTestContext } from '../../support/context.js';
import { makeOrganization } from '../../support/factories.js';

const RENTALS = 'Q: Do you rent bikes?\nA: City bikes cost $8 per hour and e-bikes $15 per hour.';
const RETRIEVAL_ANSWER = 'City bikes cost $8 per hour and e-bikes $15 per hour.';

let llm: FakeLlm;
let ctx: AppContext;

beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(() => llm.close());

beforeEach(async () => {
  llm.reset();
  llm.mode = { kind: 'answer', text: 'Sure! City bikes are $8 an hour.' };
  ctx = await contextWithTimeout(20000);
});
afterEach(() => ctx.database.close());

/** A generous timeout for answers that do come, so a slow machine never fails a test. */
function contextWithTimeout(ms: number) {
  return makeTestContext({ env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'shop-model-1', LLM_API_KEY: 'sk-test-llm-key', LLM_TIMEOUT_MS: String(ms) } });
}

async function organization(plan: string) {
  const org = await makeOrganization(ctx, { plan, name: 'Harbour Bikes', instructions: 'Always answer in a cheerful tone and sign as Harbour Bikes.' });
  await seedKnowledge(ctx, org.id, [
    { title: 'Rentals', content: RENTALS },
    { title: 'Hours', content: 'Q: When are you open?\nA: Monday to Saturday, 9am to 6pm.' },
  ]);
  return org;
}

describe('LLM answers', () => {
  it('sends the passages, the instructions and the recent turns to the model, and answers with its text', async () => {
    const org = await organization('business');
    const answer = await answerQuestion(ctx, org.id, 'how much to hire a bike?', {
      history: [
        { role: 'user', text: 'hello' },
        { role: 'assistant', text: 'Hi! How can I help?' },
      ],
    });
    expect(answer).toMatchObject({ answer: 'Sure! City bikes are $8 an hour.', confident: true });
    expect(answer.sources[0]).toMatchObject({ title: 'Do you rent bikes?' });

    expect(llm.requests).toHaveLength(1);
    const request = llm.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test-llm-key');
    const body = request.body as { model: string; messages: { role: string; content: string }[] };
    expect(body.model).toBe('shop-model-1');
    const [system, ...turns] = body.messages;
    expect(system!.role).toBe('system');
    expect(system!.content).toContain(RETRIEVAL_ANSWER);
    expect(system!.content).toContain('Always answer in a cheerful tone and sign as Harbour Bikes.');
    expect(turns).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Hi! How can I help?' },
      { role: 'user', content: 'how much to hire a bike?' },
    ]);
  });

  it('keeps retrieval for plans without LLM answers: the model is never called', async () => {
    const org = await organization('starter');
    const answer = await answerQuestion(ctx, org.id, 'how much to hire a bike?');
    expect(answer.answer).toBe(RETRIEVAL_ANSWER);
    expect(llm.requests).toHaveLength(0);
  });

  it('falls back to the retrieval answer when the model answers 500', async () => {
    const org = await organization('business');
    llm.mode = { kind: 'fail' };
    const answer = await answerQuestion(ctx, org.id, 'how much to hire a bike?');
    expect(answer).toMatchObject({ answer: RETRIEVAL_ANSWER, confident: true });
    expect(llm.requests).toHaveLength(1);
  });

  it('falls back to the retrieval answer when the model does not answer within the timeout', async () => {
    // The fake never answers, so the outcome does not depend on how fast this machine is.
    await ctx.database.close();
    ctx = await contextWithTimeout(200);
    const org = await organization('business');
    llm.mode = { kind: 'hang' };
    const answer = await answerQuestion(ctx, org.id, 'how much to hire a bike?');
    expect(answer).toMatchObject({ answer: RETRIEVAL_ANSWER, confident: true });
    expect(llm.requests).toHaveLength(1);
  });

  it('falls back when the model answers with nothing', async () => {
    const org = await organization('business');
    llm.mode = { kind: 'answer', text: '   ' };
    expect((await answerQuestion(ctx, org.id, 'how much to hire a bike?')).answer).toBe(RETRIEVAL_ANSWER);
  });
});
