// What comes in from a website visitor: the message is stored and its answer enqueued in one
// transaction; the `widget.react` job (inbound/visitor-reaction.ts) answers it — the bot, or the
// agent's phone once a human has it — so a crash between storing and answering loses nothing.
import { z } from 'zod';
import { enqueueJob } from '../../jobs/queue.js';
import type { AppContext } from '../context.js';
import { publishMessage } from '../conversations/messages.js';
import { type AuthenticatedSession, visitorConversation } from './sessions.js';
import { keepUpload, recordUpload } from './uploads.js';
import { forgetFile } from '../media/files.js';
import { insertMessage, publishVisitorMessage, toVisitorMessage, visitorMessageRow } from './visitor-outbound.js';

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
  // The file goes to the store first, outside the transaction (a write of up to 5 MB must not hold it).
  const upload = input.media ? await keepUpload(ctx, input.media) : null;
  const storing = ctx.db.transaction().execute(async (trx) => {
    const media = upload?.media ?? null;
    if (upload) await recordUpload(ctx, trx, found.session.id, upload);
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
  const stored = await storing.catch(async (err) => {
    if (upload) await forgetFile(ctx, upload.key);
    throw err;
  });
  // The visitor's other tabs show it too, and the organization's inbox.
  await publishVisitorMessage(ctx, found.session.id, stored);
  await publishMessage(ctx, stored);
  return { message: toVisitorMessage(stored), conversation };
}

export const WIDGET_REACT = 'widget.react';
