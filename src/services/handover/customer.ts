// What the person on the other side of a handover receives, whichever way they came: a website
// visitor's widget (stored and pushed live), or a WhatsApp customer's chat with the number they
// wrote to (the durable outbound send, which WhatsApp allows only within 24 hours of their last
// message).
import { AppError } from '../../core/errors.js';
import type { Conversation } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { enqueueSend } from '../outbound/send.js';
import { postToVisitor, type VisitorMedia } from '../widgets/visitor-outbound.js';

export interface CustomerMessage {
  author: 'agent' | 'system';
  text?: string | null;
  media?: VisitorMedia | null;
  /** the same key twice delivers once (job retries) */
  idempotencyKey: string;
  /** the agent's own number, when an agent wrote it from WhatsApp */
  agent?: string;
}

/** `window_closed`: a WhatsApp customer silent for 24 hours cannot be sent free text (nothing was stored or sent). */
export type Delivery = 'delivered' | 'window_closed' | 'nothing';

export async function tellCustomer(ctx: AppContext, conversation: Conversation, message: CustomerMessage): Promise<Delivery> {
  if (conversation.channel !== 'whatsapp') {
    await postToVisitor(ctx, conversation, message);
    return 'delivered';
  }
  const text = message.text?.trim() || message.media?.caption?.trim();
  // Files an agent sends from their phone are not passed on to a WhatsApp customer: the provider's
  // copy needs our credentials to fetch, so only the words go.
  if (!text || !conversation.number_id) return 'nothing';
  const contact = await ctx.db.selectFrom('contacts').select(['phone', 'external_id']).where('id', '=', conversation.contact_id).executeTakeFirst();
  const to = contact?.phone ?? contact?.external_id;
  if (!to) return 'nothing';
  try {
    await enqueueSend(ctx, {
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      numberId: conversation.number_id,
      to,
      text,
      author: message.author,
      idempotencyKey: message.idempotencyKey,
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'WINDOW_CLOSED') return 'window_closed';
    throw err;
  }
  return 'delivered';
}
