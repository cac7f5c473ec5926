// Unrouted events (SPEC §4): verified webhooks no organization could take, kept for the platform
// administrator to inspect and replay once the number is assigned.
import { z } from 'zod';
import { listUnroutedEvents, replayUnroutedEvent } from '../services/inbound/receive.js';
import type { RouteModule } from './route.js';
import { platformOnly } from './auth.js';

const tags = ['admin'];

export const unroutedRoutes: RouteModule = (app, ctx) => {
  const guard = platformOnly(ctx);
  app.get(
    '/api/admin/unrouted-events',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Webhooks no organization could take (platform key)',
        querystring: z.object({ includeReplayed: z.enum(['true', 'false']).optional() }),
      },
    },
    async (request) => {
      const events = await listUnroutedEvents(ctx, { includeReplayed: request.query.includeReplayed === 'true' });
      return { ok: true, events };
    },
  );

  app.post(
    '/api/admin/unrouted-events/:id/replay',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Route a kept webhook again, once its number is assigned (platform key)',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
    },
    async (request) => {
      const summary = await replayUnroutedEvent(ctx, request.params.id);
      return { ok: true, stored: summary.stored, duplicates: summary.duplicates, statuses: summary.statuses };
    },
  );
};
