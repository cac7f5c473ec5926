// Provider webhooks. They live in their own plugin whose body parser keeps the raw bytes for every
// content type: signatures are computed over the exact body received (re-serialized JSON or
// re-encoded forms would not match).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, forbidden } from '../core/errors.js';
import type { ProviderAdapter, WebhookRequest, WebhookRoute } from '../providers/provider.js';
import { providers } from '../providers/registry.js';
import type { AppContext } from '../services/context.js';
import { receiveWebhook } from '../services/inbound/receive.js';
import { countWebhook } from '../services/metrics.js';
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

export const webhookRoutes: RouteModule = async (app, ctx) => {
  await app.register(async (scope: App) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    // Every URL a provider declares in its adapter.
    for (const adapter of Object.values(providers)) {
      for (const hook of adapter.webhooks) registerWebhook(scope, ctx, adapter, hook);
    }

    // Any of the three real formats on one URL, told apart by shape (the simulator never matches).
    scope.post('/api/webhooks/whatsapp', { schema: { ...HOOK_SCHEMA, summary: 'Twilio, Meta or Whapi webhook, detected' } }, (request, reply) => {
      const req = webhookRequest(request);
      const adapter = Object.values(providers).find((a) => safeDetect(a, req));
      if (!adapter) {
        countWebhook(ctx, 'unknown', 'invalid');
        throw badRequest('This body is not a Twilio, Meta or Whapi webhook.', 'UNKNOWN_WEBHOOK_FORMAT');
      }
      return answer(ctx, adapter, request, reply);
    });
  });
};

function registerWebhook(scope: App, ctx: AppContext, adapter: ProviderAdapter, hook: WebhookRoute): void {
  if (hook.kind === 'receive') {
    if (hook.enabled && !hook.enabled(ctx.config)) return;
    scope.post(hook.path, { schema: { ...HOOK_SCHEMA, summary: `${adapter.name} webhook` } }, (request, reply) => answer(ctx, adapter, request, reply));
    return;
  }
  scope.get(hook.path, { schema: { tags: ['webhooks'], ...(hook.query ? { querystring: hook.query } : {}) } }, (request, reply) => {
    const result = hook.answer(webhookRequest(request), ctx.config);
    if ('refused' in result) throw forbidden(result.refused);
    return reply.type(result.contentType).send(result.body);
  });
}

function safeDetect(adapter: ProviderAdapter, req: WebhookRequest): boolean {
  try {
    return adapter.detect(req);
  } catch {
    return false;
  }
}
