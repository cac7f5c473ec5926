// The `widget.react` job: the answer to a website visitor's message (stored by
// widgets/visitor-inbound.ts) — the bot's, or the agents' phones while a human has the conversation.
// Here beside the WhatsApp customer's reaction (reaction.ts), not in widgets/: it hands over, and the
// handover builds on widgets/ (settings, what the visitor sees), so widgets/ cannot call it.
import { humanHasIt } from '../../core/status.js';
import type { MessageJobPayload } from '../../jobs/payloads.js';
import type { AppContext } from '../context.js';
import { conversationHistory, getMessage } from '../conversations/messages.js';
import { forwardCustomerMessage } from '../handover/request.js';
import { NOT_SURE_ANSWER, NOT_TRAINED_ANSWER } from '../knowledge/answers.js';
import { botAnswer } from '../knowledge/conversation-answers.js';
import { HANDOVER_OFFER, postToVisitor } from '../widgets/visitor-outbound.js';

/** Bot answer, or forward to the agent's phone while a human has the conversation. */
export async function reactToVisitorMessage(ctx: AppContext, payload: MessageJobPayload): Promise<void> {
  const message = await getMessage(ctx, payload.messageId);
  if (!message?.conversation_id) return;
  const conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', message.conversation_id).executeTakeFirstOrThrow();
  if (humanHasIt(conversation.status)) {
    await forwardCustomerMessage(ctx, conversation, message);
    return;
  }
  if (!message.body) return; // a file alone goes to agents only; the bot has nothing to say about it
  const answer = await botAnswer(ctx, conversation, message.body, {
    history: await conversationHistory(ctx, conversation.id, message.id),
    greeting: await widgetGreeting(ctx, conversation.widget_id),
  });
  await postToVisitor(ctx, conversation, {
    author: 'bot',
    // The widget offers a person with its button, and the choices as quick replies, not "reply 1 or 2".
    text:
      answer.kind === 'choices'
        ? WIDGET_CHOICES_QUESTION
        : answer.untrained
          ? NOT_TRAINED_ANSWER
          : answer.kind === 'not-sure'
            ? NOT_SURE_ANSWER
            : answer.answer,
    media: answer.offerHuman ? { type: HANDOVER_OFFER, ...(answer.choices ? { choices: answer.choices } : {}) } : null,
    idempotencyKey: `widget-answer:${message.id}`,
  });
}

export const WIDGET_CHOICES_QUESTION = 'Did you mean one of these?';

async function widgetGreeting(ctx: AppContext, widgetId: string | null): Promise<string | null> {
  if (!widgetId) return null;
  const widget = await ctx.db.selectFrom('widgets').select('greeting').where('id', '=', widgetId).executeTakeFirst();
  return widget?.greeting ?? null;
}
