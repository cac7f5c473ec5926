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
});
