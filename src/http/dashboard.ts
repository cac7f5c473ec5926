// The dashboard (a React single-page app built by Vite into web/dashboard/dist) and the demo
// website page. Every path under /dashboard answers the app's page, so a reload or a shared link
// lands on the right section.
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDemo } from '../services/platform/demo.js';
import { getOrganization } from '../services/tenancy/organizations.js';
import type { RouteModule } from './route.js';
import { keyRequired, organizationAccess, principalOf } from './auth.js';
import { dashboardDist, sendBuiltPage, webRoot } from './pages.js';
import { endChannelStreams, streamChannel } from './sse.js';

const PUBLIC_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function demoPage(publicKey: string | undefined, businessName: string): string {
  const template = readFileSync(resolve(webRoot, 'demo.html'), 'utf8');
  const widget = publicKey
    ? `<script src="/widget.js" data-widget="${publicKey}" async></script>`
    : '<p class="note">No demo widget here: open this page as <code>/demo?widget=PUBLIC_KEY</code>.</p>';
  return template.replaceAll('{{business}}', businessName).replace('{{widget}}', widget);
}

export const dashboardRoutes: RouteModule = async (app, ctx) => {
  app.addHook('preClose', async () => endChannelStreams(ctx));
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
  app.get(
    '/api/whoami',
    { ...keyRequired(ctx), schema: { tags: ['organizations'], summary: 'The caller: platform key or an organization key' } },
    async (request) => {
      const principal = await principalOf(ctx, request);
      return principal.kind === 'platform' ? { ok: true, kind: 'platform' } : { ok: true, kind: 'organization', organizationId: principal.organizationId };
    },
  );

  // The dashboard's live feed of one organization (messages, conversation changes). Read with
  // fetch and an Authorization header, so the key never sits in a URL.
  app.get(
    '/api/organizations/:orgId/events',
    {
      ...organizationAccess(ctx),
      schema: { tags: ['conversations'], summary: 'Live events of an organization (Server-Sent Events)', params: z.object({ orgId: z.string().min(1) }) },
    },
    async (request, reply) => {
      await getOrganization(ctx, request.params.orgId);
      streamChannel(ctx, reply, `org:${request.params.orgId}`);
    },
  );

  app.get<{ Querystring: { widget?: string } }>('/demo', page, async (request, reply) => {
    const demo = await readDemo(ctx);
    const requested = typeof request.query.widget === 'string' && PUBLIC_KEY.test(request.query.widget) ? request.query.widget : undefined;
    const publicKey = requested ?? demo?.widgetPublicKey;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(demoPage(publicKey, demo?.organizationName ?? 'Lantern Lane Bikes'));
  });
};
