// How often a customer's own words reach the right passage. The questions in
// fixtures/knowledge/questions.json paraphrase the knowledge base (synonyms, other word forms,
// casual phrasing); each names a phrase of the passage that answers it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFromFile } from '../../src/core/documents.js';
import { answerQuestion } from '../../src/services/answers.js';
import type { AppContext } from '../../src/services/context.js';
import { seedKnowledge } from '../../src/services/knowledge.js';
import { createOrganization } from '../../src/services/organizations.js';
import { makeTestContext } from '../support/context.js';

const fixture = (name: string) => new URL(`../fixtures/knowledge/${name}`, import.meta.url);
const questions = JSON.parse(readFileSync(fixture('questions.json'), 'utf8')) as { question: string; expect: string }[];

/**
 * The share of paraphrased questions answered confidently from the right passage. The product's
 * target is 85%; the retrieval answerer reaches 28 of 44 (64%) today, so this holds that floor
 * against regressions. It reached 29 before confidence started doubting close runners-up, which
 * cut confidently wrong answers from 12 to 9: a wrong answer misleads, "not sure" offers a person.
 */
const REQUIRED_SHARE = 0.63;
/** Confidently wrong answers allowed, at most (9 of 44 today); lower it as answers improve. */
const MAX_CONFIDENTLY_WRONG = 9;

let ctx: AppContext;
let organizationId: string;

beforeAll(async () => {
  ctx = await makeTestContext();
  organizationId = (await createOrganization(ctx, { name: 'Spoke & Sprocket Cycles' })).id;
  await seedKnowledge(ctx, organizationId, [
    documentFromFile('bike-shop-faq.csv', readFileSync(fixture('bike-shop-faq.csv'))),
    documentFromFile('bike-shop.md', readFileSync(fixture('bike-shop.md'))),
  ]);
});
afterAll(() => ctx.database.close());

describe('answer quality on a bike shop knowledge base', () => {
  it('has at least 40 paraphrased questions, each labelled with a passage that exists', async () => {
    expect(questions.length).toBeGreaterThanOrEqual(40);
    const kb = readFileSync(fixture('bike-shop-faq.csv'), 'utf8') + readFileSync(fixture('bike-shop.md'), 'utf8');
    for (const q of questions) expect(kb, q.expect).toContain(q.expect);
  });

  it(`answers at least ${Math.round(REQUIRED_SHARE * 100)}% of them from the right passage, confidently`, async () => {
    const misses: string[] = [];
    let wrongButSure = 0;
    for (const q of questions) {
      const answer = await answerQuestion(ctx, organizationId, q.question);
      if (!answer.confident || !answer.answer.includes(q.expect)) {
        if (answer.confident) wrongButSure++;
        misses.push(`${q.question} → ${answer.confident ? answer.answer.slice(0, 60) : `not sure (${answer.confidence})`}`);
      }
    }
    const share = (questions.length - misses.length) / questions.length;
    console.info(
      `answer quality: ${questions.length - misses.length}/${questions.length} = ${(share * 100).toFixed(1)}% right, ` +
        `${wrongButSure} confidently wrong, ${misses.length - wrongButSure} not sure\n  missed: ${misses.join('\n  missed: ')}`,
    );
    expect(share).toBeGreaterThanOrEqual(REQUIRED_SHARE);
    expect(wrongButSure).toBeLessThanOrEqual(MAX_CONFIDENTLY_WRONG);
  });

  it('is not sure about questions the knowledge base does not cover', async () => {
    const offTopic = [
      'what is the weather tomorrow',
      'do you sell pizza',
      'can you recommend a good dentist',
      'who won the football match last night',
      'do you repair washing machines',
      'what is the capital of australia',
    ];
    const sure: string[] = [];
    for (const question of offTopic) {
      const answer = await answerQuestion(ctx, organizationId, question);
      if (answer.confident) sure.push(`${question} (${answer.confidence}): ${answer.answer.slice(0, 50)}`);
    }
    expect(sure).toEqual([]);
  });
});
