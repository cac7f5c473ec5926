// A lexicon that knows no words, for tests of retrieval without WordNet; `synonyms` gives it some.
import type { Lexicon } from '../../src/core/retrieval.js';

export function bareLexicon(synonyms: Record<string, string[]> = {}): Lexicon {
  return {
    synonymsOf: (word) => synonyms[word] ?? [],
    broaderWordsOf: () => [],
    generalFrequency: () => 0,
    spokenFrequency: () => 0,
    onlyAVerb: () => false,
    inDictionary: () => false,
    relatedByUse: () => [],
    isKnownPhrase: () => false,
  };
}
