// GET /widget.js — the embeddable widget, built by scripts/build-web.ts. A public script: any site
// may load it (its API calls are what the widget's allowed origins limit).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unavailable } from '../core/errors.js';
import type { RouteModule } from './route.js';

export const WIDGET_BUNDLE = resolve(import.meta.dirname, '../../public/build/widget.js');

export const widgetScriptRoutes: RouteModule = (app) => {
  let cached: { body: Buffer; etag: string } | undefined;

  async function bundle() {
    if (!cached) {
      const body = await readFile(WIDGET_BUNDLE).catch(() => undefined);
      if (!body) throw unavailable('The widget script has not been built; run `npm run build:web`.', 'WIDGET_NOT_BUILT');
      cached = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    }
    return cached;
  }

  app.get('/widget.js', { schema: { hide: true } }, async (request, reply) => {
    const { body, etag } = await bundle();
    reply
      .header('access-control-allow-origin', '*')
      .header('cross-origin-resource-policy', 'cross-origin')
      // Short: sites embed this URL unversioned, so a new release should reach them within minutes.
      .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
      .header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(body);
  });
};
