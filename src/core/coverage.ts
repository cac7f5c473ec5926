// Whether the knowledge base covers what a message asks about. "Do you sell pizza?" to a bike
// shop, "can I book a flight to Paris?" to a dentist: the ranking still finds entries (about
// selling, about booking) and a menu of them helps nobody. The thing asked about — the words after
// the request, not those that only place it ("to London", "for my mum", "on Saturday") — is a word
// the knowledge base never uses (not in any entry's question, phrasings or answer, nor a synonym
// or another form of one), not a verb alone ("provided", "included" name nothing asked for) and
// not one of everyday speech ("somewhere", "money", "together" name no subject). When nothing
// else the message says is particular to some entries, or that word is a rare one ("biryani" at
// a coworking space), the answerer says it is not sure and offers a person (SPEC §7).
//
// Measured on the development sets (test/services/knowledge/quality.test.ts): the sentence
// encoder's similarity, its margin over how near the entries are to each other, and whether the
// word and meaning rankings agree did not separate these messages from answerable ones with rare
// words of their own ("can u do my persian cat?"); the words did. How often a word is said
// (spoken counts) tells "dentist" from "somewhere" where WordNet's tag counts did not.
import type { Verdict } from './certainty.js';
import { withoutIntentPhrases } from './intent.js';
import { isAddressWord } from './small-talk.js';
import type { KnowledgeIndex } from './retrieval.js';
import { contentWords, stem, tokenize, withShorthandWrittenOut } from './text.js';

/** What the coverage judgement reads of the index: its words and how many passages hold each, and the lexicon. */
export type Vocabulary = Pick<KnowledgeIndex, 'documentFrequency' | 'passages' | 'lexicon'>;

/**
 * Words that place a request rather than name its subject: prepositions begin such a phrase,
 * articles and possessives continue it, and a pronoun or auxiliary (a new clause) ends it.
 */
const PREPOSITIONS = new Set('to on in at for from by with near about during before after until till over as into onto without via per'.split(' '));
const DETERMINERS = new Set('a an the my your his her our their its this that these those some any every each one two few more of'.split(' '));
const CLAUSE_STARTS = new Set('i you u we he she they it me can could will would is are am do does did and or if when how what who where'.split(' '));
/** When, not what: "on saturday", "today", "this morning". */
const WHEN_WORDS = new Set(
  'today tomorrow tonight now yesterday morning afternoon evening night weekend weekday week month year monday tuesday wednesday thursday friday saturday sunday'.split(
    ' ',
  ),
);
/** A word said this often (times in 51 million words of subtitles) is rarely what a message is about… */
const EVERYDAY = 5000;
/**
 * …and one said this rarely is the message's subject even when other words of it match some
 * entries: "biryani" near the coworking space, "adire" fabric at a tailor's. Between the two,
 * a matched word particular to some entries keeps the menu: "brake pads", "a persian cat" are asked
 * of the knowledge base that knows brakes and cats (measured: a higher line took the right entry's
 * menu from answerable questions of the development sets: "punctured tyres" at a shop that mends punctures).
 */
const RARE = 150;
/** Words for the business itself ("where is your shop"): never what a message asks the business for. */
const THE_BUSINESS = new Set('shop store place premises business company office branch outlet'.split(' '));
/** Words of any request, to any business: matching on them alone says nothing of the subject. */
const REQUEST_WORDS = new Set(
  `sell buy book order deliver delivery repair fix offer provide make get take give find bring recommend run rent hire stock
  carry supply accept price cost pay time open help good best new go place`
    .split(/\s+/)
    .map(stem),
);
/** A word in more than this share of the passages is the business's own subject, not the question's. */
const EVERYWHERE = 0.3;
/** Shorter words are too often shorthand to judge ("pg", "ac"); another form of a word is looked for from this many letters. */
const SHORTEST_SUBJECT = 3;
const SHORTEST_FORM = 4;
/** How many letters a form of a shorter word may add ("pot" → "potteri", pottery's stem). */
const SHORT_WORD_FORM = 4;

