// Provider webhooks. They live in their own plugin whose body parser keeps the raw bytes for every
// content type: signatures are computed over the exact body received (re-serialized JSON or
// re-encoded forms would not match).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest, forbidden } from '../core/errors.js';
import { safeEqual } from '../core/keys.js';
import type { ProviderAdapter, WebhookRequest } from '../providers/provider.js';
import { providerByName, providers } from '../providers/registry.js';
import type { AppContext } from '../services/context.js';
import { receiveWebhook } from '../services/inbound/receive.js';
import { countWebhook } from '../services/platform/metrics.js';
import type { App, RouteModule } from './route.js';

function webhookRequest(request: FastifyRequest): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[name] = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  }
  const body = request.body;
  return {
    method: request.method,
    url: request.url,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
    headers,
    query,
  };
}

async function answer(ctx: AppContext, adapter: ProviderAdapter, request: FastifyRequest, reply: FastifyReply) {
  const result = await receiveWebhook(ctx, adapter, webhookRequest(request));
  return reply.status(result.status).type(result.contentType).send(result.body);
}

const HOOK_SCHEMA = { hide: false, tags: ['webhooks'], consumes: ['application/json', 'application/x-www-form-urlencoded'] };

const metaVerifyQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});

export const webhookRoutes: RouteModule = async (app, ctx) => {
  await app.register(async (scope: App) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const route = (path: string, adapter: ProviderAdapter) =>
      scope.post(path, { schema: { ...HOOK_SCHEMA, summary: `${adapter.name} webhook` } }, (request, reply) => answer(ctx, adapter, request, reply));
    route('/api/webhooks/twilio', providers.twilio);
    route('/api/webhooks/meta', providers.meta);
    route('/api/webhooks/whapi', providers.whapi);
    if (ctx.config.simulator) route('/api/webhooks/sim', providers.simulator);

    // Any of the three real formats on one URL, told apart by shape.
    scope.post('/api/webhooks/whatsapp', { schema: { ...HOOK_SCHEMA, summary: 'Twilio, Meta or Whapi webhook, detected' } }, (request, reply) => {
      const req = webhookRequest(request);
      const adapter = (['twilio', 'meta', 'whapi'] as const).map((name) => providerByName(name)!).find((a) => safeDetect(a, req));
      if (!adapter) {
        countWebhook(ctx, 'unknown', 'invalid');
        throw badRequest('This body is not a Twilio, Meta or Whapi webhook.', 'UNKNOWN_WEBHOOK_FORMAT');
      }
      return answer(ctx, adapter, request, reply);
    });

    // Meta's subscription check: echo the challenge as plain text when the verify token matches.
    scope.get('/api/webhooks/meta', { schema: { tags: ['webhooks'], querystring: metaVerifyQuery } }, (request, reply) => {
      const query = request.query as z.infer<typeof metaVerifyQuery>;
      const expected = ctx.config.meta.verifyToken;
      const token = query['hub.verify_token'];
      if (query['hub.mode'] !== 'subscribe' || !expected || !token || !safeEqual(token, expected) || query['hub.challenge'] === undefined) {
        throw forbidden('The verify token does not match (or hub.mode is not subscribe).');
      }
      return reply.type('text/plain; charset=utf-8').send(query['hub.challenge']);
    });
  });
};

function safeDetect(adapter: ProviderAdapter, req: WebhookRequest): boolean {
  try {
    return adapter.detect(req);
  } catch {
    return false;
  }
}
