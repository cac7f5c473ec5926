// The HTTP server: plugins, error mapping, and the one list of route files.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../services/context.js';
import { answersOf } from './answers.js';
import { answerClientError, answerFrameworkError } from './client-errors.js';
import { dashboardRoutes } from './dashboard.js';
import { registerDocs } from './docs.js';
import { installErrorHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { knowledgeRoutes } from './knowledge.js';
import { knowledgeEntryRoutes } from './knowledge-entries.js';
import { metricsRoutes } from './metrics.js';
import { simulatorRoutes } from './simulator.js';
import { visitorRoutes } from './visitor.js';
import { widgetScriptRoutes } from './widget-script.js';
import { widgetRoutes } from './widgets.js';
import { apiKeyRoutes } from './api-keys.js';
import { metaNumberRoutes } from './meta-numbers.js';
import { numberRoutes } from './numbers.js';
import { organizationRoutes } from './organizations.js';
import { previewRoutes } from './preview.js';
import { usageRoutes } from './usage.js';
import { whapiChannelRoutes } from './whapi-channels.js';
import { webhookRoutes } from './webhooks.js';
import { unroutedRoutes } from './unrouted.js';
import { conversationRoutes } from './conversations.js';
import { mediaRoutes } from './media.js';
import { sessionRoutes } from './session.js';
import { agentRoutes } from './agents.js';
import { connectionRoutes } from './connections.js';
import { templateRoutes } from './templates.js';
import { type App, type RouteModule, withZod } from './route.js';
import { redactUrl } from '../core/secrets.js';

export type { App } from './route.js';

const routeModules: RouteModule[] = [
  metricsRoutes,
  healthRoutes,
  dashboardRoutes,
  sessionRoutes,
  simulatorRoutes,
  organizationRoutes,
  apiKeyRoutes,
  numberRoutes,
  connectionRoutes,
  templateRoutes,
  agentRoutes,
  metaNumberRoutes,
  usageRoutes,
  knowledgeRoutes,
  knowledgeEntryRoutes,
  whapiChannelRoutes,
  webhookRoutes,
  unroutedRoutes,
  conversationRoutes,
  mediaRoutes,
  widgetRoutes,
  visitorRoutes,
  widgetScriptRoutes,
  previewRoutes,
];

/** Probes a load balancer or Prometheus calls every few seconds: logged at debug only, whatever they answer. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `info` for what changes something (POST, PATCH, DELETE…) and for any answer that failed (4xx,
 * 5xx); `debug` for reads that succeeded: the lists the dashboard polls, event streams, pages and
 * static assets repeat all day and would bury the lines that matter.
 */
export function requestLogLevel(method: string, route: string | undefined, status: number): 'info' | 'debug' {
  if (PROBES.has(route ?? '')) return 'debug';
  return status >= 400 || !READS.has(method) ? 'info' : 'debug';
}

/** One line per answered request: method, URL with its secrets redacted, status, time (level: requestLogLevel). */
function logRequests(app: App, ctx: AppContext): void {
  const log = ctx.log;
  app.addHook('onResponse', (request, reply, done) => {
    const level = requestLogLevel(request.method, request.routeOptions.url, reply.statusCode);
    if (log.isLevelEnabled(level)) {
      log[level](
        { reqId: request.id, method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    }
    done();
  });
}

export async function buildApp(ctx: AppContext): Promise<App> {
  const fastify: FastifyInstance = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    routerOptions: { maxParamLength: 200 },
    // X-Forwarded-For is believed only from the operator's proxies (SPEC §11); none by default.
    trustProxy: ctx.config.trustedProxies.length > 0 ? ctx.config.trustedProxies : false,
    // Short request ids keep log lines small; a provider retry gets its own.
    genReqId: () => Math.random().toString(36).slice(2, 10),
    // One line per request, written below once it is answered (Fastify's own are two per request).
    logController: new LogController({ disableRequestLogging: true }),
  });
  const app = withZod(fastify);
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers (/docs) and are checked by the tests; at run time an
  // answer is sent as it is, so a field the schema lacks can never turn a good answer into a 500.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandler(app);
  logRequests(app, ctx);
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; response?: unknown } | undefined;
    if (!schema || schema.hide || schema.response) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      schema.response = answersOf(method, route.url);
    }
  });

  await registerDocs(app, ctx);

  for (const register of routeModules) await register(app, ctx);
  return app;
}
