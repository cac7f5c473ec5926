import { describe, expect, it } from 'vitest';
import { type Candidate, decide, leadOf, MAX_CHOICES, plausibility } from '../../src/core/certainty.js';
import type { KnowledgeEntry } from '../../src/core/entries.js';
import type { Passage } from '../../src/core/retrieval.js';

const entry = (id: string): KnowledgeEntry => ({
  id,
  documentId: 'doc',
  documentTitle: 'FAQ',
  question: `Question ${id}?`,
  phrasings: [],
  answer: `Answer ${id}.`,
});

const passage = (id: string): Passage => ({
  id: `${id}/0`,
  entryId: id,
  documentId: 'doc',
  title: 'FAQ',
  question: `Question ${id}?`,
  text: `Answer ${id}.`,
  facts: { price: false, time: false, duration: false },
  terms: new Set(),
});

const candidate = (id: string, fields: Partial<Candidate>): Candidate => ({
  entry: entry(id),
  passage: passage(id),
  score: 0.3,
  wordScore: 0,
  coverage: 0,
  similarity: 0.3,
  wordRank: -1,
  meaningRank: -1,
  ...fields,
});

describe('how sure the answerer is', () => {
  it("answers a message asked in the knowledge base's own words when both rankings agree, the words clearly", () => {
    // "the screw in my specs fell out can you fix": the repair entry, first by words far ahead and by meaning a little.
    const repair = candidate('repair', { score: 0.4, wordScore: 41.5, coverage: 0.3, similarity: 0.52, wordRank: 0, meaningRank: 0 });
    const warranty = candidate('warranty', { score: 0.3, wordScore: 7.2, coverage: 0.2, similarity: 0.48, wordRank: 1, meaningRank: 1 });
    expect(decide([repair, warranty], 0.3, true)).toMatchObject({ kind: 'answer', candidate: { entry: { id: 'repair' } } });
    // A word the knowledge base does not use as it is ("phones" at a bike shop) leaves the choice to the customer…
    expect(decide([repair, warranty], 0.3, false).kind).toBe('choices');
    // …as does meaning putting the other entry clearly nearer, or the words leading by less.
    expect(decide([repair, { ...warranty, similarity: 0.51, meaningRank: 1 }], 0.3, true).kind).toBe('answer');
    expect(
      decide(
        [
          { ...repair, meaningRank: 1 },
          { ...warranty, similarity: 0.58, meaningRank: 0 },
        ],
        0.3,
        true,
      ).kind,
    ).toBe('choices');
    expect(decide([repair, { ...warranty, wordScore: 25 }], 0.3, true).kind).toBe('choices');
  });

  it('answers when both rankings put the best entry first and it leads the next different entry by words and by meaning', () => {
    const leading = candidate('a', { score: 0.4, wordScore: 10, coverage: 0.8, similarity: 0.7, wordRank: 0, meaningRank: 0 });
    const verdict = decide([leading, candidate('b', { score: 0.3, wordScore: 6, coverage: 0.4, similarity: 0.55, wordRank: 1, meaningRank: 1 })], 0.6);
    expect(verdict).toMatchObject({ kind: 'answer', candidate: { entry: { id: 'a' } } });
    expect(leadOf(leading, [candidate('b', { wordScore: 6, similarity: 0.55 })])).toEqual({ words: 0.4, meaning: expect.closeTo(0.15) });
  });

  it('offers a menu instead when the rankings disagree by more than a little, however confident the best looks', () => {
    // Words first, meaning second by 0.15: the two rankings do not agree on it.
    const verdict = decide(
      [
        candidate('a', { score: 0.4, wordScore: 10, coverage: 1, similarity: 0.75, wordRank: 0, meaningRank: 1 }),
        candidate('b', { score: 0.39, wordScore: 2, coverage: 0.3, similarity: 0.9, wordRank: 1, meaningRank: 0 }),
      ],
      0.8,
    );
    expect(verdict.kind === 'choices' && verdict.candidates.map((c) => c.entry.id)).toEqual(['a', 'b']);
  });

  it('offers a menu when the next different entry is close by words or by meaning', () => {
    const best = { score: 0.4, wordScore: 10, coverage: 0.8, similarity: 0.7, wordRank: 0, meaningRank: 0 };
    // Close by words (9 of 10) with meaning only a little ahead (0.66 against 0.7)…
    expect(decide([candidate('a', best), candidate('b', { score: 0.3, wordScore: 9, coverage: 0.7, similarity: 0.66, wordRank: 1 })], 0.5).kind).toBe(
      'choices',
    );
    // …or close by meaning (0.69 against 0.7) with the words not far ahead (8 of 10)…
    expect(decide([candidate('a', best), candidate('b', { score: 0.3, wordScore: 8, coverage: 0.2, similarity: 0.69, meaningRank: 1 })], 0.5).kind).toBe(
      'choices',
    );
    // …but a wide lead by words (2 of 10) answers while meaning agrees, however narrowly.
    expect(decide([candidate('a', best), candidate('b', { score: 0.3, wordScore: 2, coverage: 0.2, similarity: 0.69, meaningRank: 1 })], 0.5).kind).toBe(
      'answer',
    );
  });

  it("answers a torn menu asked in the knowledge base's own words when the odds learnt from menus say the best is right", () => {
    const best = candidate('a', { score: 0.4, wordScore: 10, coverage: 0.8, similarity: 0.7, wordRank: 0, meaningRank: 0 });
    const farBehind = candidate('b', { score: 0.3, wordScore: 9, coverage: 0.3, similarity: 0.66, wordRank: 1 });
    // Close by words, so the rules leave a menu; the runner-up holds little of the message, so the odds are high…
    expect(decide([best, farBehind], 0.5).kind).toBe('choices');
    expect(decide([best, farBehind], 0.5, true, true)).toMatchObject({ kind: 'answer', candidate: { entry: { id: 'a' } } });
    // …unless the message names something in words the knowledge base does not use as they are…
    expect(decide([best, farBehind], 0.5, false, true).kind).toBe('choices');
    // …or the runner-up holds nearly as much of the message as the best.
    const close = candidate('b', { score: 0.3, wordScore: 9, coverage: 0.8, similarity: 0.69, wordRank: 1 });
    expect(decide([best, close], 0.5, true, true).kind).toBe('choices');
    // Two entries about nearly the same thing, both holding the whole message ("how much for a bike?" between
    // city bike and e-bike prices): a menu, however plausible both are.
    const eBikes = candidate('e', { score: 0.5, wordScore: 11.7, coverage: 1, similarity: 0.5, wordRank: 0, meaningRank: 0 });
    const cityBikes = candidate('c', { score: 0.45, wordScore: 10.3, coverage: 1, similarity: 0.48, wordRank: 1, meaningRank: 1 });
    expect(decide([eBikes, cityBikes], 0.5, true, true).kind).toBe('choices');
  });

  it('answers when the lead on words and on meaning together is wide, though neither alone is', () => {
    // Invented: "how long does the glue take to dry" — the drying-time entry leads the repair
    // price entry by a third of its word score and 0.06 in meaning; together that is clear.
    const drying = { score: 0.4, wordScore: 12, coverage: 0.5, similarity: 0.66, wordRank: 0, meaningRank: 0 };
    const price = { score: 0.3, wordScore: 8, coverage: 0.4, similarity: 0.6, wordRank: 1, meaningRank: 1 };
    expect(decide([candidate('drying', drying), candidate('price', price)], 0.4)).toMatchObject({ kind: 'answer', candidate: { entry: { id: 'drying' } } });
    // The same leads far from the question in meaning (0.5): a menu.
    expect(decide([candidate('drying', { ...drying, similarity: 0.5 }), candidate('price', { ...price, similarity: 0.44 })], 0.4).kind).toBe('choices');
    // Behind the runner-up by words: a menu, however near in meaning.
    expect(decide([candidate('drying', { ...drying, wordScore: 7 }), candidate('price', price)], 0.4).kind).toBe('choices');
  });

  it('answers when the words leave the next entry a tenth of the best and meaning agrees, even when the best is not near', () => {
    // Invented: "cancel my booking plz" — only one entry speaks of cancelling.
    const cancel = { score: 0.4, wordScore: 40, coverage: 0.45, similarity: 0.45, wordRank: 0, meaningRank: 0 };
    const hours = { score: 0.3, wordScore: 3, coverage: 0.2, similarity: 0.4, wordRank: 1, meaningRank: 1 };
    expect(decide([candidate('cancel', cancel), candidate('hours', hours)], 0.45).kind).toBe('answer');
    // Meaning prefers the other entry: a menu.
    expect(decide([candidate('cancel', cancel), candidate('hours', { ...hours, similarity: 0.47 })], 0.45).kind).toBe('choices');
    // The words only three times ahead: a menu.
    expect(decide([candidate('cancel', cancel), candidate('hours', { ...hours, wordScore: 13 })], 0.45).kind).toBe('choices');
  });

  it("answers from an entry holding most of the message's words and near in meaning, on a smaller joint lead", () => {
    // Invented: "can i park my van outside" — the parking entry holds "park" and "van"; meaning puts
    // the opening-hours entry a hair ahead.
    const parking = { score: 0.4, wordScore: 20, coverage: 0.6, similarity: 0.57, wordRank: 0, meaningRank: 1 };
    const hours = { score: 0.3, wordScore: 11, coverage: 0.2, similarity: 0.6, wordRank: 1, meaningRank: 0 };
    expect(decide([candidate('parking', parking), candidate('hours', hours)], 0.5)).toMatchObject({ kind: 'answer', candidate: { entry: { id: 'parking' } } });
    // Holding less of the message (a third of its words): a menu.
    expect(decide([candidate('parking', { ...parking, coverage: 0.3 }), candidate('hours', hours)], 0.5).kind).toBe('choices');
    // Meaning further behind (0.15): a menu.
    expect(decide([candidate('parking', parking), candidate('hours', { ...hours, similarity: 0.72 })], 0.5).kind).toBe('choices');
  });

  it('does not answer from an entry that leaves part of the message out while meaning prefers another', () => {
    // Invented: "do you rent tandem bikes?" against "Do you rent bikes?" (words far ahead, "tandem"
    // nowhere in the knowledge base) and "Do you repair bikes?" (a hair nearer in meaning).
    const rentals = { score: 0.4, wordScore: 18, coverage: 0.5, similarity: 0.64, wordRank: 0, meaningRank: 1 };
    const repairs = { score: 0.35, wordScore: 3, coverage: 0.2, similarity: 0.66, wordRank: 1, meaningRank: 0 };
    expect(decide([candidate('rentals', rentals), candidate('repairs', repairs)], 0.5).kind).toBe('choices');
    // Holding as much of the message with meaning on its side, it is the answer.
    expect(decide([candidate('rentals', rentals), candidate('repairs', { ...repairs, similarity: 0.6 })], 0.5).kind).toBe('answer');
  });

  it('answers when meaning puts the best entry well ahead and the words are not far behind', () => {
    // Invented: "is my wee dog ok to stay overnight" — the words favour the grooming entry a little
    // ("dog"), meaning the boarding entry by far.
    const boarding = { score: 0.4, wordScore: 8, coverage: 0.3, similarity: 0.68, wordRank: 1, meaningRank: 0 };
    const grooming = { score: 0.35, wordScore: 10, coverage: 0.3, similarity: 0.53, wordRank: 0, meaningRank: 1 };
    expect(decide([candidate('boarding', boarding), candidate('grooming', grooming)], 0.3)).toMatchObject({
      kind: 'answer',
      candidate: { entry: { id: 'boarding' } },
    });
    // The words far behind (half the runner-up's score): a menu.
    expect(decide([candidate('boarding', { ...boarding, wordScore: 5 }), candidate('grooming', grooming)], 0.3).kind).toBe('choices');
    // Meaning only a little ahead (0.05): a menu.
    expect(decide([candidate('boarding', boarding), candidate('grooming', { ...grooming, similarity: 0.63 })], 0.3).kind).toBe('choices');
  });

  it('offers two or three close entries instead of guessing', () => {
    const close = [
      candidate('a', { score: 0.3, coverage: 0.5, similarity: 0.6 }),
      candidate('b', { score: 0.29, coverage: 0.5, similarity: 0.58 }),
      candidate('c', { score: 0.28, coverage: 0.4, similarity: 0.55 }),
      candidate('d', { score: 0.27, coverage: 0.4, similarity: 0.55 }),
    ];
    const verdict = decide(close, 0.4);
    expect(verdict.kind).toBe('choices');
    if (verdict.kind === 'choices') expect(verdict.candidates.map((c) => c.entry.id)).toEqual(['a', 'b', 'c'].slice(0, MAX_CHOICES));
  });

  it('leaves out of the choices a third entry far less plausible than the best', () => {
    const verdict = decide(
      [
        candidate('a', { score: 0.3, coverage: 0.6, similarity: 0.6 }),
        candidate('b', { score: 0.29, coverage: 0.4, similarity: 0.55 }),
        candidate('c', { score: 0.2, coverage: 0, similarity: 0.3 }),
      ],
      0.4,
    );
    expect(verdict.kind === 'choices' && verdict.candidates.map((c) => c.entry.id)).toEqual(['a', 'b']);
  });

  it('is not sure when nothing is near the question', () => {
    const verdict = decide([candidate('a', { coverage: 0.1, similarity: 0.35 }), candidate('b', { coverage: 0, similarity: 0.33 })], 0.1);
    expect(verdict.kind).toBe('not-sure');
    expect(decide([], 0)).toEqual({ kind: 'not-sure', confidence: 0 });
  });

  it('weighs words and meaning into one plausibility, and words alone without meaning', () => {
    expect(plausibility(candidate('a', { coverage: 1, similarity: 0.8 }))).toBeCloseTo(1);
    expect(plausibility(candidate('a', { coverage: 0, similarity: 0.3 }))).toBe(0);
    expect(plausibility(candidate('a', { coverage: 0.7, similarity: undefined }))).toBe(0.7);
    // Words alone: the words' confidence decides.
    expect(decide([candidate('a', { coverage: 0.7, similarity: undefined })], 0.5).kind).toBe('answer');
    expect(decide([candidate('a', { coverage: 0.1, similarity: undefined })], 0.1).kind).toBe('not-sure');
  });
});