/**
 * The request of a message: its first clause when that asks something ("do you sell pizza?",
 * "any hotels near you"), else nothing — "an orange light came on this morning, can you look?"
 * describes a problem in words of its own, and the knowledge base may still cover it; and what
 * follows the request ("…? my dog is fussy") only tells more.
 */
function requestOf(question: string): string {
  const first = /^[^?.!,;:\n]*/.exec(question)![0];
  return question.charAt(first.length) === '?' || REQUEST_START.test(first) ? first : '';
}
const REQUEST_START = /^\s*(?:do|does|did|can|could|will|would|may|is|are|any|anything|have|has|got|where|who|what|whats|how|which|u|you)\b/i;

/** The words of the question that only place it: those in a phrase begun by a preposition. */
function placingWords(question: string): Set<string> {
  const placing = new Set<string>();
  for (const clause of question.split(/[?.!,;:]/)) {
    let inPhrase = false;
    let before = '';
    for (const word of tokenize(clause)) {
      // "help me with my tax return", "looking for a plumber": the preposition begins the subject.
      if (PREPOSITIONS.has(word)) inPhrase = !ASKING_FOR.has(before);
      else if (CLAUSE_STARTS.has(word)) inPhrase = false;
      else if (inPhrase && !DETERMINERS.has(word)) placing.add(word);
      if (!OBJECT_PRONOUNS.has(word)) before = word;
    }
  }
  return placing;
}
/** Verbs whose preposition introduces what is asked for, and the pronouns that may stand between. */
const ASKING_FOR = new Set('help helping look looking search searching ask asking interested difference problem issue wrong'.split(' '));
const OBJECT_PRONOUNS = new Set('me us him her them'.split(' '));

/**
 * Whether the knowledge base uses a word: itself, a synonym of it, or another form of it ("rent" →
 * "rental", "pots" → "pottery": a short word's longer forms add a few letters at most).
 */
function knownWord(vocabulary: Vocabulary, word: string, term: string): boolean {
  if (vocabulary.documentFrequency.has(term)) return true;
  if (vocabulary.lexicon.synonymsOf(word).some((synonym) => vocabulary.documentFrequency.has(stem(synonym)))) return true;
  if (term.length < SHORTEST_SUBJECT) return false;
  const start = term.length < SHORTEST_FORM ? term : term.slice(0, Math.max(SHORTEST_FORM, term.length - 2));
  const longest = term.length < SHORTEST_FORM ? term.length + SHORT_WORD_FORM : Number.POSITIVE_INFINITY;
  for (const known of vocabulary.documentFrequency.keys()) if (known.startsWith(start) && known.length <= longest) return true;
  return joinedWords(vocabulary, word);
}

/** Particles a compound may end in ("cutoff", "pickup", "checkin"): the knowledge base drops them as stop words. */
const PARTICLES = new Set('off up out in on over down back away'.split(' '));

/** Two known words written as one: "hayfever" for hay fever, "cutoff" for cut-off. */
function joinedWords(vocabulary: Vocabulary, word: string): boolean {
  const known = (part: string) => vocabulary.documentFrequency.has(stem(part));
  for (let at = SHORTEST_SUBJECT; at <= word.length - 2; at++) {
    const [first, second] = [word.slice(0, at), word.slice(at)];
    if (known(first) && (PARTICLES.has(second) || (second.length >= SHORTEST_SUBJECT && known(second)))) return true;
  }
  return false;
}

/**
 * What customers ask of every business, that only a knowledge base which speaks of it answers: work
 * ("are you hiring?"), another branch, paying in instalments, a loan, gift cards, loyalty points,
 * a discount, classes to learn the trade — and chat of the weather, match results, elections,
 * jokes, exchange rates, films and airtime. The ranking finds entries for them by their other words
 * ("hire" rents boards, "branch in Durban" finds the moves to Durban, "instalments" shares its stem
 * with "install"), and none is the answer. Each kind with how a knowledge base speaks of it (a surf
 * school's "what if the weather is bad?", a tuition centre's classes): then it is asked like any subject.
 */
