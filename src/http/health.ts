// Liveness and readiness.
import { sql } from 'kysely';
import { migrationsApplied } from '../db/database.js';
import type { RouteModule } from './route.js';

const READY_TIMEOUT_MS = 3_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true, status: 'up' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      // A probe answers within seconds even when the database hangs.
      const migrated = await withTimeout(
        sql`select 1`.execute(ctx.db).then(() => migrationsApplied(ctx.database)),
        READY_TIMEOUT_MS,
      );
      if (!migrated) return reply.status(503).send({ ok: false, error: 'Migrations are not applied yet.', code: 'NOT_READY' });
      return { ok: true, database: ctx.database.dialect, migrations: 'applied' };
    } catch {
      return reply.status(503).send({ ok: false, error: 'The database is not reachable.', code: 'NOT_READY' });
    }
  });
};
