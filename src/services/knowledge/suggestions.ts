// Learning from the humans (SPEC §7): a question the bot was not sure of waits on its
// conversation; when an agent answers that conversation (from WhatsApp or the inbox), question and
// answer become a suggested answer the organization can accept into its knowledge base — indexed
// at once, so the next customer asking it in other words is answered — or dismiss.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../../core/errors.js';
import type { KnowledgeSuggestionTable } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { addDocument, trainKnowledge } from './training.js';

/** An agent's answer counts for a question asked at most this long before. */
const QUESTION_WAITS_HOURS = 24;
/** Later messages of the same agent join the answer for this long (agents write in several messages). */
const ANSWER_GATHERS_MINUTES = 10;
const MAX_QUESTION = 500;
const MAX_ANSWER = 2000;

export interface SuggestionJson {
  id: string;
  question: string;
  answer: string;
  conversationId: string;
  status: 'pending' | 'accepted' | 'dismissed';
  createdAt: string;
  answeredAt: string | null;
  decidedAt: string | null;
  documentId: string | null;
  /** the bot's answer an agent marked wrong, when that is how the suggestion started */
  wrongAnswer: string | null;
}

function suggestionJson(row: KnowledgeSuggestionTable): SuggestionJson {
  return {
    id: row.id,
    question: row.question,
    answer: row.answer ?? '',
    conversationId: row.conversation_id,
    status: row.status === 'awaiting' ? 'pending' : row.status,
    createdAt: row.created_at,
    answeredAt: row.answered_at,
    decidedAt: row.decided_at,
    documentId: row.document_id,
    wrongAnswer: row.wrong_answer,
  };
}

type ConversationRef = { id: string; organization_id: string };

/**
 * The bot was not sure of this question (or offered choices, or an agent marked its answer wrong):
 * an agent's answer to it is worth keeping. With `answer`, the agent's answer is already known.
 */
export async function questionAwaitsAgent(
  ctx: AppContext,
  conversation: ConversationRef,
  question: string,
  known: { answer?: string; wrongAnswer?: string } = {},
): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    // Only the latest unsure question of a conversation waits: an agent answers what is in front of them.
    await trx.deleteFrom('knowledge_suggestions').where('conversation_id', '=', conversation.id).where('status', '=', 'awaiting').execute();
    await trx
      .insertInto('knowledge_suggestions')
      .values({
        id: randomUUID(),
        organization_id: conversation.organization_id,
        conversation_id: conversation.id,
        question: question.trim().slice(0, MAX_QUESTION),
        answer: known.answer?.slice(0, MAX_ANSWER) || null,
        status: known.answer ? 'pending' : 'awaiting',
        document_id: null,
        created_at: now,
        answered_at: known.answer ? now : null,
        decided_at: null,
        wrong_answer: known.wrongAnswer ?? null,
      })
      .execute();
  });
}

/** The bot answered the conversation's latest question itself: nothing waits for an agent. */
export async function questionAnswered(ctx: AppContext, conversationId: string): Promise<void> {
  await ctx.db.deleteFrom('knowledge_suggestions').where('conversation_id', '=', conversationId).where('status', '=', 'awaiting').execute();
}

/**
 * An agent's reply was delivered on the conversation: it answers the question waiting there, which
 * becomes a suggestion; a reply shortly after joins the same suggestion's answer.
 */
export async function agentAnswered(ctx: AppContext, conversation: ConversationRef, text: string | null | undefined): Promise<void> {
  const answer = text?.trim();
  if (!answer) return;
  const now = ctx.clock.now();
  const since = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const waiting = await ctx.db
    .selectFrom('knowledge_suggestions')
    .selectAll()
    .where('conversation_id', '=', conversation.id)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'awaiting'), eb('created_at', '>=', since(QUESTION_WAITS_HOURS * 3_600_000))]),
        eb.and([eb('status', '=', 'pending'), eb('answered_at', '>=', since(ANSWER_GATHERS_MINUTES * 60_000))]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!waiting) return;
  // A delivery repeated (a retried job) adds nothing: the same line twice in a row is never an answer's next part.
  if (waiting.answer?.split('\n').at(-1) === answer) return;
  const joined = waiting.answer ? `${waiting.answer}\n${answer}` : answer;
  await ctx.db
    .updateTable('knowledge_suggestions')
    .set({ status: 'pending', answer: joined.slice(0, MAX_ANSWER), answered_at: now.toISOString() })
    .where('id', '=', waiting.id)
    .where('status', 'in', ['awaiting', 'pending'])
    .execute();
}

/** The organization's suggestions waiting for a decision, newest first. */
export async function listSuggestions(ctx: AppContext, organizationId: string): Promise<SuggestionJson[]> {
  const rows = await ctx.db
    .selectFrom('knowledge_suggestions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .orderBy('answered_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(suggestionJson);
}

async function pendingSuggestion(ctx: AppContext, organizationId: string, id: string): Promise<KnowledgeSuggestionTable> {
  const row = await ctx.db
    .selectFrom('knowledge_suggestions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (!row) throw notFound('Suggestion');
  return row;
}

/**
 * Accepts a suggestion into the knowledge base as a question/answer pair (the agent's answer, or
 * the edited text) and retrains at once, so the next paraphrase of the question is answered.
 */
export async function acceptSuggestion(ctx: AppContext, organizationId: string, id: string, edited?: { answer?: string; question?: string }) {
  const row = await pendingSuggestion(ctx, organizationId, id);
  const asked = (edited?.question ?? row.question).replace(/\s+/g, ' ').trim();
  // It becomes a title customers read among choices: "do you rent tandems?" → "Do you rent tandems?".
  const question = asked.charAt(0).toUpperCase() + asked.slice(1);
  const answer = (edited?.answer ?? row.answer ?? '').trim();
  if (!question) throw badRequest('The question must not be empty.', 'EMPTY_QUESTION');
  if (!answer) throw badRequest('The answer must not be empty.', 'EMPTY_ANSWER');
  const document = await addDocument(ctx, organizationId, { title: question.slice(0, 200), content: `Q: ${question}\nA: ${answer}` });
  const decided = await ctx.db
    .updateTable('knowledge_suggestions')
    .set({ status: 'accepted', question, answer, document_id: document.id, decided_at: ctx.clock.now().toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(decided.numUpdatedRows) === 0) {
    // Decided meanwhile by someone else: the document just added goes again.
    await ctx.db.deleteFrom('knowledge_documents').where('id', '=', document.id).execute();
    throw notFound('Suggestion');
  }
  await trainKnowledge(ctx, organizationId);
  const accepted = await ctx.db.selectFrom('knowledge_suggestions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { suggestion: suggestionJson(accepted), document };
}

export async function dismissSuggestion(ctx: AppContext, organizationId: string, id: string): Promise<void> {
  await pendingSuggestion(ctx, organizationId, id);
  await ctx.db
    .updateTable('knowledge_suggestions')
    .set({ status: 'dismissed', decided_at: ctx.clock.now().toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}
