// The one answerer for WhatsApp and the widget: retrieval over the organization's own entries,
// and, for plans with LLM answers when an LLM is configured, a model writing from those entries.
// It answers when it knows, offers two or three close entries as choices when it is torn, says
// it is not sure (and offers a person) when nothing is near, and answers small talk in kind.
import { decide, MAX_CHOICES, SURE_BY_WORDS, type Candidate, type Verdict } from '../../core/certainty.js';
import { asksInItsOwnWords, coverageOf, withCoverageChecked } from '../../core/coverage.js';
import type { KnowledgeEntry } from '../../core/entries.js';
import { askedAsOf, entryAskedExactly } from '../../core/entry-edits.js';
import { fuseWithMeaning, wordCandidates } from '../../core/meaning.js';
import { planOf } from '../../core/plans.js';
import { confidenceOf, searchIndex, type KnowledgeIndex, type Passage } from '../../core/retrieval.js';
import { smallTalkOf, smallTalkReply, withoutSmallTalk } from '../../core/small-talk.js';
import { stem, trimToSentences, withShorthandWrittenOut } from '../../core/text.js';
import type { AppContext } from '../context.js';
import { knowledgeIndex, questionVector } from './training.js';
import { askLlm, type ChatTurn } from './llm.js';
import { getOrganization } from '../tenancy/organizations.js';
import { loadPlans } from '../tenancy/plans.js';

/** How many entries the LLM gets to write from. */
const LLM_ENTRIES = 3;
/** One WhatsApp message, comfortably readable. */
export const MAX_ANSWER_CHARACTERS = 1000;
/** A choice's title in a numbered list or on a button. */
const MAX_CHOICE_TITLE = 80;

export const NOT_SURE_ANSWER = "I'm not sure I have the right answer to that.";
export const OFFER_HUMAN = 'Reply *human* to talk to a person.';
export const CHOICES_QUESTION = 'Did you mean:';
/** Before the knowledge base's first training: not "not sure" (nothing was looked up), and a person is offered. */
export const NOT_TRAINED_ANSWER = "I can't answer questions here yet.";

/** An entry an answer came from. */
export interface AnswerSource {
  documentId: string;
  entryId: string;
  /** the entry's title (its question) */
  title: string;
  /** the entry's passage that matched */
  chunkId: string;
}

/** An entry offered as a choice: its id (answered from when picked) and what the customer reads. */
export interface AnswerChoice {
  id: string;
  title: string;
}

export type AnswerKind = 'answer' | 'choices' | 'not-sure' | 'small-talk';

export interface Answer {
  /** the text a WhatsApp customer gets, the offer of a person included */
  answer: string;
  sources: AnswerSource[];
  confidence: number;
  /** the answer stands on its own: no choice to make, no person to offer */
  confident: boolean;
  kind: AnswerKind;
  choices?: AnswerChoice[];
  /** the customer is offered a person (reply *human*, or the widget's button) */
  offerHuman: boolean;
  /** the knowledge base has never been trained: nothing could be looked up (kind `not-sure`) */
  untrained?: true;
}

export interface AnswerOptions {
  history?: ChatTurn[];
  /** the widget's own greeting, answered to a visitor's "hi" */
  greeting?: string | null;
}

function sourceOf(entry: KnowledgeEntry, passage: Passage): AnswerSource {
  return { documentId: entry.documentId, entryId: entry.id, title: entryTitle(entry), chunkId: passage.id };
}

/**
 * How an entry is named in a list of choices and as a source: its question, else (prose under no
 * heading) its first sentence — never its document's title, which names every entry of it alike.
 */
export function entryTitle(entry: KnowledgeEntry): string {
  const title = (entry.question || (entry.answer.split(/(?<=[.!?])\s|\n/)[0] ?? '')).replace(/\s+/g, ' ').trim();
  return title.length <= MAX_CHOICE_TITLE ? title : `${title.slice(0, MAX_CHOICE_TITLE - 1).trimEnd()}…`;
}

