// How often a customer's own words reach the right passage. Each question set paraphrases a
// knowledge base (synonyms, other word forms, casual phrasing); each question names a phrase of
// the passage that answers it. questions.json was used while tuning the answerer; the held-out
// bike shop set and the dental clinic were written before the tuning was measured on them, so
// they show how far the method carries beyond the questions it was tuned on.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFromFile } from '../../../src/core/documents.js';
import { answerQuestion } from '../../../src/services/knowledge/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { makeTestContext } from '../../support/context.js';

interface LabelledQuestion {
  question: string;
  expect: string;
}

const fixture = (name: string) => new URL(`../../fixtures/knowledge/${name}`, import.meta.url);
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const questionsOf = (name: string) => JSON.parse(read(name)) as LabelledQuestion[];

/**
 * Each set, its knowledge base, and the floor it holds at the level reached: the share answered
 * confidently from the right passage, and the most confidently wrong answers (a wrong answer
 * misleads; "not sure" offers a person). The product's target is 85%; not met. By words alone
 * (stems, WordNet, intent): tuning set 30/44 (9 wrong), held out 26/45 (7 wrong), dental 7/22
 * (2 wrong), yoga 7/42 (5 wrong), garage 7/40 (5 wrong). With meaning (sentence vectors) fused
 * in when the words are unsure: the figures below. The yoga studio and the garage were written
 * by someone who had not seen the answerer, and were not tuned on.
 */
const SETS = [
  { name: 'bike shop, tuning set', business: 'bike', questions: 'questions.json', requiredShare: 0.72, maxConfidentlyWrong: 6 },
  { name: 'bike shop, held out', business: 'bike', questions: 'questions-heldout.json', requiredShare: 0.64, maxConfidentlyWrong: 3 },
  { name: 'dental clinic, held out', business: 'dental', questions: 'dental-questions.json', requiredShare: 0.36, maxConfidentlyWrong: 2 },
  { name: 'yoga studio, blind', business: 'yoga', questions: 'yoga-questions.json', requiredShare: 0.4, maxConfidentlyWrong: 10 },
  { name: 'garage, blind', business: 'garage', questions: 'garage-questions.json', requiredShare: 0.3, maxConfidentlyWrong: 8 },
] as const;

const KNOWLEDGE = {
  bike: { organization: 'Spoke & Sprocket Cycles', files: ['bike-shop-faq.csv', 'bike-shop.md'] },
  dental: { organization: 'Brightside Dental', files: ['dental-clinic-faq.csv'] },
  yoga: { organization: 'Still Water Studio', files: ['yoga-studio-faq.csv'] },
  garage: { organization: 'Northgate Motors', files: ['garage-faq.csv'] },
} as const;

let ctx: AppContext;
const organizations = new Map<string, string>();

beforeAll(async () => {
  ctx = await makeTestContext();
  for (const [business, { organization, files }] of Object.entries(KNOWLEDGE)) {
    const id = (await createOrganization(ctx, { name: organization })).id;
    await seedKnowledge(
      ctx,
      id,
      files.map((file) => documentFromFile(file, readFileSync(fixture(file)))),
    );
    organizations.set(business, id);
  }
});
afterAll(() => ctx.database.close());

async function notSureAbout(business: string, questions: string[]): Promise<string[]> {
  const sure: string[] = [];
  for (const question of questions) {
    const answer = await answerQuestion(ctx, organizations.get(business)!, question);
    if (answer.confident) sure.push(`${question} (${answer.confidence}): ${answer.answer.slice(0, 50)}`);
  }
  return sure;
}

describe.each(SETS)('answer quality: $name', (set) => {
  const questions = questionsOf(set.questions);

  it('has at least 20 paraphrased questions, each labelled with a passage that exists', () => {
    expect(questions.length).toBeGreaterThanOrEqual(20);
    const kb = KNOWLEDGE[set.business].files.map(read).join('\n');
    for (const q of questions) expect(kb, q.expect).toContain(q.expect);
  });

  it(`answers at least ${Math.round(set.requiredShare * 100)}% from the right passage, confidently`, async () => {
    const misses: string[] = [];
    let wrongButSure = 0;
    for (const q of questions) {
      const answer = await answerQuestion(ctx, organizations.get(set.business)!, q.question);
      if (!answer.confident || !answer.answer.includes(q.expect)) {
        if (answer.confident) wrongButSure++;
        misses.push(`${q.question} → ${answer.confident ? answer.answer.slice(0, 60) : `not sure (${answer.confidence})`}`);
      }
    }
    const share = (questions.length - misses.length) / questions.length;
    console.info(
      `answer quality (${set.name}): ${questions.length - misses.length}/${questions.length} = ${(share * 100).toFixed(1)}% right, ` +
        `${wrongButSure} confidently wrong, ${misses.length - wrongButSure} not sure\n  missed: ${misses.join('\n  missed: ')}`,
    );
    expect(share).toBeGreaterThanOrEqual(set.requiredShare);
    expect(wrongButSure).toBeLessThanOrEqual(set.maxConfidentlyWrong);
  });
});

describe('questions the knowledge base does not cover', () => {
  it('leave the bike shop not sure, but for two known slips', async () => {
    const offTopic = [
      'what is the weather tomorrow',
      'do you sell pizza',
      'can you recommend a good dentist',
      'who won the football match last night',
      'do you repair washing machines',
      'what is the capital of australia',
    ];
    // Known misses, by meaning: "sell pizza" is near "sell gift cards", and a capital city near
    // "where are you located".
    expect((await notSureAbout('bike', offTopic)).map((sure) => sure.slice(0, sure.indexOf(' (')))).toEqual([
      'do you sell pizza',
      'what is the capital of australia',
    ]);
  });

  it('leave the dental clinic not sure, but for one known slip', async () => {
    const offTopic = ['do you fix bikes', 'what is the weather tomorrow', 'can I book a haircut', 'do you sell pizza', 'who won the match last night'];
    // Known miss: "fix" meets "fixed braces" (the same stem, another meaning), and the answer is sure.
    expect((await notSureAbout('dental', offTopic)).map((sure) => sure.slice(0, sure.indexOf(' (')))).toEqual(['do you fix bikes']);
  });
});
