// Matching by meaning, beside matching by words. Customers rarely use the knowledge base's own
// words ("can my mate tag along" for "Can I bring a friend?"); a sentence encoder places both
// near each other. The word ranking and the meaning ranking are fused by their ranks (reciprocal
// rank fusion), so neither's scale needs calibrating against the other's, and a passage both
// rank high wins; how sure that makes the answerer is core/certainty.ts's. Both rank entries: an
// entry is as near as the nearest of its passages (its answer's pieces, its phrasings).
import type { Candidate } from './certainty.js';
import type { Hit, KnowledgeIndex, Passage } from './retrieval.js';

/** Stored vectors are unit length, one signed byte a dimension: a component of 1 is 127. */
const SCALE = 127;

/** The text of a passage the encoder reads: its question (when it has one) and its piece of the answer. */
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

/** Reciprocal rank fusion's constant: small, because a knowledge base's right passage is usually near the top of one ranking. */
const FUSION_K = 5;

/**
 * The word ranking (every hit, best first) and the meaning ranking of the index's passage vectors
 * fused into one candidate per entry, best first, each with what both rankings say of it
 * (core/certainty.ts weighs them).
 */
export function fuseWithMeaning(wordHits: Hit[], index: KnowledgeIndex, questionVector: Float32Array): Candidate[] {
  const vectors = index.vectors ?? [];
  const byEntry = new Map<string, Candidate>();
  [...index.passages.values()].forEach((passage, i) => {
    const near = vectors[i] ? similarity(questionVector, vectors[i]) : 0;
    const known = byEntry.get(passage.entryId);
    if (known) {
      if (near > known.similarity!) [known.similarity, known.passage] = [near, passage];
      return;
    }
    const entry = index.entries.get(passage.entryId);
    if (entry) byEntry.set(entry.id, { entry, passage, score: 0, wordScore: 0, coverage: 0, similarity: near, wordRank: -1, meaningRank: -1 });
  });
  wordHits.forEach((hit, rank) => {
    const candidate = byEntry.get(hit.entry.id);
    if (!candidate) return;
    candidate.score += 1 / (FUSION_K + rank);
    // The words' best passage is the one told from a long answer: it holds the customer's words.
    [candidate.passage, candidate.wordScore, candidate.coverage, candidate.wordRank] = [hit.passage, hit.score, hit.coverage, rank];
  });
  const all = [...byEntry.values()];
  all
    .sort((a, b) => b.similarity! - a.similarity!)
    .forEach((candidate, rank) => {
      candidate.score += 1 / (FUSION_K + rank);
      candidate.meaningRank = rank;
    });
  // A tie (first in one ranking, second in the other) goes to the words: they know the question's intent.
  const wordOrder = (c: Candidate) => (c.wordRank < 0 ? Number.MAX_SAFE_INTEGER : c.wordRank);
  return all.sort((a, b) => b.score - a.score || wordOrder(a) - wordOrder(b) || b.similarity! - a.similarity!);
}

/** The word ranking alone as candidates, when there is no meaning to fuse with. */
export function wordCandidates(wordHits: Hit[]): Candidate[] {
  return wordHits.map((hit, rank) => ({
    entry: hit.entry,
    passage: hit.passage,
    score: hit.score,
    wordScore: hit.score,
    coverage: hit.coverage,
    wordRank: rank,
    meaningRank: -1,
  }));
}