/**
 * What the customer is told from an entry: its answer, trimmed at a sentence for WhatsApp. An
 * answer too long for one message (a long section) is told from its piece that matched instead.
 */
export function entryAnswer(entry: KnowledgeEntry, passage?: Passage): string {
  const text = entry.answer.length > MAX_ANSWER_CHARACTERS && passage?.text ? passage.text : entry.answer;
  return trimToSentences(text, MAX_ANSWER_CHARACTERS);
}

/** "Did you mean: 1. … 2. … Reply 1 or 2, or *human* to talk to a person." */
export function choicesText(choices: AnswerChoice[]): string {
  const numbers = choices.map((_, i) => String(i + 1));
  const which = numbers.length === 2 ? numbers.join(' or ') : `${numbers.slice(0, -1).join(', ')} or ${numbers.at(-1)}`;
  return [CHOICES_QUESTION, ...choices.map((choice, i) => `${i + 1}. ${choice.title}`), `Reply ${which}, or *human* to talk to a person.`].join('\n');
}

/** How deep the word ranking goes when fused with the meaning ranking. */
const FUSED_WORD_HITS = 50;

/**
 * A message typed in capitals ("ARE YOU OPEN TODAY") or with Every Word Capitalised, as a sentence:
 * the sentence encoder reads case, and took such a message far from the same words in lower case.
 */
