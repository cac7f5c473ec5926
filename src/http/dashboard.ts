// The dashboard (a React single-page app built by Vite into web/dashboard/dist) and the demo
// website page. Every path under /dashboard answers the app's page, so a reload or a shared link
// lands on the right section.
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDemo } from '../services/demo.js';
import type { RouteModule } from './app.js';

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

const PUBLIC_KEY = /^[A-Za-z0-9_-]{1,100}$/;

function demoPage(publicKey: string | undefined, businessName: string): string {
  const template = readFileSync(resolve(webRoot, 'demo.html'), 'utf8');
  const widget = publicKey
    ? `<script src="/widget.js" data-widget="${publicKey}" async></script>`
    : '<p class="note">No demo widget here: open this page as <code>/demo?widget=PUBLIC_KEY</code>.</p>';
  return template.replaceAll('{{business}}', businessName).replace('{{widget}}', widget);
}

export const dashboardRoutes: RouteModule = async (app, ctx) => {
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

  app.get<{ Querystring: { widget?: string } }>('/demo', page, async (request, reply) => {
    const demo = await readDemo(ctx);
    const requested = typeof request.query.widget === 'string' && PUBLIC_KEY.test(request.query.widget) ? request.query.widget : undefined;
    const publicKey = requested ?? demo?.widgetPublicKey;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(demoPage(publicKey, demo?.organizationName ?? 'Lantern Lane Bikes'));
  });
};
