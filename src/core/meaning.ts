// Matching by meaning, beside matching by words. Customers rarely use the knowledge base's own
// words ("can my mate tag along" for "Can I bring a friend?"); a sentence encoder places both
// near each other. The word ranking and the meaning ranking are fused by their ranks (reciprocal
// rank fusion), so neither's scale needs calibrating against the other's, and a passage both
// rank high wins.
import { confidenceOf, type Hit, type KnowledgeIndex, type Passage } from './retrieval.js';

/** Stored vectors are unit length, one signed byte a dimension: a component of 1 is 127. */
const SCALE = 127;

/** The text of a passage the encoder reads: its question (when it has one) and its answer. */
export function meaningText(passage: Pick<Passage, 'question' | 'text'>): string {
  return `${passage.question} ${passage.text}`.trim();
}

/** Passage vectors as stored with the trained index: base64 of their bytes, in passage order. */
export function packVectors(vectors: Float32Array[]): { vectors: string; dimensions: number } {
  const dimensions = vectors[0]?.length ?? 0;
  const bytes = new Int8Array(vectors.length * dimensions);
  vectors.forEach((vector, row) => {
    for (let i = 0; i < dimensions; i++) bytes[row * dimensions + i] = Math.max(-127, Math.min(127, Math.round(vector[i]! * SCALE)));
  });
  return { vectors: Buffer.from(bytes.buffer).toString('base64'), dimensions };
}

export function unpackVectors(packed: string, dimensions: number): Int8Array[] {
  const buffer = Buffer.from(packed, 'base64');
  const bytes = new Int8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const out: Int8Array[] = [];
  for (let i = 0; dimensions > 0 && i + dimensions <= bytes.length; i += dimensions) out.push(bytes.subarray(i, i + dimensions));
  return out;
}

/** Cosine of a question's vector with a stored passage vector (both unit length). */
export function similarity(question: Float32Array, passage: Int8Array): number {
  let dot = 0;
  for (let i = 0; i < passage.length; i++) dot += question[i]! * passage[i]!;
  return dot / SCALE;
}

/**
 * From this confidence on the word ranking answers alone: the question uses the knowledge base's
 * words, and the encoder (25 ms or more a question) is not asked. Measured on the quality sets,
 * 0.5, 0.65 and 0.8 answer about alike; 0.5 asks the encoder least.
 */
export const SURE_BY_WORDS = 0.5;
/** Reciprocal rank fusion's constant: small, because a knowledge base's right passage is usually near the top of one ranking. */
const FUSION_K = 5;
/**
 * How far the best passage stands out from the rest of the knowledge base (standard deviations
 * above the mean similarity) where it starts to count as the answer, and where it fully does. Not
 * the similarity itself: in a dental clinic's knowledge base every passage is about teeth, and
 * any tooth question is fairly similar to all of them.
 */
const STANDS_OUT_UNSURE = 1.5;
const STANDS_OUT_SURE = 3.5;
/**
 * Below this many passages the similarity itself counts, between the two values after: the best
 * of n passages can stand out by at most √(n − 1) standard deviations.
 */
const FEW_PASSAGES = 12;
const MEANING_UNSURE = 0.45;
const MEANING_SURE = 0.7;

const between = (value: number, low: number, high: number) => Math.min(1, Math.max(0, (value - low) / (high - low)));

/** Confidence from meaning alone: how far the best passage stands out among all. */
function meaningConfidence(best: number, all: number[]): number {
  const mean = all.reduce((sum, s) => sum + s, 0) / all.length;
  const spread = Math.sqrt(all.reduce((sum, s) => sum + (s - mean) ** 2, 0) / all.length);
  if (all.length < FEW_PASSAGES || spread < 1e-6) return between(best, MEANING_UNSURE, MEANING_SURE);
  return between((best - mean) / spread, STANDS_OUT_UNSURE, STANDS_OUT_SURE);
}

/** Two pieces of one question/answer pair, cut because the answer was long. */
function samePair(a: Passage, b: Passage): boolean {
  return a.question !== '' && a.question === b.question && a.documentId === b.documentId;
}

export interface FusedAnswer {
  hits: Hit[];
  confidence: number;
}

/**
 * The word ranking (every hit, best first) and the meaning ranking of the index's passage
 * vectors fused. Confidence is what the
 * words say of the passage chosen, or what its meaning alone says, whichever is higher.
 */
export function fuseWithMeaning(question: string, wordHits: Hit[], index: KnowledgeIndex, questionVector: Float32Array, limit = 3): FusedAnswer {
  const vectors = index.vectors ?? [];
  const meaning = [...index.passages.values()].map((passage, i) => ({ passage, similarity: vectors[i] ? similarity(questionVector, vectors[i]) : 0 }));
  const fused = new Map<string, { passage: Passage; score: number; similarity: number; coverage: number }>();
  for (const { passage, similarity: s } of meaning) fused.set(passage.id, { passage, score: 0, similarity: s, coverage: 0 });
  wordHits.forEach((hit, rank) => {
    const entry = fused.get(hit.passage.id);
    if (!entry) return;
    entry.score += 1 / (FUSION_K + rank);
    entry.coverage = hit.coverage;
  });
  for (const [rank, { passage }] of [...meaning].sort((a, b) => b.similarity - a.similarity).entries()) fused.get(passage.id)!.score += 1 / (FUSION_K + rank);
  const all = [...fused.values()].sort((a, b) => b.score - a.score || b.similarity - a.similarity);
  // Pieces of one long answer mean the same: the words' first piece is where the answer starts.
  const first = wordHits[0] && fused.get(wordHits[0].passage.id);
  if (first && all[0] && all[0] !== first && samePair(all[0].passage, first.passage)) all.unshift(...all.splice(all.indexOf(first), 1));
  const ranked = all.slice(0, limit);
  const best = ranked[0];
  if (!best) return { hits: [], confidence: 0 };
  // The words' confidence in the passage chosen, as if they had chosen it: its coverage, against their strongest other passage.
  const asWordHit = wordHits.find((hit) => hit.passage.id === best.passage.id);
  const byWords = asWordHit ? confidenceOf(question, [asWordHit, ...wordHits.filter((hit) => hit !== asWordHit).slice(0, 1)]) : 0;
  const byMeaning = meaningConfidence(
    best.similarity,
    meaning.map((m) => m.similarity),
  );
  const hits = ranked.map(({ passage, score, coverage, similarity: s }) => ({ passage, score, coverage, meaning: s }));
  return { hits, confidence: Math.round(Math.max(byWords, byMeaning) * 1000) / 1000 };
}
