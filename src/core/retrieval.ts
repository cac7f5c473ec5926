// BM25 retrieval over an organization's passages (MiniSearch), with the customer's words first,
// their WordNet synonyms at a lower weight, and a boost for passages holding the kind of fact the
// question asks for. Confidence is how much of the question the best passage covers.
import MiniSearch from 'minisearch';
import { type Chunk, chunksOfEntries, type KnowledgeEntry } from './entries.js';
import type { AskedAs } from './entry-edits.js';
import { intentBoost, passageFacts, questionIntents, withLocationAsked, withoutIntentPhrases, type PassageFacts } from './intent.js';
import { contentWords, isStopWord, stem, tokenize, withShorthandWrittenOut } from './text.js';

/**
 * What retrieval knows about English words, handed in by its caller (the knowledge service reads
 * it from WordNet: services/knowledge/synonyms.ts), so this module stays free of I/O.
 */
export interface Lexicon {
  /** single-word synonyms and derived forms of a lower-case word; [] when unknown */
  synonymsOf(word: string): string[];
  /** the words of its broader meaning ("false_teeth" → denture) */
  broaderWordsOf(word: string): string[];
  /** how often the word occurs in ordinary English; 0 when unknown */
  generalFrequency(word: string): number;
  /** how often the word is said in everyday English (a count in 51 million words); 0 when unknown */
  spokenFrequency(word: string): number;
  /** whether the word is known as a verb and never as a noun */
  onlyAVerb(word: string): boolean;
  /** whether the dictionary knows the word (in some form) at all: not a brand, a foreign word or a new coinage */
  inDictionary(word: string): boolean;
  /** the words customer service relates to this one ("hire" → rent), a closer relation than WordNet's */
  relatedByUse(word: string): string[];
  /** whether an underscore-joined phrase ("false_teeth") is one entry */
  isKnownPhrase(phrase: string): boolean;
}

/** a synonym counts this much of the customer's own word in ranking… */
export const SYNONYM_WEIGHT = 0.4;
/** …and this much when the knowledge base never uses the customer's word: the synonyms are all there is */
const STAND_IN_WEIGHT = 0.8;
/** …and this much in confidence: a passage that says "rent" does answer "hire" */
const SYNONYM_CREDIT = 0.8;
/** a broader word ("denture" for "false teeth") answers the question only in part */
const BROADER_CREDIT = 0.4;
/** a near-miss spelling ("bycicle") counts this much in confidence */
const FUZZY_CREDIT = 0.7;
/**
 * A word the knowledge base never uses counts against confidence as much as the knowledge base's
 * rarest word, times this factor: more for a word rare in ordinary English ("pizza" — the
 * question is about something else), less for an everyday one ("afternoon", "house").
 */
function unknownWordFactor(lexicon: Lexicon, word: string): number {
  return Math.min(1.5, Math.max(0.6, 1.6 - 0.25 * Math.log1p(lexicon.generalFrequency(word))));
}
const FIELD_BOOST = { question: 2, heading: 1.3, text: 1 };
/** a word in more than this share of the passages is too common to search by when rarer ones are asked */
const COMMON_SHARE = 0.3;
/** below this many passages every word is searched: it is fast anyway */
const LARGE_INDEX = 200;

interface IndexedChunk {
  id: string;
  question: string;
  heading: string;
  text: string;
}

const indexOptions = {
  fields: ['question', 'heading', 'text'],
  tokenize: (text: string) => tokenize(text),
  processTerm: (word: string) => (isStopWord(word) || (word.length < 2 && !/\d/.test(word)) ? null : stem(word)),
};

export interface Passage extends Chunk {
  facts: PassageFacts;
  /** every stem of the passage, its headings included */
  terms: Set<string>;
}

