// Retention on PostgreSQL (each case on a database of its own): the cases of test/support/retention.ts.
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { retentionCases } from '../support/retention.js';

const drops = new Map<object, () => Promise<void>>();

retentionCases(
  async (options) => {
    const database = await freshPostgresDatabase();
    const ctx = await makeTestContext({ ...options, databaseUrl: database.url });
    drops.set(ctx, database.drop);
    return ctx;
  },
  async (ctx) => {
    await ctx.bus.close();
    await ctx.database.close();
    await drops.get(ctx)?.();
  },
);
