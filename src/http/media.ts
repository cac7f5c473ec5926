// Copies of inbound media files, by their unguessable id (an <img> in the dashboard or the widget
// cannot send an API key).
import { z } from 'zod';
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
      const name = (file.filename ?? 'file').replace(/[^\w.-]+/g, '_');
      return reply
        .type(file.mimeType)
        .header('content-disposition', `inline; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=86400')
        .send(file.bytes);
    },
  );
};
