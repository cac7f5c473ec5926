// Conversations (SPEC §6): the inbox of an organization — list, read, answer as the organization
// (which takes the conversation, SPEC §8 "The inbox is a seat too"), hand back to the bot, close. Another organization's conversation answers 404.
import { z } from 'zod';
import { getConversation, listConversations, markConversationRead } from '../services/conversations/conversations.js';
import { closeConversationFromInbox, handBackFromInbox, replyToConversation } from '../services/handover/inbox.js';
import { waitingOutcomes } from '../services/handover/outcomes.js';
import { listConversationMessages, messageJson } from '../services/conversations/messages.js';
import { markBotAnswerWrong } from '../services/knowledge/wrong-answers.js';
import { signatureOf } from '../services/tenancy/api-keys.js';
import { getOrganization } from '../services/tenancy/organizations.js';
import { notFound } from '../core/errors.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams, ownedAccess, principalOf } from './auth.js';

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

export const conversationRoutes: RouteModule = (app, ctx) => {
  const conversationAccess = ownedAccess(ctx, 'Conversation', getConversation);

  app.get(
    '/api/organizations/:orgId/conversations',
    {
      ...organizationAccess(ctx),
      schema: {
        tags,
        summary: "An organization's conversations, newest activity first",
        params: orgParams,
        querystring: z.object({
          status: z.enum(['bot', 'waiting_agent', 'agent', 'closed']).optional(),
          channel: z.enum(['whatsapp', 'widget']).optional(),
        }),
      },
    },
    async (request) => {
      await getOrganization(ctx, request.params.orgId);
      const conversations = await listConversations(ctx, request.params.orgId, request.query);
      // Waiting ones say whether an agent was reached, and why not (the handover's notification outcomes).
      const waiting = await waitingOutcomes(
        ctx,
        conversations.filter((c) => c.status === 'waiting_agent').map((c) => c.id),
      );
      for (const c of conversations) {
        if (c.status === 'waiting_agent') c.waiting = waiting.get(c.id) ?? { agentReached: false, agents: [] };
      }
      return { ok: true, conversations };
    },
  );

  app.get(
    '/api/conversations/:id/messages',
    { ...conversationAccess.guard, schema: { tags, summary: 'Messages of a conversation, oldest first', params: idParams } },
    async (request) => {
      return { ok: true, messages: await listConversationMessages(ctx, conversationAccess.of(request).id) };
    },
  );

  app.post(
    '/api/conversations/:id/messages',
    {
      ...conversationAccess.guard,
      schema: {
        tags,
        summary:
          "Send as the organization, signed with the key's name: {text} inside the 24-hour window, or {template, variables}; takes the conversation (the bot is silent until closed or handed back); an Idempotency-Key header makes retries safe",
        params: idParams,
        body: sendBody,
      },
    },
    async (request, reply) => {
      const conversation = conversationAccess.of(request);
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' && key.trim() ? `api:${conversation.id}:${key.trim().slice(0, 200)}` : undefined;
      const by = await signatureOf(ctx, await principalOf(ctx, request));
      const message = await replyToConversation(ctx, conversation, request.body, by, idempotencyKey);
      return reply.status(201).send({ ok: true, message: messageJson(message) });
    },
  );

  app.post(
    '/api/conversations/:id/read',
    {
      ...conversationAccess.guard,
      schema: { tags, summary: 'Mark a conversation read up to its newest message (the unread count goes to 0)', params: idParams },
    },
    async (request) => {
      const readUpTo = await markConversationRead(ctx, conversationAccess.of(request));
      return { ok: true, readUpTo };
    },
  );

  app.post(
    '/api/conversations/:id/hand-back',
    {
      ...conversationAccess.guard,
      schema: { tags, summary: 'Give the conversation back to the bot without closing it (agents and the customer are told)', params: idParams },
    },
    async (request) => {
      const by = await signatureOf(ctx, await principalOf(ctx, request));
      const back = await handBackFromInbox(ctx, conversationAccess.of(request), by);
      return { ok: true, conversation: { id: back.id, ref: back.ref, status: back.status, closedAt: back.closed_at } };
    },
  );

  app.post(
    '/api/conversations/:id/close',
    { ...conversationAccess.guard, schema: { tags, summary: 'Close a conversation', params: idParams } },
    async (request) => {
      const closed = await closeConversationFromInbox(ctx, conversationAccess.of(request));
      return { ok: true, conversation: { id: closed.id, ref: closed.ref, status: closed.status, closedAt: closed.closed_at } };
    },
  );

  app.post(
    '/api/conversations/:id/messages/:messageId/wrong',
    {
      ...conversationAccess.guard,
      schema: {
        tags,
        summary:
          "Mark one of the bot's answers wrong: the question it answered becomes a suggested answer with the agents' reply (given after it, or their next one). Marking it again changes nothing.",
        params: idParams.extend({ messageId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
      },
    },
    async (request) => {
      const conversation = conversationAccess.of(request);
      const marked = await markBotAnswerWrong(ctx, conversation, request.params.messageId);
      if (marked === 'no-answer') throw notFound('Bot answer');
      return {
        ok: true,
        suggestion: marked,
        message:
          marked === 'answered'
            ? "Marked wrong: the question and the agent's answer are suggested in the knowledge base."
            : 'Marked wrong: the question is suggested in the knowledge base once an agent answers it.',
      };
    },
  );
};
