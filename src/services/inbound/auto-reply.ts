// Automatic replies on WhatsApp (SPEC §7), run from the `inbound.react` job after the webhook was
// answered: the customer asks for a person → the organization's active agents are notified on
// WhatsApp (handover/whatsapp.ts) and the customer is told whether anyone could be; otherwise the
// answerer replies — an answer, choices to pick from by number, or "not sure" with the offer of a
// person. Each reply's idempotency key comes
// from the inbound message, so a retried job — or the answer given once the plan is raised
// (unanswered.ts) — never sends twice. At the plan's limit the bot stays silent and the message is
// marked in the inbox for a human instead (SPEC §9).
import { visitorText } from '../../core/handover-text.js';
import { asksForHuman } from '../../core/intent.js';
import { handOverWhatsappCustomer } from '../handover/whatsapp.js';
import type { Conversation, Message } from '../../db/schema.js';
import { botAnswer } from '../knowledge/conversation-answers.js';
import type { AppContext } from '../context.js';
import { conversationHistory } from '../conversations/messages.js';
import { enqueueSend } from '../outbound/send.js';
import { showTyping } from '../outbound/typing.js';
import { canAutoReply } from '../tenancy/plans.js';
import { publishMessage } from '../conversations/messages.js';
import type { UnansweredReason } from '../../core/plans.js';

export const HANDOVER_CONFIRMATION = 'Thanks — a member of our team will reply here as soon as possible.';
export { OFFER_HUMAN } from '../knowledge/answers.js';

export async function replyToCustomer(ctx: AppContext, conversation: Conversation, inbound: Message): Promise<void> {
  const text = inbound.body?.trim();
  if (!text || !inbound.number_id || !inbound.from_address) return; // a photo alone: nothing to answer

  const reply = (body: string) =>
    enqueueSend(ctx, {
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      numberId: inbound.number_id!,
      to: inbound.from_address!,
      text: body,
      author: 'bot',
      idempotencyKey: `auto-reply:${inbound.id}`,
    });

  // Asking for a person always works, at the limit too: the agents are told, never counted.
  if (asksForHuman(text)) {
    const handover = await handOverWhatsappCustomer(ctx, conversation, inbound);
    if (!(await canAutoReply(ctx, conversation.organization_id))) {
      // Agents told: a human has it. Nobody could be: it waits in the inbox.
      if (handover !== 'connected') await markUnanswered(ctx, inbound, 'limit_reached');
      return;
    }
    // Never "a member of our team will reply" when nobody was told.
    const answer = { connected: HANDOVER_CONFIRMATION, unreachable: visitorText.noAgentReachable, no_agents: visitorText.noAgents };
    await reply(answer[handover]);
    await clearUnanswered(ctx, inbound);
    return;
  }
  if (!(await canAutoReply(ctx, conversation.organization_id))) {
    await markUnanswered(ctx, inbound, 'limit_reached');
    return;
  }
  // The customer sees the bot typing while it looks the answer up (not waited for: best effort).
  void showTyping(ctx, inbound);
  // The answer's text carries its own offer of a person (not sure, or choices: "reply 1 or 2, or *human*").
  const answer = await botAnswer(ctx, conversation, text, { history: await conversationHistory(ctx, conversation.id, inbound.id) });
  await reply(answer.answer);
  await clearUnanswered(ctx, inbound);
}

/** Marks a customer message the bot leaves unanswered, for a human in the inbox (shown live). */
export async function markUnanswered(ctx: AppContext, inbound: Message, reason: UnansweredReason): Promise<void> {
  const marked = await ctx.db
    .updateTable('messages')
    .set({ unanswered: reason })
    .where('id', '=', inbound.id)
    .where('unanswered', 'is', null)
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) > 0) await publishMessage(ctx, { ...inbound, unanswered: reason }, 'status');
}

/** The message was answered after all (by the bot once the plan was raised, or by an agent). */
async function clearUnanswered(ctx: AppContext, inbound: Message): Promise<void> {
  if (inbound.unanswered === null) return;
  const cleared = await ctx.db
    .updateTable('messages')
    .set({ unanswered: null })
    .where('id', '=', inbound.id)
    .where('unanswered', 'is not', null)
    .executeTakeFirst();
  if (Number(cleared.numUpdatedRows) > 0) await publishMessage(ctx, { ...inbound, unanswered: null }, 'status');
}
