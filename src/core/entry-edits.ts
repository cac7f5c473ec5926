// An organization's own changes to its entries (SPEC §7): an edit replaces the parts of a
// document's entry it names (the document itself is never changed, so "restore" is dropping the
// edit), and the questions customers asked before picking an entry among choices are kept as
// learned phrasings, searched like the entry's own.
import type { KnowledgeEntry } from './entries.js';
import { smallTalkOf, withoutSmallTalk } from './small-talk.js';
import { contentWords, tokenize } from './text.js';

/** What an organization changed in one entry; null keeps the document's own text for that part. */
export interface EntryEdit {
  question: string | null;
  phrasings: string[] | null;
  answer: string | null;
}

export interface LearnedPhrasing {
  id: string;
  phrasing: string;
  createdAt: string;
}

/**
 * An entry as it is answered: the document's, with the organization's edit applied; `phrasings`
 * are its own followed by the learned ones, so the index searches both alike.
 */
export interface KeptEntry extends KnowledgeEntry {
  /** the document's phrasings, or the edit's */
  ownPhrasings: string[];
  learnedPhrasings: LearnedPhrasing[];
  edited: boolean;
}

/** Learned phrasings kept per entry: the operator reads them, and one customer cannot flood an entry. */
export const MAX_LEARNED_PHRASINGS = 50;
/** A learned question longer than this is a message, not a way of asking. */
export const MAX_LEARNED_CHARACTERS = 160;
/** Shorter than this (or a single word) says too little to answer directly next time. */
const MIN_LEARNED_CHARACTERS = 6;

/** The same way of asking, whatever its case, spacing and punctuation: "Open on Sunday?" = "open on sunday". */
export function phrasingKey(text: string): string {
  return tokenize(text).join(' ');
}

/** The document's entry with the organization's edit and learned phrasings. */
export function keptEntry(entry: KnowledgeEntry, edit?: EntryEdit, learned: LearnedPhrasing[] = []): KeptEntry {
  const question = edit?.question ?? entry.question;
  const own = edit?.phrasings ?? entry.phrasings;
  // A learned phrasing the entry has anyway (an edit added it since) is listed but searched once.
  const known = new Set([question, ...own].map(phrasingKey));
  const searched = learned.map((p) => p.phrasing).filter((p) => !known.has(phrasingKey(p)));
  return {
    ...entry,
    question,
    phrasings: [...own, ...searched],
    answer: edit?.answer ?? entry.answer,
    ownPhrasings: own,
    learnedPhrasings: learned,
    edited: edit !== undefined,
  };
}

/**
 * The question a customer asked, as a phrasing worth learning, or undefined: small talk, a bare
 * word, a number or a long message teach nothing. Small talk in front of it is left out.
 */
export function learnablePhrasing(question: string): string | undefined {
  const text = withoutSmallTalk(question).replace(/\s+/g, ' ').trim();
  if (text.length < MIN_LEARNED_CHARACTERS || text.length > MAX_LEARNED_CHARACTERS) return undefined;
  if (smallTalkOf(text)) return undefined;
  // Numbers (an order's, a date) are this customer's own, not a way of asking.
  const words = (list: string[]) => list.filter((w) => !/^\d+$/.test(w)).length;
  if (words(tokenize(text)) < 2 || words(contentWords(text)) === 0) return undefined;
  return text;
}

/** Each way of asking (its phrasingKey) → the ids of the entries asked that way. */
export type AskedAs = Map<string, string[]>;

export function askedAsOf(entries: Iterable<KnowledgeEntry>): AskedAs {
  const asked: AskedAs = new Map();
  for (const entry of entries) {
    for (const key of new Set([entry.question, ...entry.phrasings].map(phrasingKey))) {
      if (!key) continue;
      const ids = asked.get(key) ?? [];
      ids.push(entry.id);
      asked.set(key, ids);
    }
  }
  return asked;
}

/**
 * The one entry whose question or phrasing (a learned one included) the question is, case,
 * spacing and punctuation aside: asked exactly so, the customer means it — that is how a pick
 * teaches. Undefined when no entry, or more than one, is asked that way.
 */
export function entryAskedExactly(asked: AskedAs, question: string): string | undefined {
  const ids = asked.get(phrasingKey(question));
  return ids?.length === 1 ? ids[0] : undefined;
}
