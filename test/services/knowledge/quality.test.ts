// How often a customer's own words reach the right passage. Each question set paraphrases a
// knowledge base (synonyms, other word forms, casual phrasing); each question names a phrase of
// the passage that answers it, or `expect: null` for a question the knowledge base does not
// answer. questions.json was used while tuning the answerer; the held-out bike shop set and the
// dental clinic were written before the tuning was measured on them; the yoga studio and the
// garage were written blind and then tuned on; the pet salon and the cinema were written blind
// (by someone given only the FAQ format) and were never tuned on — only their totals were read.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFromFile } from '../../../src/core/documents.js';
import { type Answer, answerFromChoice, answerQuestion } from '../../../src/services/knowledge/answers.js';
import type { AppContext } from '../../../src/services/context.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { makeTestContext } from '../../support/context.js';

interface LabelledQuestion {
  question: string;
  /** a phrase of the passage that answers it; null when nothing in the knowledge base does */
  expect: string | null;
}

const fixture = (name: string) => new URL(`../../fixtures/knowledge/${name}`, import.meta.url);
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const questionsOf = (name: string) => JSON.parse(read(name)) as LabelledQuestion[];

/**
 * Each set, its knowledge base, and the floors it holds at the level reached. Right = answered
 * from the right passage, or the right passage among the choices offered (before choices, only
 * the first counted: the floors of the first five sets were 72, 64, 36, 40 and 30% of that, with
 * at most 6, 3, 2, 10 and 8 confidently wrong), or
 * — for a question the knowledge base does not answer — "not sure". Confidently wrong = one answer
 * given, from a wrong passage (or to a question nothing answers): it misleads, while "not sure"
 * and choices offer a person.
 */
const SETS = [
  { name: 'bike shop, tuning set', business: 'bike', questions: 'questions.json', requiredShare: 0.88, maxConfidentlyWrong: 1 },
  { name: 'bike shop, held out', business: 'bike', questions: 'questions-heldout.json', requiredShare: 0.86, maxConfidentlyWrong: 1 },
  { name: 'dental clinic, held out', business: 'dental', questions: 'dental-questions.json', requiredShare: 0.4, maxConfidentlyWrong: 1 },
  { name: 'yoga studio', business: 'yoga', questions: 'yoga-questions.json', requiredShare: 0.59, maxConfidentlyWrong: 2 },
  { name: 'garage', business: 'garage', questions: 'garage-questions.json', requiredShare: 0.52, maxConfidentlyWrong: 2 },
  { name: 'pet salon, blind', business: 'pets', questions: 'pet-salon-questions.json', requiredShare: 0.8, maxConfidentlyWrong: 1 },
  { name: 'cinema, blind', business: 'cinema', questions: 'cinema-questions.json', requiredShare: 0.75, maxConfidentlyWrong: 2 },
] as const;

