// Conversations (SPEC §6): the inbox of an organization — list, read, answer as the organization,
// close. Another organization's conversation answers 404.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from '../core/errors.js';
import type { Conversation } from '../db/schema.js';
import type { AppContext } from '../services/context.js';
import { closeConversation, getConversation, listConversations, sendFromConversation } from '../services/conversations/conversations.js';
import { closeHandover } from '../services/handover/close.js';
import { getMessage, getMessageByIdempotencyKey, listConversationMessages, messageJson } from '../services/conversations/messages.js';
import { postToVisitor } from '../services/widgets/visitor-outbound.js';
import type { RouteModule } from './app.js';
import { assertOrganizationAccess, authenticate } from './auth.js';

const tags = ['conversations'];
const idParams = z.object({ id: z.string().min(1).max(100) });

const sendBody = z.union([
  z.object({ text: z.string().trim().min(1, 'text must not be empty').max(4096) }).strict(),
  z
    .object({
      template: z.string().trim().min(1).max(200),
      language: z.string().trim().min(2).max(20).optional(),
      variables: z.array(z.string().max(1024)).max(20).default([]),
      category: z.enum(['utility', 'marketing', 'authentication']).optional(),
    })
    .strict(),
]);

/** The conversation, if the caller may see it (another organization's → 404, as if it did not exist). */
async function authorizedConversation(ctx: AppContext, request: FastifyRequest, id: string): Promise<Conversation> {
  const principal = await authenticate(ctx, request);
  const conversation = await getConversation(ctx, id);
  assertOrganizationAccess(principal, conversation.organization_id, 'Conversation');
  return conversation;
}

export const conversationRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/organizations/:orgId/conversations',
    {
      schema: {
        tags,
        summary: "An organization's conversations, newest activity first",
        params: z.object({ orgId: z.string().min(1).max(100) }),
        querystring: z.object({
          status: z.enum(['bot', 'waiting_agent', 'agent', 'closed']).optional(),
          channel: z.enum(['whatsapp', 'widget']).optional(),
        }),
      },
    },
    async (request) => {
      const principal = await authenticate(ctx, request);
      assertOrganizationAccess(principal, request.params.orgId);
      const exists = await ctx.db.selectFrom('organizations').select('id').where('id', '=', request.params.orgId).executeTakeFirst();
      if (!exists) throw notFound('Organization');
      return { ok: true, conversations: await listConversations(ctx, request.params.orgId, request.query) };
    },
  );

  app.get('/api/conversations/:id/messages', { schema: { tags, summary: 'Messages of a conversation, oldest first', params: idParams } }, async (request) => {
    const conversation = await authorizedConversation(ctx, request, request.params.id);
    return { ok: true, messages: await listConversationMessages(ctx, conversation.id) };
  });

  app.post(
    '/api/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send as the organization: {text} inside the 24-hour window, or {template, variables}; an Idempotency-Key header makes retries safe',
        params: idParams,
        body: sendBody,
      },
    },
    async (request, reply) => {
      const conversation = await authorizedConversation(ctx, request, request.params.id);
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' && key.trim() ? `api:${conversation.id}:${key.trim().slice(0, 200)}` : undefined;
      if (conversation.channel === 'widget') {
        // An inbox reply to a website visitor goes straight to the widget, as the agent.
        if (!('text' in request.body)) throw badRequest('A website visitor is answered with text; templates are for WhatsApp.', 'NOT_WHATSAPP');
        if (conversation.status === 'closed') throw badRequest('This conversation is closed.', 'CONVERSATION_CLOSED');
        const posted = await postToVisitor(ctx, conversation, { author: 'agent', text: request.body.text, idempotencyKey });
        const message = posted ?? (idempotencyKey ? await getMessageByIdempotencyKey(ctx, idempotencyKey) : undefined);
        return reply.status(201).send({ ok: true, message: messageJson(message!) });
      }
      const { messageId } = await sendFromConversation(ctx, conversation, request.body, idempotencyKey);
      const message = await getMessage(ctx, messageId);
      return reply.status(201).send({ ok: true, message: messageJson(message!) });
    },
  );

  app.post('/api/conversations/:id/close', { schema: { tags, summary: 'Close a conversation', params: idParams } }, async (request) => {
    const conversation = await authorizedConversation(ctx, request, request.params.id);
    // A widget conversation may hold a handover: closing it frees the number and tells both sides.
    const closed =
      conversation.channel === 'widget'
        ? ((await closeHandover(ctx, conversation.id, { by: 'inbox' })), await getConversation(ctx, conversation.id))
        : await closeConversation(ctx, conversation);
    return { ok: true, conversation: { id: closed.id, ref: closed.ref, status: closed.status, closedAt: closed.closed_at } };
  });
};
