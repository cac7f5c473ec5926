// What comes in from a website visitor: the message is stored and its answer enqueued in one
// transaction; the `widget.react` job answers it — the bot, or the agent's phone once a human has
// it — so a crash between storing and answering loses nothing.
import { z } from 'zod';
import { humanHasIt } from '../../core/status.js';
import { enqueueJob } from '../../jobs/queue.js';
import type { MessageJobPayload } from '../../jobs/payloads.js';
import type { AppContext } from '../context.js';
import { conversationHistory, getMessage, publishMessage } from '../conversations/messages.js';
import { forwardCustomerMessage } from '../handover/request.js';
import { NOT_SURE_ANSWER } from '../knowledge/answers.js';
import { botAnswer } from '../knowledge/conversation-answers.js';
import { type AuthenticatedSession, visitorConversation } from './sessions.js';
import { storeUpload } from './uploads.js';
import { HANDOVER_OFFER, insertMessage, postToVisitor, publishVisitorMessage, toVisitorMessage, visitorMessageRow } from './visitor-outbound.js';

export const visitorMessageInput = z
  .object({
    text: z.string().max(4000).optional(),
    /** a file the visitor attached, as a data URL (`data:image/png;base64,…`), at most 5 MB */
    media: z.object({ dataUrl: z.string().max(7_000_000), filename: z.string().trim().min(1).max(200).optional() }).optional(),
  })
  .refine((m) => Boolean(m.text?.trim()) || m.media, { message: 'send a text or a file', path: ['text'] });

/** Stores the visitor's message and enqueues its answer in one transaction, then echoes it live. */
export async function receiveVisitorMessage(ctx: AppContext, found: AuthenticatedSession, input: z.infer<typeof visitorMessageInput>) {
  const conversation = await visitorConversation(ctx, found);
  const stored = await ctx.db.transaction().execute(async (trx) => {
    const media = input.media ? await storeUpload(ctx, trx, found.session.id, input.media) : null;
    const message = await insertMessage(
      trx,
      visitorMessageRow(ctx, conversation, {
        direction: 'in',
        author: 'visitor',
        body: input.text?.trim() || null,
        media: media ? JSON.stringify(media) : null,
      }),
    );
    await trx.updateTable('conversations').set({ last_message_at: message.created_at }).where('id', '=', conversation.id).execute();
    await enqueueJob(ctx, { kind: WIDGET_REACT, payload: { messageId: message.id }, idempotencyKey: `widget.react:${message.id}` }, trx);
    return message;
  });
  // The visitor's other tabs show it too, and the organization's inbox.
  await publishVisitorMessage(ctx, found.session.id, stored);
  await publishMessage(ctx, stored);
  return { message: toVisitorMessage(stored), conversation };
}

export const WIDGET_REACT = 'widget.react';

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
    text: answer.kind === 'choices' ? WIDGET_CHOICES_QUESTION : answer.kind === 'not-sure' ? NOT_SURE_ANSWER : answer.answer,
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
