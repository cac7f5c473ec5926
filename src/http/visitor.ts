// Visitor API for the website widget (SPEC §8): sessions, messages, the live event stream,
// handover and email capture. CORS is limited to the widget's allowed origins; requests are
// rate limited per address and messages per session.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { safeMediaAnswer } from '../core/media.js';
import { originAllowed } from '../core/origins.js';
import type { Widget } from '../db/schema.js';
import type { LiveEvent } from '../realtime/bus.js';
import type { AppContext } from '../services/context.js';
import { requestHandover } from '../services/handover/request.js';
import { widgetConnectionClosed, widgetConnectionOpened } from '../services/metrics.js';
import { takeRateLimit } from '../services/rate-limits.js';
import { MAX_UPLOAD_BYTES, openUpload } from '../services/widgets/uploads.js';
import { receiveVisitorMessage, visitorMessageInput } from '../services/widgets/visitor-inbound.js';
import { listVisitorMessages, sessionChannel, type VisitorMessage } from '../services/widgets/visitor-outbound.js';
import {
  authenticateSession,
  createSession,
  findSession,
  latestConversation,
  saveVisitorEmail,
  saveVisitorName,
  sessionView,
  touchSession,
} from '../services/widgets/sessions.js';
import { recordRefusedOrigin } from '../services/widgets/refused-origins.js';
import { findWidgetByPublicKey, readAllowedOrigins } from '../services/widgets/settings.js';
import { bearerToken } from './auth.js';
import type { RouteModule } from './route.js';
import { type EventStream, openEventStream } from './sse.js';

const tags = ['visitor'];

function tooMany(reply: FastifyReply, retryAfter: number, sentence: string): AppError {
  reply.header('retry-after', String(retryAfter));
  return new AppError(429, 'RATE_LIMITED', sentence);
}

/** The widget a visitor URL belongs to: by public key, or by the session in the path. */
async function widgetOfRequest(ctx: AppContext, params: Record<string, string | undefined>): Promise<Widget | undefined> {
  if (params.publicKey) return findWidgetByPublicKey(ctx, params.publicKey);
  if (params.sessionId) return (await findSession(ctx, params.sessionId))?.widget;
  return undefined;
}

const widgetKeyOf = (request: FastifyRequest) => {
  const key = request.headers['x-widget-key'];
  return typeof key === 'string' && key ? key : undefined;
};

const sessionParams = z.object({ sessionId: z.string().min(1).max(100) });
const eventsQuery = z.object({
  token: z.string().max(200).optional(),
  lastEventId: z.coerce.number().int().min(0).optional(),
});