export function inSentenceCase(question: string): string {
  const letters = question.replace(/[^\p{L}]/gu, '');
  const capitals = letters.replace(/[^\p{Lu}]/gu, '').length;
  const words = question.match(/\p{L}+/gu) ?? [];
  const titleCase = words.length >= 3 && words.every((word) => /^\p{Lu}/u.test(word));
  if (letters.length < 4 || (capitals * 2 <= letters.length && !titleCase)) return question;
  const lower = question.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/**
 * The candidate entries for a question, best first, and the words' own confidence. The meaning
 * of the question joins the words when the index has sentence vectors, unless the words leave no
 * doubt; if the encoder fails, the words' ranking stands.
 */
export async function candidatesFor(ctx: AppContext, index: KnowledgeIndex, question: string): Promise<{ candidates: Candidate[]; wordsConfidence: number }> {
  const wordHits = searchIndex(index, question, FUSED_WORD_HITS);
  const wordsConfidence = confidenceOf(question, wordHits);
  const byWords = { candidates: wordCandidates(wordHits), wordsConfidence };
  if (!index.vectors || wordsConfidence >= SURE_BY_WORDS) return byWords;
  try {
    const vector = await questionVector(ctx, index, inSentenceCase(question));
    return vector ? { candidates: fuseWithMeaning(wordHits, index, vector), wordsConfidence } : byWords;
  } catch (err) {
    ctx.log.warn({ reason: (err as Error).message }, 'sentence encoder failed; answered by words alone');
    return byWords;
  }
}

/** Asked exactly as one entry's question or phrasing (one a pick taught included): that entry is the answer. */
function askedExactly(index: KnowledgeIndex, question: string, candidates: Candidate[]): Verdict | undefined {
  index.askedAs ??= askedAsOf(index.entries.values());
  const entryId = entryAskedExactly(index.askedAs, question);
  const candidate = entryId ? candidates.find((c) => c.entry.id === entryId) : undefined;
  return candidate && { kind: 'answer', candidate, confidence: 1 };
}

function fromVerdict(verdict: Verdict): Answer {
  const { confidence } = verdict;
  switch (verdict.kind) {
    case 'answer':
      return answerFrom(verdict.candidate.entry, verdict.candidate.passage, confidence);
    case 'choices': {
      const offered = verdict.candidates.slice(0, MAX_CHOICES);
      const choices = offered.map(({ entry }) => ({ id: entry.id, title: entryTitle(entry) }));
      return {
        answer: choicesText(choices),
        sources: offered.map((c) => sourceOf(c.entry, c.passage)),
        confidence,
        confident: false,
        kind: 'choices',
        choices,
        offerHuman: true,
      };
    }
    case 'not-sure':
      return notSure(confidence);
  }
}

function answerFrom(entry: KnowledgeEntry, passage: Passage | undefined, confidence: number): Answer {
  return {
    answer: entryAnswer(entry, passage),
    sources: passage ? [sourceOf(entry, passage)] : [],
    confidence,
    confident: true,
    kind: 'answer',
    offerHuman: false,
  };
}

function notSure(confidence: number): Answer {
  return { answer: `${NOT_SURE_ANSWER} ${OFFER_HUMAN}`, sources: [], confidence, confident: false, kind: 'not-sure', offerHuman: true };
}

export async function answerQuestion(ctx: AppContext, organizationId: string, text: string, options: AnswerOptions = {}): Promise<Answer> {
  const smallTalk = smallTalkOf(text);
  if (smallTalk) {
    const organization = await getOrganization(ctx, organizationId);
    const answer = smallTalkReply(smallTalk, organization.name, options.greeting);
    return { answer, sources: [], confidence: 1, confident: true, kind: 'small-talk', offerHuman: false };
  }
  const index = await knowledgeIndex(ctx, organizationId);
  if (!index) return { ...notSure(0), answer: `${NOT_TRAINED_ANSWER} ${OFFER_HUMAN}`, untrained: true };
  // Written out once for words and meaning alike: the sentence encoder reads English.
  const asked = withoutSmallTalk(text);
  const question = withShorthandWrittenOut(asked, (word) => index.documentFrequency.has(stem(word)));
  const { candidates, wordsConfidence } = await candidatesFor(ctx, index, question);
  const coverage = coverageOf(index, question);
  const verdict =
    askedExactly(index, question, candidates) ||
    withCoverageChecked(decide(candidates, wordsConfidence, asksInItsOwnWords(coverage), coverage.covered), coverage);
  const retrieval = fromVerdict(verdict);

  const llm = ctx.config.llm;
  if (!llm || verdict.kind === 'not-sure') return retrieval;
  const organization = await getOrganization(ctx, organizationId);
  if (!planOf(organization.plan, await loadPlans(ctx)).plan.llmAnswers) return retrieval;
  const writtenFrom = candidates.slice(0, LLM_ENTRIES);
  try {
    const written = await askLlm(llm, {
      organizationName: organization.name,
      instructions: organization.instructions,
      entries: writtenFrom.map((c) => c.entry),
      history: options.history ?? [],
      question: asked,
    });
    // The model chose among the passages itself; when retrieval was torn, a person is still offered.
    const confident = verdict.kind === 'answer';
    const answer = trimToSentences(written, MAX_ANSWER_CHARACTERS);
    return {
      answer: confident ? answer : `${answer} ${OFFER_HUMAN}`,
      sources: writtenFrom.map((c) => sourceOf(c.entry, c.passage)),
      confidence: verdict.confidence,
      confident,
      kind: 'answer',
      offerHuman: !confident,
    };
  } catch (err) {
    // The customer still gets the retrieval answer; the operator sees why the model was skipped.
    ctx.log.warn({ organizationId, reason: (err as Error).message }, 'LLM answer failed; answered from retrieval');
    return retrieval;
  }
}

/** The answer from the entry the customer picked among the choices; "not sure" when it is gone (retrained since). */
export async function answerFromChoice(ctx: AppContext, organizationId: string, entryId: string): Promise<Answer> {
  const index = await knowledgeIndex(ctx, organizationId);
  const entry = index?.entries.get(entryId);
  if (!index || !entry) return notSure(0);
  const first = [...index.passages.values()].find((p) => p.entryId === entry.id);
  return answerFrom(entry, first, 1);
}
