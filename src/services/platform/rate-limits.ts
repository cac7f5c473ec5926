// Fixed one-minute windows of requests per key (SPEC §8, §11: visitor endpoints are rate limited).
// PostgreSQL counts in the database, so instances behind one load balancer share the limit; SQLite
// is one instance by definition and counts in the process (ctx.state.rateLimits).
import { sql } from 'kysely';
import type { AppContext } from '../context.js';

/** `address`: requests per client address; `session`: messages per visitor session. */
export type RateLimitScope = 'address' | 'session';

/**
 * Counts one request for `key` in the current clock minute: 0 when it is within `limit`, else the
 * seconds until the window resets.
 */
export async function takeRateLimit(ctx: AppContext, scope: RateLimitScope, key: string, limit: number): Promise<number> {
  const now = ctx.clock.now().getTime();
  const minute = Math.floor(now / 60_000);
  const count = ctx.database.dialect === 'postgres' ? await countInDatabase(ctx, scope, key, minute) : countInProcess(ctx, `${scope}:${key}`, minute);
  return count <= limit ? 0 : 60 - Math.floor((now % 60_000) / 1000);
}

function countInProcess(ctx: AppContext, key: string, minute: number): number {
  const state = ctx.state.rateLimits;
  if (state.minute !== minute) {
    state.minute = minute;
    state.counts.clear();
  }
  const count = (state.counts.get(key) ?? 0) + 1;
  state.counts.set(key, count);
  return count;
}

/** One round trip: the upsert returns the new count. */
async function countInDatabase(ctx: AppContext, scope: string, key: string, minute: number): Promise<number> {
  const row = await ctx.db
    .insertInto('rate_limits')
    .values({ scope, key, minute, count: 1 })
    .onConflict((oc) => oc.columns(['scope', 'key', 'minute']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  const state = ctx.state.rateLimits;
  if (state.minute !== minute) {
    // The first request of a minute in this process sweeps the minutes before the last one.
    state.minute = minute;
    await ctx.db
      .deleteFrom('rate_limits')
      .where('minute', '<', minute - 1)
      .execute();
  }
  return Number(row.count);
}
