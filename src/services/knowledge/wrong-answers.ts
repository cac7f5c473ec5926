// A bot answer marked wrong (SPEC §7 "Learning from the humans") — the last one, by an agent's
// `#282 /wrong`, or any one, from the inbox: the question it answered becomes a suggestion whose
// answer is the agent's — the replies they already gave after it, or their next ones
// (agentAnswered gathers those).
import type { AppContext } from '../context.js';
import { questionAwaitsAgent } from './suggestions.js';

/** `answered`: the agent had already answered after the bot; `awaiting`: their next answer completes it. */
export type MarkedWrong = 'answered' | 'awaiting' | 'no-answer';

export async function markLastBotAnswerWrong(ctx: AppContext, conversation: { id: string; organization_id: string }): Promise<MarkedWrong> {
  return markBotAnswerWrong(ctx, conversation);
}

/** The bot answer `messageId` of the conversation (its last one when not given) marked wrong; `no-answer` when it is no bot answer of it. */
export async function markBotAnswerWrong(ctx: AppContext, conversation: { id: string; organization_id: string }, messageId?: number): Promise<MarkedWrong> {
  const inConversation = () => ctx.db.selectFrom('messages').select(['id', 'body']).where('conversation_id', '=', conversation.id);
  const bots = inConversation().where('direction', '=', 'out').where('author', '=', 'bot');
  const bot = await (messageId === undefined ? bots : bots.where('id', '=', messageId)).orderBy('id', 'desc').executeTakeFirst();
  if (!bot?.body) return 'no-answer';
  const asked = await inConversation()
    .where('direction', '=', 'in')
    .where('author', 'in', ['visitor', 'contact'])
    .where('id', '<', bot.id)
    .where('body', 'is not', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!asked?.body?.trim()) return 'no-answer';
  const replies = await inConversation()
    .where('direction', '=', 'out')
    .where('author', '=', 'agent')
    .where('audience', '=', 'contact')
    .where('id', '>', bot.id)
    .orderBy('id')
    .execute();
  const answer = replies.flatMap((r) => (r.body?.trim() ? [r.body.trim()] : [])).join('\n');
  // The same answer marked twice (a repeated command, a retried job) stays one suggestion.
  const already = await ctx.db
    .selectFrom('knowledge_suggestions')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversation.id)
    .where('wrong_answer', '=', bot.body)
    .executeTakeFirst();
  if (already) return already.status === 'awaiting' ? 'awaiting' : 'answered';
  // The bot was unsure of that question (choices, "not sure"): it already waits for, or has, the
  // agent's answer as a suggestion; that one says now which answer was wrong, and stays the only one.
  const unsure = await ctx.db
    .selectFrom('knowledge_suggestions')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversation.id)
    .where('question', '=', asked.body.trim())
    .where('status', 'in', ['awaiting', 'pending'])
    .where('wrong_answer', 'is', null)
    .executeTakeFirst();
  if (unsure) {
    await ctx.db.updateTable('knowledge_suggestions').set({ wrong_answer: bot.body }).where('id', '=', unsure.id).execute();
    return unsure.status === 'awaiting' ? 'awaiting' : 'answered';
  }
  await questionAwaitsAgent(ctx, conversation, asked.body, { answer, wrongAnswer: bot.body });
  return answer ? 'answered' : 'awaiting';
}
