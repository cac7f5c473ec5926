// Messages between a website visitor and the organization: stored first, then pushed live on the
// bus channel `session:<sessionId>` (the visitor's event stream subscribes to it). A visitor message
// is answered by the `widget.react` job — the bot, or the agent's phone once a human has it — so a
// crash between storing and answering loses nothing.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { badRequest } from '../core/errors.js';
import { isUniqueViolation, type Db } from '../db/database.js';
import type { Conversation, Message, NewMessage } from '../db/schema.js';
import { answerQuestion } from './answers.js';
import type { AppContext } from './context.js';
import { publishMessage } from './messages.js';
import { forwardVisitorMessage } from './handover.js';
import { enqueueJob, registerJobHandler } from './jobs.js';
import { type AuthenticatedSession, visitorConversation } from './widget-sessions.js';

export type VisitorAuthor = 'visitor' | 'bot' | 'agent' | 'system';

export interface VisitorMedia {
  type: string;
  url?: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
  latitude?: number;
  longitude?: number;
  name?: string;
}

/** A message as the widget sees it (the SSE `message` event and the history). */
export interface VisitorMessage {
  id: number;
  author: VisitorAuthor;
  text: string | null;
  media: VisitorMedia | null;
  createdAt: string;
  /** the bot was not sure: the widget offers the "Talk to a human" button under this message */
  offerHandover?: true;
}

// A bot answer that offers a human carries this marker in `media` (no column of its own: it is
// a property of the message, shown by the widget as a button).
const HANDOVER_OFFER = 'handover_offer';

export function toVisitorMessage(message: Message): VisitorMessage {
  const media = message.media ? (JSON.parse(message.media) as VisitorMedia) : null;
  const offer = media?.type === HANDOVER_OFFER;
  return {
    id: message.id,
    author: (message.author === 'contact' ? 'visitor' : message.author) as VisitorAuthor,
    text: message.body,
    media: offer ? null : media,
    createdAt: message.created_at,
    ...(offer ? { offerHandover: true as const } : {}),
  };
}

export const sessionChannel = (sessionId: string) => `session:${sessionId}`;

/** Pushes a stored message to the visitor's open widgets (agent replies, system notices, bot answers). */
export async function publishVisitorMessage(ctx: AppContext, sessionId: string, message: Message): Promise<void> {
  await ctx.bus.publish({ channel: sessionChannel(sessionId), type: 'message', data: toVisitorMessage(message) });
}

/** Conversation status, agent typing or seen, for the widget's header. */
export interface VisitorStatus {
  conversationRef?: number;
  conversationStatus?: string;
  agentTyping?: boolean;
  /** the agent has seen the visitor's messages up to this id */
  seenMessageId?: number;
}

export async function publishVisitorStatus(ctx: AppContext, sessionId: string, status: VisitorStatus): Promise<void> {
  await ctx.bus.publish({ channel: sessionChannel(sessionId), type: 'status', data: status });
}

async function sessionIdOf(ctx: AppContext, conversation: Conversation): Promise<string | undefined> {
  const contact = await ctx.db.selectFrom('contacts').select(['kind', 'external_id']).where('id', '=', conversation.contact_id).executeTakeFirst();
  return contact?.kind === 'visitor' ? (contact.external_id ?? undefined) : undefined;
}