export interface KnowledgeIndex {
  search: MiniSearch<IndexedChunk>;
  passages: Map<string, Passage>;
  /** what the passages are pieces of, by entry id */
  entries: Map<string, KnowledgeEntry>;
  /** stem → number of passages containing it */
  documentFrequency: Map<string, number>;
  maxIdf: number;
  /** the words' synonyms and frequencies the questions are read with */
  lexicon: Lexicon;
  /** each passage's sentence vector, in passage order, when trained with the encoder */
  vectors?: Int8Array[];
  /** the name of the encoder that made the vectors: a question is read by the same one */
  encoder?: string;
  /** the entries by each exact way of asking them, made on first use (core/entry-edits.ts) */
  askedAs?: AskedAs;
}

/** One entry found by the words: the best of its passages (its answer's pieces, its phrasings) speaks for it. */
export interface Hit {
  entry: KnowledgeEntry;
  /** the entry's passage that scored best */
  passage: Passage;
  score: number;
  /** share of the question the entry answers (its best passage's), in [0, 1] */
  coverage: number;
}

function toIndexed(chunk: Chunk): IndexedChunk {
  return { id: chunk.id, question: chunk.question, heading: chunk.title, text: chunk.text };
}

/** What `chunks_json` holds: the entries and the chunks the index finds them by. */
interface StoredEntries {
  entries: KnowledgeEntry[];
  chunks: Chunk[];
}

/** Before entries, `chunks_json` was the passages alone (with a heading each): each stands for an entry of its own. */
interface PassageBeforeEntries {
  id: string;
  documentId: string;
  title: string;
  heading?: string;
  question: string;
  text: string;
}

export function storedEntries(chunksJson: string): StoredEntries {
  const stored = JSON.parse(chunksJson) as StoredEntries | PassageBeforeEntries[];
  if (!Array.isArray(stored)) return stored;
  return {
    entries: stored.map((p) => ({
      id: p.id,
      documentId: p.documentId,
      documentTitle: p.title,
      question: p.question || (p.heading?.split(' › ').at(-1) ?? ''),
      phrasings: [],
      answer: p.text,
    })),
    chunks: stored.map((p) => ({ id: p.id, entryId: p.id, documentId: p.documentId, title: p.title, question: p.question, text: p.text })),
  };
}

/**
 * The entries cut into passages (core/entries.ts) and indexed: the serialized index, and the
 * entries and passages as stored in `knowledge_indexes`. `onProgress` hears each passage added.
 */
export function buildIndex(
  entries: KnowledgeEntry[],
  onProgress?: (done: number, total: number) => void,
): { indexJson: string; chunksJson: string; chunks: Chunk[] } {
  const chunks = chunksOfEntries(entries);
  const search = new MiniSearch<IndexedChunk>(indexOptions);
  // One at a time, as addAll would, to report how far it is.
  chunks.forEach((chunk, i) => {
    search.add(toIndexed(chunk));
    onProgress?.(i + 1, chunks.length);
  });
  return { indexJson: JSON.stringify(search), chunksJson: JSON.stringify({ entries, chunks } satisfies StoredEntries), chunks };
}

export function loadIndex(indexJson: string, chunksJson: string, lexicon: Lexicon, vectors?: Int8Array[]): KnowledgeIndex {
  const { entries, chunks } = storedEntries(chunksJson);
  const index = emptyIndex(MiniSearch.loadJSON<IndexedChunk>(indexJson, indexOptions), lexicon, entries);
  for (const chunk of chunks) addPassage(index, chunk);
  return finished(index, vectors);
}

/** Passages read between two yields to the event loop while an index loads. */
const LOAD_SLICE = 250;

/**
 * As loadIndex, giving the event loop a turn every few hundred passages: an index of 15,000
 * passages takes half a second or more to load, which would otherwise hold up every webhook.
 */
export async function loadIndexAsync(indexJson: string, chunksJson: string, lexicon: Lexicon, vectors?: Int8Array[]): Promise<KnowledgeIndex> {
  const { entries, chunks } = storedEntries(chunksJson);
  const index = emptyIndex(await MiniSearch.loadJSONAsync<IndexedChunk>(indexJson, indexOptions), lexicon, entries);
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0 && i % LOAD_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    addPassage(index, chunks[i]!);
  }
  return finished(index, vectors);
}

