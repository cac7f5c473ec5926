// The inbox is a seat too (SPEC §8): a reply from the dashboard takes the conversation — the bot is
// silent until it is closed or handed back — and whoever had it on WhatsApp (the agent who claimed
// it, or each agent notified while it waited) reads what was answered, in the chat that carries it.
// Handing back from the inbox gives the conversation to the bot again without closing it.
import { seatText } from '../../core/seat-text.js';
import { humanHasIt } from '../../core/status.js';
import type { Conversation } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { publishVisitorStatus } from '../widgets/visitor-outbound.js';
import { agentsOf, findSenderNumber, loadHandover, sendToAgent } from './handovers.js';
import { tellCustomer } from './customer.js';
import { connectWaitingVisitors, giveBackToBot } from './request.js';

/**
 * After an inbox reply (`messageId`, signed `by`): the conversation is a human's (`agent`) and the
 * agents who had it are told `#282 answered by Sam: …`. An agent who then replies from WhatsApp
 * still reaches the visitor (and takes it, if nobody had).
 */
export async function takeFromInbox(ctx: AppContext, conversation: Conversation, reply: { messageId: number; by: string; text: string | null }): Promise<void> {
  if (conversation.status === 'closed') return;
  if (conversation.status !== 'agent') {
    await ctx.db
      .updateTable('conversations')
      .set({ status: 'agent', handed_over_at: conversation.handed_over_at ?? ctx.clock.now().toISOString() })
      .where('id', '=', conversation.id)
      .where('status', '!=', 'closed')
      .execute();
    await publishStatus(ctx, conversation, 'agent');
  }
  if (reply.text) await tellAgents(ctx, conversation, (h) => seatText.answeredFromInbox(h, reply.by, reply.text!), `inbox-answered:${reply.messageId}`);
}

/** `POST /api/conversations/:id/hand-back`: the bot answers again; agents and the customer are told. False when no human had it. */
export async function handBackToBot(ctx: AppContext, conversation: Conversation, by: string): Promise<boolean> {
  if (!humanHasIt(conversation.status)) return false;
  // The agents are told from the sender that carried it, before it is released.
  const key = `inbox-handback:${conversation.id}:${ctx.clock.now().toISOString()}`;
  await tellAgents(ctx, conversation, (h) => seatText.handedBackToBot(h, by), key);
  await giveBackToBot(ctx, conversation);
  await tellCustomer(ctx, { ...conversation, status: 'bot' }, { author: 'system', text: seatText.backToAssistant, idempotencyKey: key });
  if (conversation.widget_id && conversation.assigned_whatsapp_number) await connectWaitingVisitors(ctx, conversation.widget_id);
  return true;
}

async function tellAgents(ctx: AppContext, conversation: Conversation, text: (h: { ref: number; visitorName: string }) => string, key: string): Promise<void> {
  if (!conversation.assigned_whatsapp_number) return; // never handed to WhatsApp: no agent had it
  const handover = await loadHandover(ctx, conversation.id);
  const sender = await findSenderNumber(ctx.db, conversation.organization_id, conversation.assigned_whatsapp_number);
  if (!handover || !sender) return;
  for (const agent of agentsOf(handover.conversation, handover)) {
    await sendToAgent(ctx, {
      sender,
      agent,
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      text: text(handover),
      idempotencyKey: `${key}:${agent}`,
    });
  }
}

async function publishStatus(ctx: AppContext, conversation: Conversation, status: string): Promise<void> {
  const contact = await ctx.db.selectFrom('contacts').select(['kind', 'external_id']).where('id', '=', conversation.contact_id).executeTakeFirst();
  if (contact?.kind === 'visitor' && contact.external_id) {
    await publishVisitorStatus(ctx, contact.external_id, { conversationRef: conversation.ref, conversationStatus: status });
  }
  await ctx.bus.publish({ channel: `org:${conversation.organization_id}`, type: 'conversation', data: { id: conversation.id, ref: conversation.ref, status } });
}
