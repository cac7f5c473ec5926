// An agent marks the bot's last answer in a conversation wrong (`#282 /wrong`, SPEC §7 "Learning
// from the humans"): the question it answered becomes a suggestion whose answer is the agent's —
// the replies they already gave after it, or their next ones (agentAnswered gathers those).
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';

/** `answered`: the agent had already answered after the bot; `awaiting`: their next answer completes it. */
export type MarkedWrong = 'answered' | 'awaiting' | 'no-answer';

const MAX_QUESTION = 500;
const MAX_ANSWER = 2000;

export async function markLastBotAnswerWrong(ctx: AppContext, conversation: { id: string; organization_id: string }): Promise<MarkedWrong> {
  const inConversation = () => ctx.db.selectFrom('messages').select(['id', 'body']).where('conversation_id', '=', conversation.id);
  const bot = await inConversation().where('direction', '=', 'out').where('author', '=', 'bot').orderBy('id', 'desc').executeTakeFirst();
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
  const answer = replies
    .flatMap((r) => (r.body?.trim() ? [r.body.trim()] : []))
    .join('\n')
    .slice(0, MAX_ANSWER);
  const now = ctx.clock.now().toISOString();
  // The same answer marked twice (a repeated command, a retried job) stays one suggestion.
  const already = await ctx.db
    .selectFrom('knowledge_suggestions')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversation.id)
    .where('wrong_answer', '=', bot.body)
    .executeTakeFirst();
  if (already) return already.status === 'awaiting' ? 'awaiting' : 'answered';
  await ctx.db.transaction().execute(async (trx) => {
    // Only the latest question of a conversation waits for an agent's answer.
    await trx.deleteFrom('knowledge_suggestions').where('conversation_id', '=', conversation.id).where('status', '=', 'awaiting').execute();
    await trx
      .insertInto('knowledge_suggestions')
      .values({
        id: randomUUID(),
        organization_id: conversation.organization_id,
        conversation_id: conversation.id,
        question: asked.body!.trim().slice(0, MAX_QUESTION),
        answer: answer || null,
        status: answer ? 'pending' : 'awaiting',
        document_id: null,
        created_at: now,
        answered_at: answer ? now : null,
        decided_at: null,
        wrong_answer: bot.body,
      })
      .execute();
  });
  return answer ? 'answered' : 'awaiting';
}
