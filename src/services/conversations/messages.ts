// Messages as the API and the live events show them.
import type { Message } from '../../db/schema.js';
import type { AppContext } from '../context.js';

export interface MessageJson {
  id: number;
  conversationId: string | null;
  direction: string;
  author: string;
  body: string | null;
  media: unknown;
  status: string;
  sendSuccess: boolean | null;
  sendError: string | null;
  errorCode: string | null;
  createdAt: string;
}

export function messageJson(m: Message): MessageJson {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    direction: m.direction,
    author: m.author,
    body: m.body,
    media: m.media ? JSON.parse(m.media) : null,
    status: m.status,
    sendSuccess: m.send_success === null ? null : m.send_success === 1,
    sendError: m.send_error,
    errorCode: m.error_code,
    createdAt: m.created_at,
  };
}

export async function listConversationMessages(ctx: AppContext, conversationId: string, limit = 500): Promise<MessageJson[]> {
  const rows = await ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(messageJson);
}

export async function getMessage(ctx: AppContext, id: number): Promise<Message | undefined> {
  return ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Tells the organization's dashboard about a new or changed message. */
export async function getMessageByIdempotencyKey(ctx: AppContext, key: string): Promise<Message | undefined> {
  return ctx.db.selectFrom('messages').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

export async function publishMessage(ctx: AppContext, message: Message, type: 'message' | 'status' = 'message'): Promise<void> {
  if (!message.organization_id) return;
  await ctx.bus.publish({ channel: `org:${message.organization_id}`, type, data: messageJson(message) });
}