function emptyIndex(search: MiniSearch<IndexedChunk>, lexicon: Lexicon, entries: KnowledgeEntry[]): KnowledgeIndex {
  return { search, passages: new Map(), entries: new Map(entries.map((e) => [e.id, e])), documentFrequency: new Map(), maxIdf: 0, lexicon };
}

function addPassage(index: KnowledgeIndex, chunk: Chunk): void {
  const indexed = toIndexed(chunk);
  const seen = new Set<string>();
  // A passage that is only another phrasing holds the facts of its entry's answer.
  const text = chunk.text || index.entries.get(chunk.entryId)?.answer || '';
  index.passages.set(chunk.id, { ...chunk, facts: passageFacts(`${chunk.question}\n${text}`), terms: seen });
  for (const field of indexOptions.fields) {
    for (const word of tokenize(indexed[field as keyof IndexedChunk])) {
      const term = indexOptions.processTerm(word);
      if (term) seen.add(term);
    }
  }
  for (const term of seen) index.documentFrequency.set(term, (index.documentFrequency.get(term) ?? 0) + 1);
}

function finished(index: KnowledgeIndex, vectors: Int8Array[] | undefined): KnowledgeIndex {
  index.vectors = vectors?.length === index.passages.size ? vectors : undefined;
  index.maxIdf = idf(index, 1);
  return index;
}

function idf(index: Pick<KnowledgeIndex, 'passages'>, frequency: number): number {
  const n = index.passages.size;
  return Math.log(1 + (n - frequency + 0.5) / (frequency + 0.5));
}

interface QueryWord {
  term: string;
  synonyms: string[];
  /** the synonyms are broader words ("denture" for "false teeth"): they answer less surely */
  broader: boolean;
  weight: number;
}

/** The stems of a word's synonyms that the knowledge base uses; a phrase's broader words when it uses no synonym. */
function synonymsInIndex(index: KnowledgeIndex, word: string, term: string, unknown: boolean): { synonyms: string[]; broader: boolean } {
  const inIndex = (candidates: string[]) => {
    const found = new Set<string>();
    for (const candidate of candidates) {
      const s = stem(candidate);
      if (s !== term && index.documentFrequency.has(s)) found.add(s);
    }
    return [...found];
  };
  const synonyms = inIndex(index.lexicon.synonymsOf(word));
  // Broader words only for phrases: a single word's ("washing" → "work") lead anywhere.
  return synonyms.length || !unknown || !word.includes('_')
    ? { synonyms, broader: false }
    : { synonyms: inIndex(index.lexicon.broaderWordsOf(word)), broader: true };
}

function queryWord(index: KnowledgeIndex, word: string, term: string, { synonyms, broader }: { synonyms: string[]; broader: boolean }): QueryWord {
  const frequency = index.documentFrequency.get(term);
  const weight = frequency
    ? idf(index, frequency)
    : synonyms.length
      ? Math.max(...synonyms.map((s) => idf(index, index.documentFrequency.get(s)!)))
      : index.maxIdf * unknownWordFactor(index.lexicon, word);
  return { term, synonyms, broader, weight };
}

/** Ranges of numbers the knowledge base writes ("classes 6 to 8", "ages 3-5"), read once per index. */
const rangesOfIndex = new WeakMap<KnowledgeIndex['passages'], [number, number][]>();
const RANGE = /\b(\d{1,3})\s?(?:to|-|–)\s?(\d{1,3})\b/g;
function rangesOf(index: KnowledgeIndex): [number, number][] {
  let ranges = rangesOfIndex.get(index.passages);
  if (!ranges) {
    const seen = new Map<string, [number, number]>();
    for (const passage of index.passages.values()) {
      for (const match of `${passage.question} ${passage.text}`.matchAll(RANGE)) {
        const [low, high] = [Number(match[1]), Number(match[2])];
        if (low < high) seen.set(`${low} ${high}`, [low, high]);
      }
    }
    ranges = [...seen.values()];
    rangesOfIndex.set(index.passages, ranges);
  }
  return ranges;
}

