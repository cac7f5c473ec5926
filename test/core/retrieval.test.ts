import { describe, expect, it } from 'vitest';
import { entriesOfDocument } from '../../src/core/entries.js';
import { buildIndex, confidenceOf, loadIndex, searchIndex } from '../../src/core/retrieval.js';
import { wordnetLexicon } from '../../src/services/knowledge/synonyms.js';
import { stem, terms } from '../../src/core/text.js';
import { bareLexicon } from '../support/lexicon.js';

function indexOf(pairs: [string, string][]) {
  const content = pairs.map(([q, a]) => `Q: ${q}\nA: ${a}`).join('\n\n');
  const { indexJson, chunksJson } = buildIndex(entriesOfDocument({ id: 'doc', title: 'FAQ', content }));
  return loadIndex(indexJson, chunksJson, wordnetLexicon);
}

const clinic = indexOf([
  ['Do you make dentures?', 'Full dentures cost $1,400 and take four weeks.'],
  ['Do you remove wisdom teeth?', 'Wisdom tooth extractions cost $180.'],
  ['Do you see emergency patients?', 'We keep same-day slots for toothache and swelling.'],
  ['Is there parking?', 'Free parking is behind the building.'],
  ['What if I cancel?', 'Leave us a message a day before.'],
  ['Do you treat children?', 'We see children from their first tooth.'],
]);

describe('WordNet phrases and broader words', () => {
  it('lets a phrase the knowledge base never uses stand for its unknown word', () => {
    const [best] = searchIndex(clinic, 'how much are false teeth');
    expect(best?.passage.text).toContain('Full dentures');
  });
});

describe('word forms', () => {
  it('brings irregular forms home', () => {
    expect(stem('swollen')).toBe(stem('swell'));
    expect(terms('my kid grew out of it')).toContain(stem('grow'));
    expect(terms('stuff someone things')).toEqual([]);
  });

  it("drops contractions' endings instead of making words of them", () => {
    expect(terms("we'll call, she'll text, we'd come")).toEqual(['call', 'text', 'come']);
    expect(terms("my kid's bike")).toEqual(terms('my kid bike'));
  });

  it('finds a passage by the regular form of an irregular word', () => {
    const [best] = searchIndex(clinic, 'my cheek is swollen');
    expect(best?.passage.text).toContain('swelling');
  });
});

describe('synonyms standing in for a word the knowledge base never uses', () => {
  it('ranks the synonym above a rare word the customer also used', () => {
    const question = 'where can I leave my car';
    const hits = searchIndex(clinic, question);
    expect(hits[0]?.passage.text).toContain('Free parking');
    expect(confidenceOf(question, hits)).toBeGreaterThan(0);
  });
});

describe('the lexicon retrieval is handed', () => {
  const { indexJson, chunksJson } = buildIndex(
    entriesOfDocument({
      id: 'doc',
      title: 'FAQ',
      content: 'Q: Can I rent a kayak?\nA: Kayaks are $20 an hour.\n\nQ: Is there parking?\nA: Free parking by the lake.',
    }),
  );
  const lexicon = bareLexicon;

  it('is where the synonyms come from: without "hire" → "rent" the question finds nothing', () => {
    const withHire = loadIndex(indexJson, chunksJson, lexicon({ hire: ['rent'] }));
    expect(searchIndex(withHire, 'hire')[0]?.passage.text).toContain('Kayaks');
    expect(searchIndex(loadIndex(indexJson, chunksJson, lexicon({})), 'hire')).toEqual([]);
  });
});

describe('numbers', () => {
  const tuition = indexOf([
    ['What are the fees for class 6 to 8?', 'For classes 6 to 8 the fee is 7,000 a month for all four subjects.'],
    ['What are the fees for class 9 and 10?', 'Class 9 and 10 students pay 11,000 a month for all four subjects.'],
    ['What are the fees for Intermediate?', 'Intermediate students pay 14,000 a month.'],
    ['Where are you?', 'We are on the 3rd floor of the Lakshmi building.'],
  ]);

  it('finds the entry whose range holds the number asked about, and reads ordinals as their numbers', () => {
    expect(searchIndex(tuition, 'fees for 7th class all subjects')[0]?.passage.text).toContain('classes 6 to 8');
    expect(searchIndex(tuition, '10th class fees details pls')[0]?.passage.text).toContain('Class 9 and 10');
    expect(searchIndex(tuition, 'which floor, 3 or 4?')[0]?.passage.text).toContain('3rd floor');
  });

  it('does not read a price or a time as the number asked about', () => {
    const shop = indexOf([
      ['What are the fees for class 6 to 8?', 'For classes 6 to 8 the fee is 7,000 a month.'],
      ['Do you sell notebooks?', 'Notebooks are 7.50 each.'],
    ]);
    expect(searchIndex(shop, 'anything for 7.50?')[0]?.passage.text).toContain('Notebooks');
    expect(searchIndex(shop, 'anything for 7?')[0]?.passage.text).toContain('classes 6 to 8');
  });
});
