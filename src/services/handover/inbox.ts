// The inbox's actions on any conversation, whichever channel it is on: answering as the
// organization (which takes the conversation), handing it back to the bot, and closing. A widget
// conversation is answered on the widget and may hold a handover; a WhatsApp conversation is
// answered through the outbound queue. In handover/, not conversations/: the inbox is a seat in the
// handover (it claims and closes one), and handover/ builds on conversations/.
import { badRequest, notFound } from '../../core/errors.js';
import { humanHasIt } from '../../core/status.js';
import type { Conversation, Message } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { closeConversation, getConversation } from '../conversations/conversations.js';
import { getMessage, getMessageByIdempotencyKey } from '../conversations/messages.js';
import { handBackToBot, takeFromInbox } from './inbox-seat.js';
import { agentAnswered } from '../knowledge/suggestions.js';
import { enqueueSend } from '../outbound/send.js';
import { postToVisitor } from '../widgets/visitor-outbound.js';
import { closeHandover } from './close.js';

/**
 * Answers from the inbox, signed `by` (the key's name: `Sam`), and takes the conversation: the bot
 * is silent until it is closed or handed back (handover/inbox-seat.ts). The same idempotency key
 * answers with the message it stored first.
 */
export async function replyToConversation(
  ctx: AppContext,
  conversation: Conversation,
  body: ConversationSend,
  by: string,
  idempotencyKey?: string,
): Promise<Message> {
  if (conversation.channel === 'widget') {
    // An inbox reply to a website visitor goes straight to the widget, as the agent.
    if (!('text' in body)) throw badRequest('A website visitor is answered with text; templates are for WhatsApp.', 'NOT_WHATSAPP');
    if (conversation.status === 'closed') throw badRequest('This conversation is closed.', 'CONVERSATION_CLOSED');
    const posted = await postToVisitor(ctx, conversation, { author: 'agent', text: body.text, idempotencyKey, authorName: by });
    if (!posted) return (await getMessageByIdempotencyKey(ctx, idempotencyKey!))!;
    await takeFromInbox(ctx, conversation, { messageId: posted.id, by, text: body.text });
    await agentAnswered(ctx, conversation, body.text);
    return posted;
  }
  const { messageId, deduplicated } = await sendFromConversation(ctx, conversation, body, idempotencyKey);
  if (!deduplicated) {
    await ctx.db.updateTable('messages').set({ author_name: by }).where('id', '=', messageId).execute();
    await takeFromInbox(ctx, conversation, { messageId, by, text: 'text' in body ? body.text : `(template ${body.template})` });
    // An answer to a question the bot was not sure of becomes a suggested answer (knowledge/suggestions.ts).
    if ('text' in body) await agentAnswered(ctx, conversation, body.text);
  }
  return (await getMessage(ctx, messageId))!;
}

/** Gives a conversation a human had back to the bot, without closing it; unchanged when no human had it. */
export async function handBackFromInbox(ctx: AppContext, conversation: Conversation, by: string): Promise<Conversation> {
  await handBackToBot(ctx, conversation, by);
  return getConversation(ctx, conversation.id);
}

/**
 * Closes from the inbox: a widget conversation's handover, or a WhatsApp customer's, is closed too
 * (freeing the number, telling both sides).
 */
export async function closeConversationFromInbox(ctx: AppContext, conversation: Conversation): Promise<Conversation> {
  if (conversation.channel !== 'widget' && !humanHasIt(conversation.status)) return closeConversation(ctx, conversation);
  await closeHandover(ctx, conversation.id, { by: 'inbox' });
  return getConversation(ctx, conversation.id);
}

export type ConversationSend =
  | { text: string }
  | { template: string; language?: string; variables: string[]; category?: 'utility' | 'marketing' | 'authentication' };

/** Sends as the organization from the conversation's number (402 at the plan limit, 422 outside the window). */
export async function sendFromConversation(
  ctx: AppContext,
  conversation: Conversation,
  body: ConversationSend,
  idempotencyKey?: string,
): Promise<{ messageId: number; deduplicated: boolean }> {
  if (!conversation.number_id) throw notFound('Number of this conversation');
  const contact = await ctx.db.selectFrom('contacts').selectAll().where('id', '=', conversation.contact_id).executeTakeFirstOrThrow();
  const to = contact.phone ?? contact.external_id;
  if (!to) throw notFound('Contact address');
  return enqueueSend(ctx, {
    organizationId: conversation.organization_id,
    conversationId: conversation.id,
    numberId: conversation.number_id,
    to,
    author: 'agent',
    enforcePlanLimit: true,
    idempotencyKey,
    ...('text' in body
      ? { text: body.text }
      : { template: { name: body.template, language: body.language, variables: body.variables }, category: body.category }),
  });
}
