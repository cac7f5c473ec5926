// WordNet as the knowledge service reads it: the lexicon retrieval is handed.
import { describe, expect, it } from 'vitest';
import { broaderWordsOf, isKnownPhrase, wordnetLexicon } from '../../../src/services/knowledge/synonyms.js';

describe('WordNet phrases and broader words', () => {
  it('knows two-word entries and their broader meaning', () => {
    expect(isKnownPhrase('false_teeth')).toBe(true);
    expect(isKnownPhrase('teeth_false')).toBe(false);
    expect(broaderWordsOf('false_teeth')).toContain('denture');
  });

  it('hands retrieval the same answers as a lexicon', () => {
    expect(wordnetLexicon.synonymsOf('bike')).toContain('bicycle');
    expect(wordnetLexicon.generalFrequency('house')).toBeGreaterThan(wordnetLexicon.generalFrequency('pizza'));
    expect(wordnetLexicon.isKnownPhrase('false_teeth')).toBe(true);
  });

  it('reads a way to pay by its brand as payment, and a deal as an offer, one way only', () => {
    for (const brand of ['mpesa', 'gpay', 'revolut', 'afterpay', 'paybill']) expect(wordnetLexicon.synonymsOf(brand), brand).toContain('payment');
    expect(wordnetLexicon.synonymsOf('deals')).toContain('offer');
    expect(wordnetLexicon.synonymsOf('offer')).not.toContain('deal');
  });

  it('counts how often a word is said, in its commonest form, and knows a verb that names no thing', () => {
    // WordNet's tag counts put "money" below "horse"; spoken English does not.
    expect(wordnetLexicon.spokenFrequency('money')).toBeGreaterThan(wordnetLexicon.spokenFrequency('horse'));
    expect(wordnetLexicon.spokenFrequency('somewhere')).toBeGreaterThan(wordnetLexicon.spokenFrequency('dentist'));
    expect(wordnetLexicon.spokenFrequency('dentists')).toBe(wordnetLexicon.spokenFrequency('dentist'));
    expect(wordnetLexicon.spokenFrequency('biryani')).toBe(0);
    expect(wordnetLexicon.onlyAVerb('provided')).toBe(true);
    expect(wordnetLexicon.onlyAVerb('included')).toBe(true);
    expect(wordnetLexicon.onlyAVerb('booking')).toBe(false);
    expect(wordnetLexicon.onlyAVerb('biryani')).toBe(false);
  });
});
