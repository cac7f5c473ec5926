// Messages as the API, the live events and the answerer see them.
import { unansweredSentence } from '../../core/plans.js';
import { explainFailedSend, type FailureExplained } from '../../core/send-failures.js';
import type { Message } from '../../db/schema.js';
import type { InboundMedia } from '../../providers/provider.js';
import type { AppContext } from '../context.js';
import { type ChatTurn, HISTORY_TURNS } from '../knowledge/llm.js';

/** A message's file or location; `fileUrl` once our copy of an inbound file is kept. */
export type MessageMedia = InboundMedia & { fileUrl?: string; size?: number };

export interface MessageJson {
  id: number;
  conversationId: string | null;
  direction: string;
  author: string;
  /** contact: what the customer or visitor saw or wrote; agent: between an agent's WhatsApp and us */
  audience: string;
  /** an agent's message: the agent's number (to or from) */
  agentNumber: string | null;
  /** that agent's name, when the organization lists them (in a conversation's history) */
  agentName: string | null;
  body: string | null;
  media: MessageMedia | null;
  status: string;
  sendSuccess: boolean | null;
  sendError: string | null;
  errorCode: string | null;
  /** a failed send: why, and what to do about it */
  failure: FailureExplained | null;
  /** a customer message the bot did not answer and a human should, and why (e.g. "Not answered: monthly limit reached") */
  unanswered: string | null;
  /** a bot answer an agent marked wrong (`#282 /wrong` or the inbox): shown so, after a reload too; in a conversation's listing only */
  markedWrong?: boolean;
  createdAt: string;
}

export function messageJson(m: Message): MessageJson {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    direction: m.direction,
    author: m.author,
    audience: m.audience,
    agentNumber: agentNumberOf(m),
    // a reply from the inbox carries the name it was signed with; an agent's is filled from their number
    agentName: m.author_name ?? null,
    body: m.body,
    media: m.media ? (JSON.parse(m.media) as MessageMedia) : null,
    status: m.status,
    sendSuccess: m.send_success === null ? null : m.send_success === 1,
    sendError: m.send_error,
    errorCode: m.error_code,
    failure: m.status === 'failed' ? explainFailedSend({ errorCode: m.error_code, sendError: m.send_error, audience: m.audience, to: m.to_address }) : null,
    unanswered: unansweredSentence(m.unanswered),
    createdAt: m.created_at,
  };
}

/** The agent a message went to or came from: notices to agents, and an agent's reply kept from their number. */
function agentNumberOf(m: Message): string | null {
  if (m.audience === 'agent') return m.direction === 'out' ? m.to_address : m.from_address;
  // an agent's reply in the website chat (no provider) keeps the agent's number; a WhatsApp send keeps the business's
  return m.author === 'agent' && m.direction === 'out' && m.provider === null ? m.from_address : null;
}

export async function listConversationMessages(ctx: AppContext, conversationId: string, limit = 500): Promise<MessageJson[]> {
  const rows = await ctx.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('id', 'desc').limit(limit).execute();
  // A mark is kept as the suggestion it started, naming the answer's text (knowledge/wrong-answers.ts).
  const marked = await ctx.db
    .selectFrom('knowledge_suggestions')
    .select('wrong_answer')
    .where('conversation_id', '=', conversationId)
    .where('wrong_answer', 'is not', null)
    .execute();
  const wrong = new Set(marked.map((s) => s.wrong_answer));
  const messages = rows
    .reverse()
    .map((row) => (row.author === 'bot' && row.direction === 'out' ? { ...messageJson(row), markedWrong: wrong.has(row.body) } : messageJson(row)));
  const numbers = [...new Set(messages.map((m) => m.agentNumber).filter((n): n is string => n !== null))];
  const organizationId = rows.find((r) => r.organization_id)?.organization_id;
  if (numbers.length === 0 || !organizationId) return messages;
  const agents = await ctx.db
    .selectFrom('agents')
    .select(['number', 'name'])
    .where('organization_id', '=', organizationId)
    .where('number', 'in', numbers)
    .execute();
  const names = new Map(agents.map((a) => [a.number, a.name]));
  return messages.map((m) => (m.agentNumber && names.has(m.agentNumber) ? { ...m, agentName: names.get(m.agentNumber)! } : m));
}

export async function getMessage(ctx: AppContext, id: number): Promise<Message | undefined> {
  return ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The conversation before this message, oldest first, as the answerer reads it: what the customer
 * or visitor wrote is the user's turn, every reply the assistant's; a file without text is no turn.
 */
export async function conversationHistory(ctx: AppContext, conversationId: string, beforeMessageId: number): Promise<ChatTurn[]> {
  const rows = await ctx.db
    .selectFrom('messages')
    .select(['direction', 'body'])
    .where('conversation_id', '=', conversationId)
    .where('audience', '=', 'contact')
    .where('id', '<', beforeMessageId)
    .where('body', 'is not', null)
    .orderBy('id', 'desc')
    .limit(HISTORY_TURNS)
    .execute();
  return rows.reverse().map((r) => ({ role: r.direction === 'in' ? 'user' : 'assistant', text: r.body ?? '' }));
}

/** The message a send with this idempotency key already stored, if any. */
export async function getMessageByIdempotencyKey(ctx: AppContext, key: string): Promise<Message | undefined> {
  return ctx.db.selectFrom('messages').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** Tells the organization's dashboard about a new or changed message. */
export async function publishMessage(ctx: AppContext, message: Message, type: 'message' | 'status' = 'message'): Promise<void> {
  if (!message.organization_id) return;
  await ctx.bus.publish({ channel: `org:${message.organization_id}`, type, data: messageJson(message) });
}
