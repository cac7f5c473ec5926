// The knowledge base as entries (SPEC §7 "Entries, not chunks"): a CSV row's extra question
// columns and "|"-separated phrasings are more phrasings of one entry, a section is one entry
// under its heading, and however many passages an entry is searched by, it is one candidate.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/certainty.js';
import { csvToPairs, documentFromFile } from '../../src/core/documents.js';
import { chunksOfEntries, entriesOfDocument } from '../../src/core/entries.js';
import { fuseWithMeaning, packVectors, unpackVectors } from '../../src/core/meaning.js';
import { buildIndex, confidenceOf, loadIndex, searchIndex } from '../../src/core/retrieval.js';
import { wordnetLexicon } from '../../src/services/knowledge/synonyms.js';

describe('entries of a document', () => {
  it('keeps a CSV row’s extra question columns as more phrasings of the same entry', () => {
    const csv = [
      'question,answer,question 2,question 3',
      'How do I cancel my order?,"Open My Orders and tap Cancel before it ships.",Process of cancelling order,I want cancel my order',
      'Do you deliver?,"Yes, across the city.",,',
    ].join('\n');
    expect(csvToPairs(csv)).toBe(
      'Q: How do I cancel my order? | Process of cancelling order | I want cancel my order\nA: Open My Orders and tap Cancel before it ships.\n\nQ: Do you deliver?\nA: Yes, across the city.',
    );
    const doc = documentFromFile('faq.csv', Buffer.from(csv));
    expect(entriesOfDocument({ id: 'd', title: doc.title, content: doc.content })).toEqual([
      {
        id: 'd#0',
        documentId: 'd',
        documentTitle: 'faq',
        question: 'How do I cancel my order?',
        phrasings: ['Process of cancelling order', 'I want cancel my order'],
        answer: 'Open My Orders and tap Cancel before it ships.',
      },
      { id: 'd#1', documentId: 'd', documentTitle: 'faq', question: 'Do you deliver?', phrasings: [], answer: 'Yes, across the city.' },
    ]);
  });

  it('reads "|"-separated phrasings of a question, each once', () => {
    const [entry] = entriesOfDocument({
      id: 'd',
      title: 'FAQ',
      content: 'Q: When are you open? | opening hours |  When are you open?  | timings\nA: 9am to 6pm.',
    });
    expect(entry).toMatchObject({ question: 'When are you open?', phrasings: ['opening hours', 'timings'], answer: '9am to 6pm.' });
  });

  it('makes a section one entry named by its heading, and its long answer several chunks of that entry', () => {
    const long = Array.from({ length: 60 }, (_, i) => `Vaccine fact number ${i} is stated here.`).join(' ');
    const entries = entriesOfDocument({
      id: 'd',
      title: 'County Vaccine FAQ',
      content: `# Who can get a vaccine?\n\n${long}\n\n# Where?\n\nAt the town hall.`,
    });
    expect(entries.map((e) => e.question)).toEqual(['Who can get a vaccine?', 'Where?']);
    const chunks = chunksOfEntries(entries);
    const firstEntry = chunks.filter((c) => c.entryId === 'd#0');
    expect(firstEntry.length).toBeGreaterThan(1);
    expect(firstEntry.map((c) => c.id)).toEqual(firstEntry.map((_, i) => `d#0/${i}`));
    expect(firstEntry.map((c) => c.text).join(' ')).toBe(long);
  });

  it('searches every phrasing, each a chunk of its entry with no text of its own', () => {
    const [entry] = entriesOfDocument({ id: 'd', title: 'FAQ', content: 'Q: Do you take cards? | card payment\nA: Yes, all cards.' });
    expect(chunksOfEntries([entry!]).map((c) => [c.id, c.question, c.text])).toEqual([
      ['d#0/0', 'Do you take cards?', 'Yes, all cards.'],
      ['d#0/1', 'card payment', ''],
    ]);
  });
});

describe('one candidate per entry', () => {
  // Four phrasings of cancelling, one of returns: five passages, two entries.
  const content = [
    'Q: How can I cancel my order? | Cancel | Process of cancelling order | I want cancel my order\nA: Open My Orders and tap Cancel before it ships.',
    'Q: How do I return an order?\nA: Returns are free within 30 days; book a pickup from My Orders.',
  ].join('\n\n');
  const entries = entriesOfDocument({ id: 'doc', title: 'Shop FAQ', content });
  const { indexJson, chunksJson, chunks } = buildIndex(entries);
  // Every cancelling passage points along one axis, the returns passage along another.
  const axis = (i: number) => {
    const v = new Float32Array(4);
    v[i] = 1;
    return v;
  };
  const vectors = unpackVectors(packVectors(chunks.map((c) => axis(c.entryId === 'doc#0' ? 0 : 1))).vectors, 4);
  const index = loadIndex(indexJson, chunksJson, wordnetLexicon, vectors);

  it('finds an entry once by words, however many of its phrasings match', () => {
    expect(chunks).toHaveLength(5);
    const hits = searchIndex(index, 'cancel my order', 10);
    expect(hits.map((h) => h.entry.id)).toEqual(['doc#0', 'doc#1']);
  });

  it('ranks entries, not passages, by meaning: a menu never offers one entry twice', () => {
    const question = 'cancel order';
    const words = searchIndex(index, question, 10);
    // Halfway between both entries: torn, so the answerer offers choices.
    const between = new Float32Array([Math.SQRT1_2, Math.SQRT1_2, 0, 0]);
    const candidates = fuseWithMeaning(words, index, between);
    expect(candidates.map((c) => c.entry.id)).toEqual(['doc#0', 'doc#1']);
    const verdict = decide(candidates, confidenceOf(question, words));
    const offered = verdict.kind === 'choices' ? verdict.candidates.map((c) => c.entry.id) : verdict.kind === 'answer' ? [verdict.candidate.entry.id] : [];
    expect(new Set(offered).size).toBe(offered.length);
  });
});
