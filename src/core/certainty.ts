// How sure the answerer is of its best passages, and what it does about it: one answer when the
// best passage is plainly the one, a short list of choices when two or three are close, "not sure"
// when none is near the question. A wrong answer given confidently costs more than an honest
// "not sure": customers act on it.
import type { Passage } from './retrieval.js';

export interface Candidate {
  passage: Passage;
  /** the fused rank score (higher is better) */
  score: number;
  /** share of the question's words the passage covers, in [0, 1] */
  coverage: number;
  /** cosine of the question's and the passage's sentence vectors; undefined without meaning */
  similarity?: number;
  /** rank in the word ranking and in the meaning ranking (0 = first); -1 when absent */
  wordRank: number;
  meaningRank: number;
}

export type Verdict =
  | { kind: 'answer'; passage: Passage; confidence: number }
  | { kind: 'choices'; passages: Passage[]; confidence: number }
  | { kind: 'not-sure'; confidence: number };

// Measured on the bike shop, dental, yoga and garage sets with off-topic questions added
// (test/services/knowledge/quality.test.ts): absolute similarity tells an off-topic question
// from a paraphrase far better than how far the best passage stands out, because the best of
// forty passages always stands out somewhat.
/** similarity from which a passage starts to look like the answer, and where it fully does */
const SIMILAR_FROM = 0.3;
const SIMILAR_AT = 0.8;
/** the words' share in a passage's plausibility; the rest is its meaning */
const WORDS_SHARE = 0.45;
/** plausibility from which the best passage is given as the answer… */
const SURE = 0.6;
/** …provided the fused ranking puts it this far ahead of the next, or both rankings put it first */
const CLEAR_LEAD = 0.2;
/**
 * The words' own confidence (coverage, intent, runner-up) from which their first passage is the
 * answer: the question uses the knowledge base's words, and meaning is not asked (an encoder call
 * saved). Measured on the quality sets, no answer given this way was wrong.
 */
export const SURE_BY_WORDS = 0.9;
/** …and the runner-up is at least this much less plausible: "how much for a bike?" is a city bike's price or an e-bike's */
const PLAIN_GAP = 0.05;
/** plausibility from which the best passages are offered as choices (lower when both rankings put the best first)… */
const WORTH_OFFERING = 0.25;
const WORTH_OFFERING_BOTH_FIRST = 0.2;
/** …or the words' confidence, when their first passage is among the best */
const WORTH_OFFERING_BY_WORDS = 0.5;
/** a runner-up is offered beside the best when it is at least this share as plausible */
const CLOSE_SHARE = 0.3;
/** at most this many choices: a longer list is read by nobody */
export const MAX_CHOICES = 3;

/** Without sentence vectors (encoder off or failed), the words alone: a looser, older measure. */
const SURE_BY_WORDS_ALONE = 0.35;

const between = (value: number, low: number, high: number) => Math.min(1, Math.max(0, (value - low) / (high - low)));

/** How plausible it is that this passage answers the question, in [0, 1]. */
export function plausibility(candidate: Candidate): number {
  if (candidate.similarity === undefined) return candidate.coverage;
  return WORDS_SHARE * candidate.coverage + (1 - WORDS_SHARE) * between(candidate.similarity, SIMILAR_FROM, SIMILAR_AT);
}

/** Two pieces of one question/answer pair, cut because the answer was long. */
export function samePair(a: Passage, b: Passage): boolean {
  return a.question !== '' && a.question === b.question && a.documentId === b.documentId;
}

/**
 * The verdict on candidates ranked best first. `wordsConfidence` is the words' own confidence in
 * their best passage, used when there is no meaning to go by.
 */
export function decide(candidates: Candidate[], wordsConfidence: number): Verdict {
  // One passage per question/answer pair: its later pieces mean the same.
  const distinct = candidates.filter((c, i) => !candidates.slice(0, i).some((earlier) => samePair(earlier.passage, c.passage)));
  const [best, next] = distinct;
  if (!best) return { kind: 'not-sure', confidence: 0 };
  const round = (n: number) => Math.round(n * 1000) / 1000;
  if (best.similarity === undefined) {
    // Words alone: the old rule — sure enough answers, close runners-up are offered.
    if (wordsConfidence >= SURE_BY_WORDS_ALONE) return { kind: 'answer', passage: best.passage, confidence: round(wordsConfidence) };
    if (next && best.coverage >= WORTH_OFFERING && next.score >= best.score * 0.7) {
      return { kind: 'choices', passages: distinct.slice(0, 2).map((c) => c.passage), confidence: round(wordsConfidence) };
    }
    return { kind: 'not-sure', confidence: round(wordsConfidence) };
  }
  const top = distinct.slice(0, MAX_CHOICES);
  const plausible = top.map(plausibility);
  const confidence = round(plausible[0]!);
  const lead = next ? (best.score - next.score) / best.score : 1;
  const bothFirst = best.wordRank === 0 && best.meaningRank === 0;
  const plain = (plausible[1] ?? 0) <= plausible[0]! - PLAIN_GAP;
  if (plausible[0]! >= SURE && plain && (lead >= CLEAR_LEAD || bothFirst)) return { kind: 'answer', passage: best.passage, confidence };
  const wordsOffer = wordsConfidence >= WORTH_OFFERING_BY_WORDS && top.some((c) => c.wordRank === 0);
  if (plausible[0]! < (bothFirst ? WORTH_OFFERING_BOTH_FIRST : WORTH_OFFERING) && !wordsOffer) return { kind: 'not-sure', confidence };
  if (!next) return { kind: 'answer', passage: best.passage, confidence };
  // The best is not sure enough alone: offer it with those close to it (at least two).
  const offered = top.filter((_, i) => i < 2 || plausible[i]! >= plausible[0]! * CLOSE_SHARE);
  return { kind: 'choices', passages: offered.map((c) => c.passage), confidence };
}