function messageRow(ctx: AppContext, conversation: Conversation, fields: Partial<NewMessage> & Pick<NewMessage, 'direction' | 'author'>): NewMessage {
  const now = ctx.clock.now().toISOString();
  return {
    organization_id: conversation.organization_id,
    conversation_id: conversation.id,
    audience: 'contact',
    body: null,
    media: null,
    status: fields.direction === 'in' ? 'received' : 'delivered',
    category: 'service',
    cost: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

async function insertMessage(db: Db, row: NewMessage): Promise<Message> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Stores a message to the visitor of a widget conversation and pushes it live. With an
 * `idempotencyKey`, a second call with the same key stores and pushes nothing (job retries).
 */
export async function postToVisitor(
  ctx: AppContext,
  conversation: Conversation,
  message: { author: Exclude<VisitorAuthor, 'visitor'>; text?: string | null; media?: VisitorMedia | null; idempotencyKey?: string },
): Promise<Message | undefined> {
  let stored: Message;
  try {
    stored = await insertMessage(
      ctx.db,
      messageRow(ctx, conversation, {
        direction: 'out',
        author: message.author,
        body: message.text ?? null,
        media: message.media ? JSON.stringify(message.media) : null,
        idempotency_key: message.idempotencyKey ?? null,
      }),
    );
  } catch (err) {
    if (message.idempotencyKey && isUniqueViolation(err)) return undefined;
    throw err;
  }
  await ctx.db.updateTable('conversations').set({ last_message_at: stored.created_at }).where('id', '=', conversation.id).execute();
  const sessionId = await sessionIdOf(ctx, conversation);
  if (sessionId) await publishVisitorMessage(ctx, sessionId, stored);
  await publishMessage(ctx, stored);
  return stored;
}

export const visitorMessageInput = z
  .object({
    text: z.string().max(4000).optional(),
    /** a file the visitor attached, as a data URL (`data:image/png;base64,…`), at most 5 MB */
    media: z.object({ dataUrl: z.string().max(7_000_000), filename: z.string().trim().min(1).max(200).optional() }).optional(),
  })
  .refine((m) => Boolean(m.text?.trim()) || m.media, { message: 'send a text or a file', path: ['text'] });

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

function mediaType(mimeType: string): string {
  const kind = mimeType.split('/')[0];
  return kind === 'image' || kind === 'audio' || kind === 'video' ? kind : 'document';
}

/** Keeps an attached file and gives it an unguessable public URL the agent's provider can fetch. */
async function storeUpload(ctx: AppContext, db: Db, sessionId: string, media: { dataUrl: string; filename?: string }): Promise<VisitorMedia> {
  const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?(;[^,]*)?;base64,([A-Za-z0-9+/=\s]+)$/i.exec(media.dataUrl);
  if (!match) throw badRequest('media.dataUrl must be a base64 data URL (data:<type>;base64,…).', 'INVALID_MEDIA');
  const mimeType = (match[1] ?? 'application/octet-stream').toLowerCase();
  const bytes = Buffer.from(match[3]!, 'base64');
  if (bytes.length === 0) throw badRequest('The attached file is empty.', 'INVALID_MEDIA');
  if (bytes.length > MAX_UPLOAD_BYTES) throw badRequest('The attached file is larger than 5 MB.', 'MEDIA_TOO_LARGE');
  const id = randomUUID();
  const filename = (media.filename ?? 'file').replace(/[^\w.\- ]+/g, '_');
  await db
    .insertInto('widget_uploads')
    .values({ id, session_id: sessionId, filename, mime_type: mimeType, bytes, created_at: ctx.clock.now().toISOString() })
    .execute();
  return { type: mediaType(mimeType), url: `${ctx.config.publicUrl}/api/widget/uploads/${id}`, mimeType, filename };
}

export async function loadUpload(ctx: AppContext, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return ctx.db.selectFrom('widget_uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Stores the visitor's message and enqueues its answer in one transaction, then echoes it live. */
export async function receiveVisitorMessage(ctx: AppContext, found: AuthenticatedSession, input: z.infer<typeof visitorMessageInput>) {
  const conversation = await visitorConversation(ctx, found);
  const stored = await ctx.db.transaction().execute(async (trx) => {
    const media = input.media ? await storeUpload(ctx, trx, found.session.id, input.media) : null;
    const message = await insertMessage(
      trx,
      messageRow(ctx, conversation, {
        direction: 'in',
        author: 'visitor',
        body: input.text?.trim() || null,
        media: media ? JSON.stringify(media) : null,
      }),
    );
    await trx.updateTable('conversations').set({ last_message_at: message.created_at }).where('id', '=', conversation.id).execute();
    await enqueueJob(trx, { kind: WIDGET_REACT, payload: { messageId: message.id }, idempotencyKey: `widget.react:${message.id}` });
    return message;
  });
  // The visitor's other tabs show it too, and the organization's inbox.
  await publishVisitorMessage(ctx, found.session.id, stored);
  await publishMessage(ctx, stored);
  return { message: toVisitorMessage(stored), conversation };
}

/** The visitor's history across their conversations, oldest first; `after` for catching up. */
export async function listVisitorMessages(ctx: AppContext, found: AuthenticatedSession, after?: number, limit = 200): Promise<VisitorMessage[]> {
  let query = ctx.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .selectAll('messages')
    .where('conversations.contact_id', '=', found.session.contact_id)
    .where('messages.audience', '=', 'contact');
  if (after !== undefined) query = query.where('messages.id', '>', after);
  const rows = await query.orderBy('messages.id', 'desc').limit(limit).execute();
  return rows.reverse().map(toVisitorMessage);
}

const WIDGET_REACT = 'widget.react';
const NOT_SURE = 'I am not sure I have the right answer to that. Would you like to talk to a person?';

/** Bot answer, or forward to the agent's phone while a human has the conversation. */
export async function reactToVisitorMessage(ctx: AppContext, payload: { messageId: number }): Promise<void> {
  const message = await ctx.db.selectFrom('messages').selectAll().where('id', '=', payload.messageId).executeTakeFirst();
  if (!message?.conversation_id) return;
  const conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', message.conversation_id).executeTakeFirstOrThrow();
  if (conversation.status === 'waiting_agent' || conversation.status === 'agent') {
    await forwardVisitorMessage(ctx, conversation, message);
    return;
  }
  if (!message.body) return; // a file alone goes to agents only; the bot has nothing to say about it
  const history = await ctx.db
    .selectFrom('messages')
    .select(['author', 'body'])
    .where('conversation_id', '=', conversation.id)
    .where('audience', '=', 'contact')
    .where('id', '<', message.id)
    .orderBy('id', 'desc')
    .limit(10)
    .execute();
  const answer = await answerQuestion(ctx, conversation.organization_id, message.body, {
    history: history.reverse().map((h) => ({ role: h.author === 'visitor' ? 'user' : 'assistant', text: h.body ?? '' })),
  });
  await postToVisitor(ctx, conversation, {
    author: 'bot',
    text: answer.confident ? answer.answer : answer.answer.trim() || NOT_SURE,
    media: answer.confident ? null : { type: HANDOVER_OFFER },
    idempotencyKey: `widget-answer:${message.id}`,
  });
}

registerJobHandler(WIDGET_REACT, (ctx: AppContext, payload: unknown) => reactToVisitorMessage(ctx, payload as { messageId: number }));