/**
 * A number the question asks about that falls inside a range the knowledge base writes, with the
 * range's ends: "fees for 7th class" meets "classes 6 to 8". Numbers in a price or a time are left
 * alone (they are not what is asked about).
 */
function withRangesNamed(index: KnowledgeIndex, question: string): string {
  const numbers = (question.match(/(?<![\d.,:£$€₹₦₱])\b\d{1,3}(?:st|nd|rd|th)?\b(?![.,:]\d)/gi) ?? []).map((n) => Number.parseInt(n, 10));
  if (numbers.length === 0) return question;
  const ends = rangesOf(index).filter(([low, high]) => numbers.some((n) => n > low && n < high));
  return ends.length === 0 ? question : `${question} ${ends.map(([low, high]) => `${low} ${high}`).join(' ')}`;
}

/**
 * The question as stems: each content word with its synonyms the knowledge base actually uses.
 * Two words WordNet knows as one ("false teeth", "test drive"), one of them unknown to the
 * knowledge base, are read as that one thing, through the phrase's synonyms or broader words.
 */
function readQuestion(index: KnowledgeIndex, question: string): QueryWord[] {
  const words: QueryWord[] = [];
  const written = withRangesNamed(
    index,
    withShorthandWrittenOut(withLocationAsked(question), (word) => index.documentFrequency.has(stem(word))),
  );
  const content = contentWords(withoutIntentPhrases(written));
  const unknown = (word: string) => !index.documentFrequency.has(stem(word));
  const standsIn = new Set<number>();
  for (let i = 0; i + 1 < content.length; i++) {
    const [first, second] = [content[i]!, content[i + 1]!];
    if (!(unknown(first) || unknown(second)) || !index.lexicon.isKnownPhrase(`${first}_${second}`)) continue;
    const synonyms = synonymsInIndex(index, `${first}_${second}`, '', true);
    if (synonyms.synonyms.length === 0) continue;
    words.push(queryWord(index, `${first}_${second}`, `${stem(first)}_${stem(second)}`, synonyms));
    standsIn.add(i).add(i + 1);
  }
  content.forEach((word, i) => {
    const term = stem(word);
    if (standsIn.has(i) || words.some((w) => w.term === term)) return;
    words.push(queryWord(index, word, term, synonymsInIndex(index, word, term, unknown(word))));
  });
  return words;
}

function coverageOf(index: KnowledgeIndex, words: QueryWord[], matched: Set<string>): number {
  let total = 0;
  let covered = 0;
  for (const word of words) {
    total += word.weight;
    if (matched.has(word.term)) covered += word.weight * (index.documentFrequency.has(word.term) ? 1 : FUZZY_CREDIT);
    else if (word.synonyms.some((s) => matched.has(s))) covered += word.weight * (word.broader ? BROADER_CREDIT : SYNONYM_CREDIT);
  }
  return total === 0 ? 0 : covered / total;
}

