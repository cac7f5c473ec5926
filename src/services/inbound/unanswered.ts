// Once the plan is raised, the customer messages the bot left unanswered at the limit (marked by
// auto-reply.ts) are answered — those still inside WhatsApp's 24-hour window, where a free-form
// answer may go; older ones stay marked for a human. A durable job, enqueued with the plan change
// (tenancy/organizations.ts):
// each answer carries the inbound message's idempotency key, so a re-run never answers twice.
import { humanHasIt } from '../../core/status.js';
import { SERVICE_WINDOW_MS } from '../../core/window.js';
import type { AnswerUnansweredPayload } from '../../jobs/payloads.js';
import type { AppContext } from '../context.js';
import { askedForHandover } from '../handover/whatsapp.js';
import { canAutoReply } from '../tenancy/plans.js';
import { replyToCustomer } from './auto-reply.js';

export const ANSWER_UNANSWERED_JOB = 'inbound.answer-unanswered';

/** A page of marked messages per query: an organization at its limit has few, answered oldest first. */
const PAGE = 100;

export async function answerUnanswered(ctx: AppContext, payload: AnswerUnansweredPayload): Promise<void> {
  const since = new Date(ctx.clock.now().getTime() - SERVICE_WINDOW_MS).toISOString();
  let afterId = 0;
  for (;;) {
    const marked = await ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('organization_id', '=', payload.organizationId)
      .where('unanswered', '=', 'limit_reached')
      .where('created_at', '>', since)
      .where('direction', '=', 'in')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const message of marked) {
      // Still at the limit (the plan was lowered, or these answers used it up): the rest stay marked.
      if (!(await canAutoReply(ctx, payload.organizationId))) return;
      const conversation = message.conversation_id
        ? await ctx.db.selectFrom('conversations').selectAll().where('id', '=', message.conversation_id).executeTakeFirst()
        : undefined;
      // A human took the conversation since, or it was closed: the bot stays out of it.
      if (!conversation || conversation.status === 'closed') continue;
      if (humanHasIt(conversation.status) && !(await askedForHandover(ctx, message))) continue;
      await replyToCustomer(ctx, conversation, message);
    }
    if (marked.length < PAGE) return;
    afterId = marked[marked.length - 1]!.id;
  }
}
