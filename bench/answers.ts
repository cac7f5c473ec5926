// Retrieval answer time on a 1,000-passage knowledge base (SPEC §13: p50 < 5 ms). Measures
// answerQuestion as WhatsApp and the widget call it: the index freshness check against the
// database, synonyms, BM25 search, intent and trimming, and (second mode) the sentence encoder
// for the questions the words leave unsure, with the verdict — one answer, choices or not sure —
// and the choices' titles computed; how many answers were of each kind is reported beside. Loading WordNet, the model and the index happen once,
// before the timed questions. Training time is reported for both modes: with meaning it embeds
// every passage.
import { performance } from 'node:perf_hooks';
import { testConfig } from '../src/config.js';
import { warmSynonyms } from '../src/services/knowledge/synonyms.js';
import { createLogger } from '../src/logger.js';
import { createContext } from '../src/server.js';
import { answerQuestion } from '../src/services/knowledge/answers.js';
import { seedKnowledge } from '../src/services/knowledge/training.js';
import { createOrganization } from '../src/services/tenancy/organizations.js';

const CHUNKS = 1000;
const QUESTIONS = 500;

const SERVICES = [
  'tune-up',
  'full service',
  'wheel truing',
  'brake bleed',
  'chain replacement',
  'puncture repair',
  'bike fit',
  'e-bike diagnosis',
  'winter storage',
  'frame inspection',
];
const MODELS = ['city bike', 'road bike', 'mountain bike', 'gravel bike', 'cargo bike', 'folding bike', 'kids bike', 'e-bike', 'tandem', 'fixie'];
const TOPICS = ['price', 'duration', 'booking', 'warranty', 'availability', 'parts', 'pickup', 'delivery', 'discount', 'payment'];

/** One passage per (service, model, topic), in words a shop would write. */
function passage(i: number): { title: string; content: string } {
  const service = SERVICES[i % 10]!;
  const model = MODELS[Math.floor(i / 10) % 10]!;
  const topic = TOPICS[Math.floor(i / 100) % 10]!;
  const facts: Record<string, string> = {
    price: `A ${service} for a ${model} costs $${40 + (i % 90)}, parts extra.`,
    duration: `A ${service} on a ${model} takes ${1 + (i % 5)} days in the workshop.`,
    booking: `Book a ${service} for your ${model} online or by phone, Monday to Friday 9am to 5pm.`,
    warranty: `Every ${service} on a ${model} carries a ${3 + (i % 9)}-month workmanship warranty.`,
    availability: `We have ${model} parts for a ${service} in stock at the harbour shop.`,
    parts: `For a ${service} we fit original ${model} parts unless you ask otherwise.`,
    pickup: `Collect your ${model} after its ${service} from 3pm on the day we message you.`,
    delivery: `We bring a ${model} back after its ${service} for $${10 + (i % 20)} within 15 km.`,
    discount: `Members get ${5 + (i % 15)}% off a ${service} for a ${model}.`,
    payment: `Pay for a ${model} ${service} by card, cash or in ${2 + (i % 10)} instalments.`,
  };
  return { title: `${service} — ${model}`, content: `Q: ${topic} of a ${service} for a ${model}?\nA: ${facts[topic]}` };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface AnswerTimes {
  p50Ms: number;
  p99Ms: number;
  /** share of the questions the words left unsure, so the sentence encoder was asked too */
  askedEncoder: number;
  /** how many of the timed answers were one answer, choices, or not sure */
  kinds: Record<string, number>;
  trainingMs: number;
}

/** One mode: words alone, or words with meaning when they are unsure. */
async function measure(byMeaning: boolean, questions: string[]): Promise<AnswerTimes> {
  // One document a passage: more than an organization may hold by default.
  const env = { DATABASE_URL: 'sqlite::memory:', ANSWER_BY_MEANING: byMeaning ? 'on' : 'off', KNOWLEDGE_MAX_DOCUMENTS: String(CHUNKS) };
  const ctx = await createContext(testConfig(env), { log: createLogger('silent') });
  try {
    let asked = 0;
    const encoder = ctx.sentences;
    if (encoder) {
      await encoder.embed(['warm the model up']);
      ctx.sentences = {
        name: encoder.name,
        embed: (texts) => {
          asked++;
          return encoder.embed(texts);
        },
      };
    }
    const org = await createOrganization(ctx, { name: 'Bench Cycles' });
    const trainingStart = performance.now();
    await seedKnowledge(
      ctx,
      org.id,
      Array.from({ length: CHUNKS }, (_, i) => passage(i)),
    );
    const trainingMs = performance.now() - trainingStart;
    warmSynonyms();
    for (const question of questions.slice(0, 50)) await answerQuestion(ctx, org.id, question); // warm caches and the JIT
    asked = 0; // from here on the encoder is asked only for questions
    const times: number[] = [];
    const kinds: Record<string, number> = {};
    for (const question of questions) {
      const start = performance.now();
      const { kind } = await answerQuestion(ctx, org.id, question);
      times.push(performance.now() - start);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    times.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      p50Ms: round(percentile(times, 50)),
      p99Ms: round(percentile(times, 99)),
      askedEncoder: round(asked / questions.length),
      kinds,
      trainingMs: Math.round(trainingMs),
    };
  } finally {
    await ctx.database.close();
  }
}

export async function benchAnswers(): Promise<{ chunks: number; wordsOnly: AnswerTimes; withMeaning: AnswerTimes }> {
  const questions = Array.from({ length: QUESTIONS }, (_, i) => {
    const service = SERVICES[i % 10]!;
    const model = MODELS[(i * 7) % 10]!;
    return [
      `how much is a ${service} for my ${model}?`,
      `how long does a ${service} take on a ${model}`,
      `can I hire someone to fix my ${model}, is there a discount?`,
    ][i % 3]!;
  });
  return { chunks: CHUNKS, wordsOnly: await measure(false, questions), withMeaning: await measure(true, questions) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchAnswers());
}
