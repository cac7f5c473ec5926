// Automatic replies on WhatsApp (SPEC §7), run from the `inbound.react` job after the webhook was
// answered: the customer asks for a person → the organization's active agents are notified on
// WhatsApp (handover/whatsapp.ts) and the customer is told whether anyone could be; otherwise the
// answerer replies — an answer, choices to pick from by number, or "not sure" with the offer of a
// person. Each reply's idempotency key comes
// from the inbound message, so a retried job never sends twice.
import { visitorText } from '../../core/handover-text.js';
import { asksForHuman } from '../../core/intent.js';
import { handOverWhatsappCustomer } from '../handover/whatsapp.js';
import type { Conversation, Message } from '../../db/schema.js';
import { botAnswer } from '../knowledge/conversation-answers.js';
import type { AppContext } from '../context.js';
import { conversationHistory } from '../conversations/messages.js';
import { enqueueSend } from '../outbound/send.js';
import { canAutoReply } from '../tenancy/plans.js';

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

  // Asking for a person always works; only the bot's own messages count against the plan.
  if (asksForHuman(text)) {
    const handover = await handOverWhatsappCustomer(ctx, conversation, inbound);
    if (!(await canAutoReply(ctx, conversation.organization_id))) return;
    // Never "a member of our team will reply" when nobody was told.
    const answer = { connected: HANDOVER_CONFIRMATION, unreachable: visitorText.noAgentReachable, no_agents: visitorText.noAgents };
    await reply(answer[handover]);
    return;
  }
  if (!(await canAutoReply(ctx, conversation.organization_id))) return;
  // The answer's text carries its own offer of a person (not sure, or choices: "reply 1 or 2, or *human*").
  const answer = await botAnswer(ctx, conversation, text, { history: await conversationHistory(ctx, conversation.id, inbound.id) });
  await reply(answer.answer);
}
