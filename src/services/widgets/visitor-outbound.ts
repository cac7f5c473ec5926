// What a website visitor sees: messages to the visitor are stored first, then pushed live on the
// bus channel `session:<sessionId>` (the visitor's event stream subscribes to it), with the
// conversation's status and history. What comes in from a visitor is in visitor-inbound.ts.
import { isUniqueViolation, type Db } from '../../db/database.js';
import type { Conversation, Message, NewMessage } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { publishMessage } from '../conversations/messages.js';
import type { AuthenticatedSession } from './sessions.js';

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
  /** on a bot answer that offers a human: the passages offered as quick replies */
  choices?: { id: string; title: string }[];
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
  /** the bot offers these passages: the widget shows a quick-reply button for each, which sends its title */
  choices?: { id: string; title: string }[];
  /** an agent's message: the agent's name (`Maya`), never their number; absent when the agent has no name */
  authorName?: string;
}

// A bot answer that offers a human carries this marker in `media` (no column of its own: it is
// a property of the message, shown by the widget as a button).
export const HANDOVER_OFFER = 'handover_offer';

/** `agentNames`: agent number → name, for agents' messages (their number is kept in `from_address`). */
export function toVisitorMessage(message: Message, agentNames?: ReadonlyMap<string, string>): VisitorMessage {
  const media = message.media ? (JSON.parse(message.media) as VisitorMedia) : null;
  const offer = media?.type === HANDOVER_OFFER;
  // Signed from the inbox (`Sam`), else the agent's name by their number.
  const name = message.author !== 'agent' ? undefined : (message.author_name ?? (message.from_address ? agentNames?.get(message.from_address) : undefined));
  return {
    id: message.id,
    author: (message.author === 'contact' ? 'visitor' : message.author) as VisitorAuthor,
    text: message.body,
    media: offer ? null : media,
    createdAt: message.created_at,
    ...(offer ? { offerHandover: true as const } : {}),
    ...(offer && media?.choices?.length ? { choices: media.choices } : {}),
    // An agent listed by number alone is shown as "Agent": a visitor never sees an agent's number.
    ...(name && name !== message.from_address ? { authorName: name } : {}),
  };
}

/** The names of the agents who wrote these messages. */
async function agentNamesOf(ctx: AppContext, messages: Message[]): Promise<Map<string, string>> {
  const wrote = messages.filter((m) => m.author === 'agent' && m.from_address && m.organization_id);
  if (wrote.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('agents')
    .select(['number', 'name'])
    .where('organization_id', '=', wrote[0]!.organization_id!)
    .where('number', 'in', [...new Set(wrote.map((m) => m.from_address!))])
    .execute();
  return new Map(rows.map((r) => [r.number, r.name]));
}

export const sessionChannel = (sessionId: string) => `session:${sessionId}`;

/** Pushes a stored message to the visitor's open widgets (agent replies, system notices, bot answers). */
export async function publishVisitorMessage(ctx: AppContext, sessionId: string, message: Message): Promise<void> {
  const names = await agentNamesOf(ctx, [message]);
  await ctx.bus.publish({ channel: sessionChannel(sessionId), type: 'message', data: toVisitorMessage(message, names) });
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

export function visitorMessageRow(
  ctx: AppContext,
  conversation: Conversation,
  fields: Partial<NewMessage> & Pick<NewMessage, 'direction' | 'author'>,
): NewMessage {
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

export async function insertMessage(db: Db, row: NewMessage): Promise<Message> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Stores a message to the visitor of a widget conversation and pushes it live. With an
 * `idempotencyKey`, a second call with the same key stores and pushes nothing (job retries).
 */
export async function postToVisitor(
  ctx: AppContext,
  conversation: Conversation,
  message: {
    author: Exclude<VisitorAuthor, 'visitor'>;
    text?: string | null;
    media?: VisitorMedia | null;
    idempotencyKey?: string;
    /** the agent's own number, when an agent wrote it from WhatsApp (shown to the visitor by name) */
    agent?: string;
    /** who signed a reply from the inbox (`Sam`), shown to the visitor */
    authorName?: string;
  },
): Promise<Message | undefined> {
  let stored: Message;
  try {
    stored = await insertMessage(
      ctx.db,
      visitorMessageRow(ctx, conversation, {
        direction: 'out',
        author: message.author,
        body: message.text ?? null,
        media: message.media ? JSON.stringify(message.media) : null,
        idempotency_key: message.idempotencyKey ?? null,
        from_address: message.agent ?? null,
        author_name: message.authorName ?? null,
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
  const names = await agentNamesOf(ctx, rows);
  return rows.reverse().map((row) => toVisitorMessage(row, names));
}
