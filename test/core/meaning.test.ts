import { describe, expect, it } from 'vitest';
import { entriesOfDocument } from '../../src/core/entries.js';
import { decide } from '../../src/core/certainty.js';
import { fuseWithMeaning, meaningText, packVectors, unpackVectors } from '../../src/core/meaning.js';
import { buildIndex, confidenceOf, loadIndex, searchIndex } from '../../src/core/retrieval.js';
import { wordnetLexicon } from '../../src/services/knowledge/synonyms.js';

/** A unit vector along one axis, with a little of a second one. */
function towards(axis: number, dimensions = 8, leak = 0): Float32Array {
  const v = new Float32Array(dimensions);
  v[axis] = Math.sqrt(1 - leak * leak);
  v[(axis + 1) % dimensions] = leak;
  return v;
}

const pairs: [string, string][] = [
  ['Can I bring a friend?', 'Members can bring a guest for free once a month.'],
  ['Do you sell class packs?', 'A 10-class pack is $200 and lasts six months.'],
  ['Is there parking?', 'Free parking is behind the studio.'],
  ['Do you have showers?', 'Two showers and lockers are by the changing rooms.'],
  ['When are you open?', 'We are open from 7am to 9pm every day.'],
  ['Do you run retreats?', 'Twice a year we run a week-long retreat in Portugal.'],
];
const content = pairs.map(([q, a]) => `Q: ${q}\nA: ${a}`).join('\n\n');
const { indexJson, chunksJson } = buildIndex(entriesOfDocument({ id: 'doc', title: 'FAQ', content }));
// Passage i points along axis i: the "meaning" of each passage is its own direction.
const vectors = unpackVectors(packVectors(pairs.map((_, i) => towards(i))).vectors, 8);
const index = loadIndex(indexJson, chunksJson, wordnetLexicon, vectors);
const passages = [...index.passages.values()];

describe('stored sentence vectors', () => {
  it('come back as the signed bytes of the unit vectors they were', () => {
    const packed = packVectors([towards(0, 4, 0.6), towards(2, 4)]);
    expect(packed.dimensions).toBe(4);
    const [first, second] = unpackVectors(packed.vectors, 4);
    expect([...first!]).toEqual([102, 76, 0, 0]);
    expect([...second!]).toEqual([0, 0, 127, 0]);
  });

  it('are kept with the index only when there is one per passage', () => {
    expect(index.vectors).toHaveLength(pairs.length);
    expect(loadIndex(indexJson, chunksJson, wordnetLexicon, vectors.slice(1)).vectors).toBeUndefined();
  });

  it('are made from the question and the answer of a pair', () => {
    expect(meaningText(passages[0]!)).toBe('Can I bring a friend? Members can bring a guest for free once a month.');
  });
});

describe('answering by meaning and by words together', () => {
  const verdictFor = (question: string, vector: Float32Array) => {
    const words = searchIndex(index, question, 50);
    return { words, fused: fuseWithMeaning(words, index, vector), verdict: decide(fuseWithMeaning(words, index, vector), confidenceOf(question, words)) };
  };

  it('lets meaning find a passage that shares no word with the question', () => {
    const question = 'can my mate tag with me';
    const { words, fused, verdict } = verdictFor(question, towards(0, 8, 0.2));
    expect(confidenceOf(question, words)).toBeLessThan(0.35);
    expect(fused[0]?.passage.text).toContain('bring a guest');
    expect(fused[0]?.similarity).toBeGreaterThan(0.9);
    expect(fused[0]?.meaningRank).toBe(0);
    // Very close in meaning, though no word is shared: offered, not asserted.
    expect(verdict.kind === 'answer' ? verdict.candidate.entry.answer : verdict.kind === 'choices' ? verdict.candidates[0]?.entry.answer : '').toContain(
      'bring a guest',
    );
  });

  it('answers when both rankings put the same passage first', () => {
    const { fused, verdict } = verdictFor('do you sell class packs', towards(1));
    expect(fused[0]?.passage.text).toContain('10-class pack');
    expect([fused[0]?.wordRank, fused[0]?.meaningRank]).toEqual([0, 0]);
    expect(verdict.kind).toBe('answer');
  });

  it('is not sure when no passage is near in meaning and the words find nothing', () => {
    // Equally and weakly close to every passage: nothing is near the question.
    const everywhere = new Float32Array(8).fill(0.2 / Math.sqrt(8));
    everywhere[7] = Math.sqrt(1 - 0.04);
    const { verdict } = verdictFor('what is the capital of australia', everywhere);
    expect(verdict.kind).toBe('not-sure');
  });

  it('prefers the passage both rankings place high over one only meaning places first', () => {
    const question = 'is there free parking';
    // Meaning leans slightly to the showers (axis 3) but places parking (axis 2) second.
    const leaning = new Float32Array(8);
    leaning[3] = 0.75;
    leaning[2] = 0.66;
    const { words, fused } = verdictFor(question, leaning);
    expect(words[0]?.passage.text).toContain('Free parking');
    expect(fused[0]?.passage.text).toContain('Free parking');
  });
});