const KNOWLEDGE = {
  bike: { organization: 'Spoke & Sprocket Cycles', files: ['bike-shop-faq.csv', 'bike-shop.md'] },
  dental: { organization: 'Brightside Dental', files: ['dental-clinic-faq.csv'] },
  yoga: { organization: 'Still Water Studio', files: ['yoga-studio-faq.csv'] },
  garage: { organization: 'Northgate Motors', files: ['garage-faq.csv'] },
  pets: { organization: 'Pet Salon', files: ['pet-salon-faq.csv'] },
  cinema: { organization: 'The Lantern Picturehouse', files: ['cinema-faq.csv'] },
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

type Outcome = 'right first' | 'right within choices' | 'confidently wrong' | 'not sure' | 'choices, none right';

/** What the customer got, against what the question expects. */
async function outcomeOf(organizationId: string, q: LabelledQuestion, answer: Answer): Promise<Outcome> {
  if (answer.kind === 'answer') return q.expect !== null && answer.answer.includes(q.expect) ? 'right first' : 'confidently wrong';
  if (answer.kind === 'choices') {
    if (q.expect === null) return 'choices, none right';
    for (const choice of answer.choices ?? []) {
      // What picking it answers: the same path as a customer's "1" or "2".
      if ((await answerFromChoice(ctx, organizationId, choice.id)).answer.includes(q.expect)) return 'right within choices';
    }
    return 'choices, none right';
  }
  return 'not sure';
}

async function measure(business: string, questions: LabelledQuestion[]) {
  const organizationId = organizations.get(business)!;
  const counts: Record<Outcome, number> = { 'right first': 0, 'right within choices': 0, 'confidently wrong': 0, 'not sure': 0, 'choices, none right': 0 };
  let offTopicNotSure = 0;
  let offTopicChoices = 0;
  const misses: string[] = [];
  for (const q of questions) {
    const answer = await answerQuestion(ctx, organizationId, q.question);
    const outcome = await outcomeOf(organizationId, q, answer);
    counts[outcome]++;
    if (q.expect === null && outcome === 'not sure') offTopicNotSure++;
    if (q.expect === null && outcome === 'choices, none right') offTopicChoices++;
    else if (q.expect === null || !outcome.startsWith('right')) misses.push(`${q.question} → ${outcome} (${answer.confidence})`);
  }
  const right = counts['right first'] + counts['right within choices'] + offTopicNotSure;
  return { counts, right, offTopicNotSure, offTopicChoices, offTopic: questions.filter((q) => q.expect === null).length, misses };
}

describe.each(SETS)('answer quality: $name', (set) => {
  const questions = questionsOf(set.questions);

  it('has at least 20 paraphrased questions, each labelled with a passage that exists', () => {
    expect(questions.filter((q) => q.expect !== null).length).toBeGreaterThanOrEqual(20);
    const kb = KNOWLEDGE[set.business].files.map(read).join('\n');
    for (const q of questions) if (q.expect !== null) expect(kb, q.question).toContain(q.expect);
  });

  it(`is right on at least ${Math.round(set.requiredShare * 100)}%, confidently wrong on at most ${set.maxConfidentlyWrong}`, async () => {
    const { counts, right, offTopicNotSure, offTopicChoices, offTopic, misses } = await measure(set.business, questions);
    const share = right / questions.length;
    const percent = (n: number) => `${((n / questions.length) * 100).toFixed(1)}%`;
    console.info(
      `answer quality (${set.name}, ${questions.length} questions, ${offTopic} off topic): right ${right} = ${percent(right)} ` +
        `(first ${counts['right first']}, within choices ${counts['right within choices']}, off-topic not sure ${offTopicNotSure}); ` +
        `confidently wrong ${counts['confidently wrong']} = ${percent(counts['confidently wrong'])}; ` +
        `not sure ${counts['not sure'] - offTopicNotSure}; choices, none right ${counts['choices, none right'] - offTopicChoices}; ` +
        `off topic given choices ${offTopicChoices}` +
        (set.business === 'pets' || set.business === 'cinema' ? '' : `\n  missed: ${misses.join('\n  missed: ')}`),
    );
    expect(share).toBeGreaterThanOrEqual(set.requiredShare);
    expect(counts['confidently wrong']).toBeLessThanOrEqual(set.maxConfidentlyWrong);
  });
});

describe('questions the knowledge base does not cover', () => {
  const offTopic = questionsOf('off-topic.json' as string).map((question) => ({ question: question as unknown as string, expect: null }));
  it.each(['bike', 'dental', 'yoga', 'garage'])('leave the %s business not sure, or offering choices and a person, never answered', async (business) => {
    const { counts, offTopicNotSure } = await measure(business, offTopic);
    console.info(
      `off topic (${business}): ${offTopicNotSure}/${offTopic.length} not sure, ${counts['choices, none right']} choices, ${counts['confidently wrong']} answered`,
    );
    expect(counts['confidently wrong']).toBe(0);
    expect(offTopicNotSure).toBeGreaterThanOrEqual(offTopic.length * 0.6);
  });
});
