// Copies of inbound media files, by their unguessable id (an <img> in the dashboard or the widget
// cannot send an API key). A customer chooses these bytes: they are served by core/media.ts's rule,
// so an HTML or SVG "document" downloads instead of running on our origin.
import { z } from 'zod';
import { safeMediaAnswer } from '../core/media.js';
import { readMediaFile } from '../services/inbound/media.js';
import type { RouteModule } from './route.js';

export const mediaRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/media/:id',
    {
      schema: {
        tags: ['conversations'],
        summary: 'A copy of an inbound media file',
        params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a media id') }),
      },
    },
    async (request, reply) => {
      const file = await readMediaFile(ctx, request.params.id);
      reply.headers(safeMediaAnswer(file.mimeType, file.head, file.filename)).header('cache-control', 'private, max-age=86400');
      if (file.size !== undefined) reply.header('content-length', file.size);
      return reply.send(file.body);
    },
  );
};
