// The pages Vite builds into web/dashboard/dist (the dashboard and the simulator page).
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const webRoot = resolve(import.meta.dirname, '../../web/dashboard');
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