const ASKED_OF_EVERY_BUSINESS: { asks: RegExp; spokenOf: RegExp }[] = [
  {
    asks: /\b(?:(?:are|r) (?:you|u|ya) (?:hiring|recruiting)|hiring (?:now|staff|people)|(?:any|got) (?:vacanc(?:y|ies)|job openings?|openings? for)|looking for (?:a |some )?(?:job|work|employment|internship)|(?:need|want) (?:a )?(?:job|internship)|job (?:openings?|vacanc(?:y|ies))|(?:can|could|may) i (?:work|intern) (?:for|with|at) (?:you|u|your|ur|the)\b|\bvolunteer(?:ing)? (?:for|with|at)\b|^\s*hiring\b|take (?:on )?(?:apprentices|interns|trainees)|send (?:you )?(?:my|a) (?:cv|resume))/i,
    // (not "CV": a place may be named so, CV Raman Nagar)
    spokenOf: /\b(?:jobs?|careers?|vacanc(?:y|ies)|recruit\w*|employment|apprentice\w*|internships?)\b/i,
  },
  {
    asks: /\b(?:(?:another|other|more|any|second|new) (?:branch|outlet|shop|store|location)(?:es|s)?|branch(?:es)?|outlets?) (?:in|at|near|around|on)\b|\b(?:another|other|more|any|second|new) (?:branch|outlet)(?:es|s)?\b|\bbranches\b|\bfranchis\w*/i,
    spokenOf: /\b(?:branch(?:es)?|outlets?|franchis\w*)\b/i,
  },
  {
    asks: /\b(?:instal?l?ments?|emi|lay-?by|layaway|pay (?:later|in (?:parts|bits|portions))|payment plans?|financ(?:e|ing)|credit facility|buy now,? pay later|lipa (?:pole pole|mdogo mdogo))\b/i,
    spokenOf: /\b(?:instal?l?ments?|emi|lay-?by|layaway|pay later|payment plans?|financ(?:e|ing)|spread the cost|monthly payments)\b/i,
  },
  { asks: /\b(?:lend|loan) (?:me|us)\b|\b(?:give|need) (?:me )?a loan\b|\bborrow (?:some )?money\b/i, spokenOf: /\b(?:loans?|lend)\b/i },
  {
    asks: /\bgift ?(?:cards?|vouchers?|certificates?|coupons?)\b|\bvouchers?\b/i,
    spokenOf: /\bgift ?(?:cards?|vouchers?|certificates?|coupons?)\b|\bvouchers?\b/i,
  },
  {
    asks: /\b(?:loyalty|reward points|rewards? (?:card|program(?:me)?|scheme)|points card|stamp card)\b/i,
    spokenOf: /\b(?:loyalty|rewards?|points|stamp card)\b/i,
  },
  {
    asks: /\b(?:discounts?|concessions?)\b/i,
    spokenOf: /\b(?:discount\w*|concessions?|offers?|deals?|promo\w*|\d+ ?% off|cheaper|reduced|save|savings)\b/i,
  },
  {
    // "by train" is a way to come, not a course
    asks: /\b(?:do|does|can|could|will|would) (?:you|u|ya)(?: \w+)? (?:train|teach)\b|\b(?:training|teaching|courses?|class(?:es)?|workshops?|lessons?|tutorials?|apprentice\w*|internships?)\b/i,
    spokenOf: /\b(?:train\w*|courses?|class(?:es)?|workshops?|lessons?|teach\w*|tutor\w*|academy|learn\w*)\b/i,
  },
  {
    asks: /\b(?:weather|forecast|will it rain|is it (?:going to|gonna) rain|temperature (?:today|tomorrow|outside))\b/i,
    spokenOf: /\b(?:weather|rain\w*|forecast|storms?)\b/i,
  },
  {
    asks: /\bwho (?:won|will win|wins|is winning|do (?:you|u) think will win)\b|\bwho(?:'s| is) playing\b|\b(?:match|game) (?:score|result)s?\b|\bscore of the\b|\bscores?\s*\??\s*$|\b\w+ (?:vs\.?|versus) \w+\b/i,
    spokenOf: /\b(?:match(?:es)?|games?|scores?|tournaments?|league|fixtures?)\b/i,
  },
  {
    asks: /\b(?:election|elections|president|prime minister|government|politics|political|parliament)\b/i,
    spokenOf: /\b(?:elections?|government|president)\b/i,
  },
  { asks: /\b(?:tell me (?:a |an |some )?(?:joke|story|something funny)|(?:a|any) good jokes?|make me laugh)\b/i, spokenOf: /\bjokes?\b/i },
  { asks: /\b(?:exchange rate|bitcoin|crypto|stock market|share price)\b/i, spokenOf: /\b(?:exchange rate|bitcoin|crypto|stock market)\b/i },
  { asks: /\b(?:movies?|films?|show ?timings?|showtimes?|cinema)\b/i, spokenOf: /\b(?:movies?|films?|cinema|screenings?)\b/i },
  {
    asks: /\b(?:airtime|recharge card|data bundles?|top ?up (?:my )?(?:phone|line|airtime|data))\b/i,
    spokenOf: /\b(?:airtime|recharge|bundles?|top-?ups?)\b/i,
  },
  { asks: /\b(?:homework|assignment|essay|capital of)\b/i, spokenOf: /\b(?:homework|assignments?|essays?)\b/i },
];

/** Whether the knowledge base speaks of each kind above, found once per index when a message first asks it. */
const speaksOfKind = new WeakMap<Vocabulary['passages'], Map<number, boolean>>();
function speaksOf(vocabulary: Vocabulary, kind: number): boolean {
  let known = speaksOfKind.get(vocabulary.passages);
  if (!known) speaksOfKind.set(vocabulary.passages, (known = new Map()));
  let speaks = known.get(kind);
  if (speaks === undefined) {
    const { spokenOf } = ASKED_OF_EVERY_BUSINESS[kind]!;
    speaks = [...vocabulary.passages.values()].some((passage) => spokenOf.test(passage.question) || spokenOf.test(passage.text));
    known.set(kind, speaks);
  }
  return speaks;
}

const askedOfEveryBusiness = (vocabulary: Vocabulary, question: string) =>
  ASKED_OF_EVERY_BUSINESS.some(({ asks }, kind) => asks.test(question) && !speaksOf(vocabulary, kind));

export interface Coverage {
  /** false when the message's subject is absent from the knowledge base: a rare word of it, or any when nothing specific matched */
  covered: boolean;
  /** the message asks what every business is asked (work, a branch, instalments…) or chats of the weather or the news, and the knowledge base never speaks of it */
  offTopic: boolean;
  /** the words naming what the message asks about that the knowledge base never uses */
  missing: string[];
  /** one of them is a rare word ("biryani", "reductions"): said at most RARE times */
  rare: boolean;
  /** one of them is no word of the dictionary either: a brand, a foreign word, a new coinage ("vapes", "covid", "manok") */
  unheardOf: boolean;
  /** the words naming what the message asks about that the knowledge base uses only in other words (a synonym, another form) */
  namedOtherwise: string[];
  /** the request's words the knowledge base uses that are particular to some entries (not request words, not everywhere, not places) */
  specific: string[];
}

/** How much of what the question asks about the knowledge base's words cover. */
export function coverageOf(vocabulary: Vocabulary, question: string): Coverage {
  const written = withShorthandWrittenOut(question, (word) => vocabulary.documentFrequency.has(stem(word)));
  const request = new Set(tokenize(requestOf(written)));
  const placing = placingWords(written);
  // "pre-owned": neither its parts nor the joined word name a subject the way a word does.
  const hyphenated = new Set((written.toLowerCase().match(/[a-z0-9]+(?:-[a-z0-9]+)+/g) ?? []).flatMap((word) => [word.replace(/-/g, ''), ...word.split('-')]));
  const everywhere = vocabulary.passages.size * EVERYWHERE;
  const missing: string[] = [];
  const specific: string[] = [];
  let rare = false;
  let unheardOf = false;
  const namedOtherwise: string[] = [];
  for (const word of new Set(contentWords(withoutIntentPhrases(written)))) {
    if (/\d/.test(word) || WHEN_WORDS.has(word) || PREPOSITIONS.has(word) || isAddressWord(word)) continue;
    const term = stem(word);
    const frequency = vocabulary.documentFrequency.get(term) ?? 0;
    if (frequency > 0) {
      // Evidence is in the request itself: "a dentist in Westlands" is not about Westlands, nor "a
      // mechanic? my car is making noise" about the car park.
      if (frequency <= everywhere && !REQUEST_WORDS.has(term) && !placing.has(word) && request.has(word)) specific.push(word);
      continue;
    }
    const names = () =>
      request.has(word) &&
      !placing.has(word) &&
      !hyphenated.has(word) &&
      !THE_BUSINESS.has(word) &&
      word.length >= SHORTEST_SUBJECT &&
      !vocabulary.lexicon.onlyAVerb(word);
    if (knownWord(vocabulary, word, term)) {
      // A relation customer service makes ("hire" for rent) is as good as the word itself; WordNet's are looser.
      const asUsed = vocabulary.lexicon.relatedByUse(word).some((related) => vocabulary.documentFrequency.has(stem(related)));
      if (!asUsed && names()) namedOtherwise.push(word);
      continue;
    }
    // "price", "book", "deliver": what any request asks, never its missing subject
    if (!names() || REQUEST_WORDS.has(term)) continue;
    const said = vocabulary.lexicon.spokenFrequency(word);
    if (said > EVERYDAY) continue;
    missing.push(word);
    if (said <= RARE) rare = true;
    if (said <= RARE && !vocabulary.lexicon.inDictionary(word)) unheardOf = true;
  }
  const offTopic = askedOfEveryBusiness(vocabulary, written);
  return { covered: !offTopic && (missing.length === 0 || (specific.length > 0 && !rare)), offTopic, missing, rare, unheardOf, namedOtherwise, specific };
}

/**
 * A menu offered for a message whose subject the knowledge base does not cover becomes "not
 * sure" (a person is offered): none of its choices is about what was asked. An answer is left as
 * it is — the words and the meaning agreed on it — unless the message asks what every business is
 * asked and the knowledge base never speaks of it, or a word of no dictionary that it never uses
 * is all that names the subject.
 */
export function withCoverageChecked(verdict: Verdict, coverage: Coverage): Verdict {
  if (verdict.kind === 'not-sure') return verdict;
  if (coverage.offTopic || (verdict.kind === 'choices' && !coverage.covered)) return { kind: 'not-sure', confidence: verdict.confidence };
  // "do you sell vapes?" to a pharmacy: a word of no dictionary names the subject and nothing else asked is
  // particular to any entry ("reductions for students" is still answered by the student discount).
  if (verdict.kind === 'answer' && coverage.unheardOf && coverage.specific.length === 0) return { kind: 'not-sure', confidence: verdict.confidence };
  return verdict;
}

/** Whether the message names nothing the knowledge base does not use as it is (and is not chat or a job search). */
export const asksInItsOwnWords = (coverage: Coverage) => !coverage.offTopic && coverage.missing.length === 0 && coverage.namedOtherwise.length === 0;
