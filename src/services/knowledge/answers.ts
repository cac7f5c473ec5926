// The one answerer for WhatsApp and the widget: retrieval over the organization's own passages,
// and, for plans with LLM answers when an LLM is configured, a model writing from those passages.
import { planOf } from '../../core/plans.js';
import { fuseWithMeaning, SURE_BY_WORDS, type FusedAnswer } from '../../core/meaning.js';
import { confidenceOf, searchIndex, type Hit, type KnowledgeIndex } from '../../core/retrieval.js';
import { trimToSentences } from '../../core/text.js';
import type { AppContext } from '../context.js';
import { knowledgeIndex } from './training.js';
import { askLlm, type ChatTurn } from './llm.js';
import { getOrganization } from '../tenancy/organizations.js';
import { loadPlans } from '../tenancy/plans.js';

/** Below this confidence the answer says it is not sure, and callers offer a human. */
export const DEFAULT_MIN_CONFIDENCE = 0.35;
/** How many passages the LLM gets to write from. */
const LLM_PASSAGES = 3;
/** One WhatsApp message, comfortably readable. */
export const MAX_ANSWER_CHARACTERS = 1000;

export const NOT_SURE_ANSWER = "I'm not sure I have the right answer to that.";

export interface AnswerSource {
  documentId: string;
  title: string;
  chunkId: string;
}

export interface Answer {
  answer: string;
  sources: AnswerSource[];
  confidence: number;
  confident: boolean;
}

export interface AnswerOptions {
  history?: ChatTurn[];
  /** overrides DEFAULT_MIN_CONFIDENCE */
  minConfidence?: number;
}

function sourceOf(hit: Hit): AnswerSource {
  return { documentId: hit.passage.documentId, title: hit.passage.title, chunkId: hit.passage.id };
}

/** How deep the word ranking goes when fused with the meaning ranking. */
const FUSED_WORD_HITS = 50;

/**
 * The passages that answer a question, best first, and the confidence in the first. Words alone
 * when they leave no doubt; otherwise the meaning of the question too (the encoder runs in its
 * own thread; if it fails, the words' answer stands).
 */
async function bestPassages(ctx: AppContext, index: KnowledgeIndex, question: string): Promise<FusedAnswer> {
  const wordHits = searchIndex(index, question, FUSED_WORD_HITS);
  const byWords = { hits: wordHits.slice(0, LLM_PASSAGES), confidence: confidenceOf(question, wordHits) };
  if (!ctx.sentences || !index.vectors || byWords.confidence >= SURE_BY_WORDS) return byWords;
  try {
    const [vector] = await ctx.sentences.embed([question]);
    return fuseWithMeaning(question, wordHits, index, vector!, LLM_PASSAGES);
  } catch (err) {
    ctx.log.warn({ reason: (err as Error).message }, 'sentence encoder failed; answered by words alone');
    return byWords;
  }
}

export async function answerQuestion(ctx: AppContext, organizationId: string, question: string, options: AnswerOptions = {}): Promise<Answer> {
  const index = await knowledgeIndex(ctx, organizationId);
  const { hits, confidence } = index ? await bestPassages(ctx, index, question) : { hits: [], confidence: 0 };
  const confident = hits.length > 0 && confidence >= (options.minConfidence ?? DEFAULT_MIN_CONFIDENCE);
  const retrieval: Answer = confident
    ? { answer: trimToSentences(hits[0]!.passage.text, MAX_ANSWER_CHARACTERS), sources: [sourceOf(hits[0]!)], confidence, confident }
    : { answer: NOT_SURE_ANSWER, sources: [], confidence, confident };

  const llm = ctx.config.llm;
  if (!llm || hits.length === 0) return retrieval;
  const organization = await getOrganization(ctx, organizationId);
  if (!planOf(organization.plan, await loadPlans(ctx)).plan.llmAnswers) return retrieval;
  try {
    const text = await askLlm(llm, {
      organizationName: organization.name,
      instructions: organization.instructions,
      passages: hits.map((h) => h.passage),
      history: options.history ?? [],
      question,
    });
    return { answer: trimToSentences(text, MAX_ANSWER_CHARACTERS), sources: hits.map(sourceOf), confidence, confident };
  } catch (err) {
    // The customer still gets the retrieval answer; the operator sees why the model was skipped.
    ctx.log.warn({ organizationId, reason: (err as Error).message }, 'LLM answer failed; answered from retrieval');
    return retrieval;
  }
}
