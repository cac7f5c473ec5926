// Liveness and readiness.
import { sql } from 'kysely';
import { migrationsApplied } from '../db/database.js';
import type { RouteModule } from './app.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true, status: 'up' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      const migrated = await migrationsApplied(ctx.database);
      if (!migrated) return reply.status(503).send({ ok: false, error: 'Migrations are not applied yet.', code: 'NOT_READY' });
      return { ok: true, database: ctx.database.dialect, migrations: 'applied' };
    } catch {
      return reply.status(503).send({ ok: false, error: 'The database is not reachable.', code: 'NOT_READY' });
    }
  });
};
