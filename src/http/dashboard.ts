// The dashboard (a React single-page app built by Vite into web/dashboard/dist) and the demo
// website page. Every path under /dashboard answers the app's page, so a reload or a shared link
// lands on the right section.
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { notFound } from '../core/errors.js';
import type { AppContext } from '../services/context.js';
import { readDemo } from '../services/platform/demo.js';
import type { RouteModule } from './app.js';
import { assertOrganizationAccess, authenticate } from './auth.js';

const webRoot = resolve(import.meta.dirname, '../../web/dashboard');
export const dashboardDist = resolve(webRoot, 'dist');

/** Sends a built page; when the build is missing, says how to make it instead of a bare 404. */
export function sendBuiltPage(reply: FastifyReply, file: string) {
  const path = resolve(dashboardDist, file);
  if (!existsSync(path)) {
    return reply
      .status(503)
      .type('text/html; charset=utf-8')
      .send('<!doctype html><title>Switchboard</title><p>The dashboard is not built yet: run <code>npm run build:web</code>.</p>');
  }
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(path));
}

/** Comments keep idle proxies from closing a stream. */
const HEARTBEAT_MS = 25_000;

/** Answers with a Server-Sent Events stream of one live channel until the client goes away. */
export function streamChannel(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, channel: string): void {
  reply.hijack();
  const res = reply.raw;
  ctx.state.dashboardStreams.add(res);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  const unsubscribe = ctx.bus.subscribe(channel, (event) => {
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  request.raw.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.state.dashboardStreams.delete(res);
  });
}

const PUBLIC_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function demoPage(publicKey: string | undefined, businessName: string): string {
  const template = readFileSync(resolve(webRoot, 'demo.html'), 'utf8');
  const widget = publicKey
    ? `<script src="/widget.js" data-widget="${publicKey}" async></script>`
    : '<p class="note">No demo widget here: open this page as <code>/demo?widget=PUBLIC_KEY</code>.</p>';
  return template.replaceAll('{{business}}', businessName).replace('{{widget}}', widget);
}

export const dashboardRoutes: RouteModule = async (app, ctx) => {
  app.addHook('preClose', async () => {
    // Open streams end when the app closes, so a shutdown does not wait on them.
    for (const res of ctx.state.dashboardStreams) res.end();
  });
  if (existsSync(resolve(dashboardDist, 'assets'))) {
    await app.register(fastifyStatic, {
      root: resolve(dashboardDist, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      // file names carry a content hash
      maxAge: '365d',
      immutable: true,
    });
  }
  const page = { schema: { hide: true } };
  app.get('/', page, (_request, reply) => sendBuiltPage(reply, 'index.html'));
  app.get('/dashboard', page, (_request, reply) => sendBuiltPage(reply, 'index.html'));
  app.get('/dashboard/*', page, (_request, reply) => sendBuiltPage(reply, 'index.html'));

  // Who the signed-in key is, so the dashboard shows the platform's sections only to the platform key.
  app.get('/api/whoami', { schema: { tags: ['organizations'], summary: 'The caller: platform key or an organization key' } }, async (request) => {
    const principal = await authenticate(ctx, request);
    return principal.kind === 'platform' ? { ok: true, kind: 'platform' } : { ok: true, kind: 'organization', organizationId: principal.organizationId };
  });

  // The dashboard's live feed of one organization (messages, conversation changes). Read with
  // fetch and an Authorization header, so the key never sits in a URL.
  app.get(
    '/api/organizations/:orgId/events',
    { schema: { tags: ['conversations'], summary: 'Live events of an organization (Server-Sent Events)', params: z.object({ orgId: z.string().min(1) }) } },
    async (request, reply) => {
      assertOrganizationAccess(await authenticate(ctx, request), request.params.orgId);
      const exists = await ctx.db.selectFrom('organizations').select('id').where('id', '=', request.params.orgId).executeTakeFirst();
      if (!exists) throw notFound('Organization');
      streamChannel(ctx, request, reply, `org:${request.params.orgId}`);
    },
  );

  app.get<{ Querystring: { widget?: string } }>('/demo', page, async (request, reply) => {
    const demo = await readDemo(ctx);
    const requested = typeof request.query.widget === 'string' && PUBLIC_KEY.test(request.query.widget) ? request.query.widget : undefined;
    const publicKey = requested ?? demo?.widgetPublicKey;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(demoPage(publicKey, demo?.organizationName ?? 'Lantern Lane Bikes'));
  });
};