export const visitorRoutes: RouteModule = (app, ctx) => {
  const { requestsPerMinute, messagesPerMinute } = ctx.config.widgetLimits;
  const openStreams = new Set<EventStream>();
  const ownOrigin = new URL(ctx.config.publicUrl).origin;

  /**
   * Address limit and the widget's origins (a browser on another site gets 403, preflight too). The
   * CORS headers are set before a 429 is thrown, so the widget can read and show its sentence.
   * `request.ip` is X-Forwarded-For only from TRUSTED_PROXIES (app.ts), else the peer.
   */
  async function guard(request: FastifyRequest, reply: FastifyReply) {
    const wait = await takeRateLimit(ctx, 'address', request.ip, requestsPerMinute);
    await allowOrigin(request, reply);
    if (wait) throw tooMany(reply, wait, 'Too many requests from this address; wait a minute and try again.');
  }

  /**
   * A website not in the widget's allowed origins is refused with 403 ORIGIN_NOT_ALLOWED, noted for
   * the dashboard. The answer still carries the CORS headers (and its preflight passes), so the
   * widget can read the code and tell the visitor chat is not enabled here rather than blame the
   * network: reading a refusal gives a website nothing.
   */
  async function allowOrigin(request: FastifyRequest, reply: FastifyReply) {
    const origin = request.headers.origin;
    if (!origin) return; // not a browser's cross-origin call; the token still guards the session
    const widget = await widgetOfRequest(ctx, request.params as Record<string, string>);
    if (!widget) return; // the route answers 404
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    // this server's own pages (the widget preview) may use any widget; they are ours, not a website's
    if (origin === ownOrigin || originAllowed(readAllowedOrigins(widget), origin) || request.method === 'OPTIONS') return;
    await recordRefusedOrigin(ctx, widget, origin);
    throw new AppError(403, 'ORIGIN_NOT_ALLOWED', `This website (${origin}) is not allowed to use this widget; add it to the widget's allowed origins.`);
  }

  const preflight = async (_request: FastifyRequest, reply: FastifyReply) => {
    reply
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type, x-widget-key, last-event-id')
      .header('access-control-max-age', '600');
    return reply.status(204).send();
  };
  const hidden = { hide: true };
  for (const url of ['/api/widget/:publicKey/sessions', '/api/widget/sessions/:sessionId', '/api/widget/sessions/:sessionId/:part']) {
    app.options(url, { schema: hidden, onRequest: guard }, preflight);
  }

  async function visitorSession(request: FastifyRequest, token = bearerToken(request)) {
    const { sessionId } = request.params as { sessionId: string };
    return authenticateSession(ctx, sessionId, token, widgetKeyOf(request));
  }

  app.post(
    '/api/widget/:publicKey/sessions',
    {
      onRequest: guard,
      schema: {
        tags,
        params: z.object({ publicKey: z.string().min(1).max(100) }),
        summary: 'Start a visitor session',
        body: z.object({ visitorName: z.string().max(80).nullish() }).optional(),
      },
    },
    async (request, reply) => {
      const session = await createSession(ctx, request.params.publicKey, request.body ?? {});
      return reply.status(201).send({ ok: true, ...session });
    },
  );

  app.get(
    '/api/widget/sessions/:sessionId',
    { onRequest: guard, schema: { tags, summary: 'The session, its conversation and the widget appearance', params: sessionParams } },
    async (request) => {
      const found = await visitorSession(request);
      return { ok: true, session: await sessionView(ctx, found) };
    },
  );

  app.post(
    '/api/widget/sessions/:sessionId/messages',
    {
      onRequest: guard,
      bodyLimit: Math.ceil(MAX_UPLOAD_BYTES * 1.4) + 16_384,
      schema: { tags, summary: 'Send a visitor message (text and/or a file as a data URL)', params: sessionParams, body: visitorMessageInput },
    },
    async (request, reply) => {
      const found = await visitorSession(request);
      const wait = await takeRateLimit(ctx, 'session', found.session.id, messagesPerMinute);
      if (wait) throw tooMany(reply, wait, 'You are sending messages too quickly; wait a moment and try again.');
      const { message } = await receiveVisitorMessage(ctx, found, request.body);
      await touchSession(ctx, found.session);
      return reply.status(201).send({ ok: true, message });
    },
  );

  app.get(
    '/api/widget/sessions/:sessionId/messages',
    {
      onRequest: guard,
      schema: {
        tags,
        params: sessionParams,
        summary: 'The visitor history (after a message id)',
        querystring: z.object({ after: z.coerce.number().int().min(0).optional() }),
      },
    },
    async (request) => {
      const found = await visitorSession(request);
      return { ok: true, messages: await listVisitorMessages(ctx, found, request.query.after) };
    },
  );

  app.post(
    '/api/widget/sessions/:sessionId/handover',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Ask for a human agent; a visitorName given here is how the agents will call the visitor',
        params: sessionParams,
        // an older widget sends no body at all
        body: z.object({ visitorName: z.string().max(80).nullish() }).nullish(),
      },
    },
    async (request) => {
      const found = await visitorSession(request);
      const name = request.body?.visitorName?.trim();
      if (name) await saveVisitorName(ctx, found.session, name);
      const { conversationRef, assignedWhatsappNumber } = await requestHandover(ctx, found.session.id);
      return { ok: true, conversationRef, assignedWhatsappNumber };
    },
  );

  app.post(
    '/api/widget/sessions/:sessionId/email',
    {
      onRequest: guard,
      schema: {
        tags,
        params: sessionParams,
        summary: 'Leave an email address (outside working hours)',
        body: z.object({ email: z.email('must be an email address').max(200) }),
      },
    },
    async (request) => {
      const found = await visitorSession(request);
      await saveVisitorEmail(ctx, found.session, request.body.email.trim());
      return { ok: true };
    },
  );

  // A file a visitor attached; public by its unguessable id so the agent's provider can fetch it.
  app.get('/api/widget/uploads/:id', { schema: { ...hidden, params: z.object({ id: z.string().max(100) }) } }, async (request, reply) => {
    const upload = await openUpload(ctx, request.params.id);
    // Never render visitor-supplied HTML or SVG on our origin (core/media.ts checks the first bytes too).
    reply.headers(safeMediaAnswer(upload.mimeType, upload.head, upload.filename)).header('cache-control', 'private, max-age=86400');
    if (upload.size !== undefined) reply.header('content-length', upload.size);
    return reply.send(upload.body);
  });

  app.get(
    '/api/widget/sessions/:sessionId/events',
    { onRequest: guard, schema: { tags, params: sessionParams, querystring: eventsQuery, summary: 'Live events (Server-Sent Events): message and status' } },
    async (request, reply) => {
      const found = await visitorSession(request, bearerToken(request) ?? request.query.token);
      const header = Number(request.headers['last-event-id']);
      const lastEventId = Number.isInteger(header) && header >= 0 ? header : request.query.lastEventId;
      const stream = openEventStream(reply, { retryMs: 3000 });

      let maxId = lastEventId ?? 0;
      const replayed = new Set<number>();
      const sendMessage = (message: VisitorMessage) => {
        if (replayed.has(message.id)) return;
        // `id:` only moves forward, so a reconnect's Last-Event-ID never goes back.
        const id = message.id > maxId ? message.id : undefined;
        maxId = Math.max(maxId, message.id);
        stream.send('message', message, id);
      };
      const deliver = (event: LiveEvent) => {
        if (event.type === 'message') sendMessage(event.data as VisitorMessage);
        else stream.send('status', { type: event.type, ...(event.data as object) });
      };
      // Subscribe before reading the history, and hold live events until the replay is written.
      let held: LiveEvent[] | null = [];
      const unsubscribe = ctx.bus.subscribe(sessionChannel(found.session.id), (event) => (held ? held.push(event) : deliver(event)));
      openStreams.add(stream);
      widgetConnectionOpened(ctx);
      stream.onClose(() => {
        openStreams.delete(stream);
        unsubscribe();
        widgetConnectionClosed(ctx);
      });

      try {
        const conversation = await latestConversation(ctx, found.session);
        if (conversation) deliver({ channel: '', type: 'status', data: { conversationRef: conversation.ref, conversationStatus: conversation.status } });
        if (lastEventId !== undefined) {
          for (const message of await listVisitorMessages(ctx, found, lastEventId, 500)) {
            sendMessage(message);
            replayed.add(message.id);
          }
        }
      } catch (err) {
        request.log.error({ err }, 'widget event replay failed');
        stream.close();
        return;
      }
      const pending = held;
      held = null;
      for (const event of pending) deliver(event);
    },
  );

  // Open event streams would keep the server from closing.
  app.addHook('onClose', async () => {
    for (const stream of [...openStreams]) stream.close();
  });
};