/** The entries that best answer a question by its words, best first, at most `limit`. */
export function searchIndex(index: KnowledgeIndex, question: string, limit = 3): Hit[] {
  const words = readQuestion(index, question);
  if (words.length === 0 || index.passages.size === 0) return [];
  // A word in most passages ("bike" in a bike shop's) barely changes the ranking but makes BM25
  // visit every passage; it is left out of the search when rarer words are asked about, and
  // still counts for confidence (coverageOf reads the passage's own terms).
  const common = index.passages.size * COMMON_SHARE;
  const isRare = (w: QueryWord) => (index.documentFrequency.get(w.term) ?? 0) <= common;
  const knownRare = words.some((w) => isRare(w) && index.documentFrequency.has(w.term));
  const searched = index.passages.size >= LARGE_INDEX && knownRare ? words.filter(isRare) : words;
  const weights = new Map<string, number>();
  // A phrase ("false_teeth") is searched by its synonyms only: the index holds single words.
  for (const word of searched) if (!word.term.includes('_')) weights.set(word.term, 1);
  for (const word of searched) {
    // A word with many synonyms must not outweigh the customer's other words.
    const known = index.documentFrequency.has(word.term);
    const each = (known ? SYNONYM_WEIGHT : STAND_IN_WEIGHT) / Math.sqrt(word.synonyms.length || 1);
    for (const s of word.synonyms) weights.set(s, Math.max(weights.get(s) ?? 0, each));
  }
  const intents = questionIntents(question);
  const results = index.search.search([...weights.keys()].join(' '), {
    tokenize: (q) => q.split(' '),
    processTerm: (t) => t,
    boost: FIELD_BOOST,
    boostTerm: (term) => weights.get(term) ?? SYNONYM_WEIGHT,
    // Other word forms the stemmer keeps apart ("rent" → "rental", "park" → "parking")…
    prefix: (term) => weights.get(term) === 1 && term.length >= 4,
    // …and spelling slips, only for words the knowledge base does not know ("bycicle").
    fuzzy: (term) => (weights.get(term) === 1 && term.length >= 5 && !index.documentFrequency.has(term) ? 1 : false),
    maxFuzzy: 1,
  });
  // One hit per entry: its passages' best score, and the most of the question any of them covers.
  const byEntry = new Map<string, { passage: Passage; score: number; found: { passage: Passage; matched: string[] }[] }>();
  for (const result of results) {
    const passage = index.passages.get(result.id as string);
    if (!passage) continue;
    // MiniSearch multiplies by the number of query terms matched; count the customer's words
    // instead, so three synonyms of one word do not beat two different words.
    const matched = result.queryTerms;
    const wordsMatched = searched.filter((w) => matched.includes(w.term) || w.synonyms.some((s) => matched.includes(s))).length;
    const score = (result.score / Math.max(1, matched.length)) * wordsMatched * intentBoost(intents, passage.facts);
    const known = byEntry.get(passage.entryId);
    if (!known) byEntry.set(passage.entryId, { passage, score, found: [{ passage, matched }] });
    else {
      known.found.push({ passage, matched });
      if (score > known.score) [known.passage, known.score] = [passage, score];
    }
  }
  const ranked = [...byEntry.values()].sort((a, b) => b.score - a.score).slice(0, limit);
  return ranked.flatMap(({ passage, score, found }) => {
    const entry = index.entries.get(passage.entryId);
    if (!entry) return [];
    const coverage = Math.max(
      ...found.map(({ passage: part, matched }) => {
        const terms = new Set(matched);
        for (const word of words) if (part.terms.has(word.term)) terms.add(word.term);
        return coverageOf(index, words, terms);
      }),
    );
    return [{ entry, passage, score, coverage }];
  });
}

/**
 * Confidence in the best hit, in [0, 1]: the share of the question it covers, lowered when the
 * question asks for a price, a time or a duration the passage does not hold, and when the runner-up
 * scores nearly as well (two passages answer about equally: which one is meant is a guess).
 */
export function confidenceOf(question: string, hits: Hit[]): number {
  const [best, runnerUp] = hits;
  if (!best) return 0;
  const intents = questionIntents(question);
  const factMissing = intents.length > 0 && intentBoost(intents, best.passage.facts) === 1;
  const closeness = runnerUp && best.score > 0 ? runnerUp.score / best.score : 0;
  const ambiguity = 1 - Math.max(0, closeness - 0.5);
  return Math.round(Math.min(1, best.coverage * (factMissing ? 0.8 : 1) * ambiguity) * 1000) / 1000;
}
