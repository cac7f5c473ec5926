// The inbox's two actions on any conversation, whichever channel it is on: answering as the
// organization and closing. A widget conversation is answered on the widget and may hold a
// handover; a WhatsApp conversation is answered through the outbound queue.
import { badRequest } from '../../core/errors.js';
import { humanHasIt } from '../../core/status.js';
import type { Conversation, Message } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { closeHandover } from '../handover/close.js';
import { agentAnswered } from '../knowledge/suggestions.js';
import { postToVisitor } from '../widgets/visitor-outbound.js';
import { closeConversation, getConversation, sendFromConversation, type ConversationSend } from './conversations.js';
import { getMessage, getMessageByIdempotencyKey } from './messages.js';

/** Answers from the inbox; the same idempotency key answers with the message it stored first. */
export async function replyToConversation(ctx: AppContext, conversation: Conversation, body: ConversationSend, idempotencyKey?: string): Promise<Message> {
  if (conversation.channel === 'widget') {
    // An inbox reply to a website visitor goes straight to the widget, as the agent.
    if (!('text' in body)) throw badRequest('A website visitor is answered with text; templates are for WhatsApp.', 'NOT_WHATSAPP');
    if (conversation.status === 'closed') throw badRequest('This conversation is closed.', 'CONVERSATION_CLOSED');
    const posted = await postToVisitor(ctx, conversation, { author: 'agent', text: body.text, idempotencyKey });
    if (posted) await agentAnswered(ctx, conversation, body.text);
    return (posted ?? (idempotencyKey ? await getMessageByIdempotencyKey(ctx, idempotencyKey) : undefined))!;
  }
  const { messageId, deduplicated } = await sendFromConversation(ctx, conversation, body, idempotencyKey);
  // An answer to a question the bot was not sure of becomes a suggested answer (knowledge/suggestions.ts).
  if (!deduplicated && 'text' in body) await agentAnswered(ctx, conversation, body.text);
  return (await getMessage(ctx, messageId))!;
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
