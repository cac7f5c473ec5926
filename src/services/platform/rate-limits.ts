// Fixed windows of attempts per key (SPEC §8, §11: visitor endpoints are rate limited; ACCEPT codes
// and dashboard sign-ins are throttled). PostgreSQL counts in the database, so instances behind one
// load balancer share the limit; SQLite is one instance by definition and counts in the process
// (ctx.state.rateLimits). A window of N minutes starts at a multiple of N minutes since the epoch.
import { sql } from 'kysely';
import type { AppContext } from '../context.js';

/**
 * `address`: visitor requests per client address; `session`: messages per visitor session;
 * `accept`: `ACCEPT <code>` attempts per phone; `sign-in`: dashboard sign-ins per client address.
 */
export type RateLimitScope = 'address' | 'session' | 'accept' | 'sign-in';

/** Counts are kept this long, so the longest window a scope may use. */
const LONGEST_WINDOW_MINUTES = 60;

export interface Attempt {
  /** this attempt's number within the window, 1 for the first */
  count: number;
  /** seconds until the window resets */
  resetsInSeconds: number;
}

function windowOf(ctx: AppContext, windowMinutes: number) {
  const window = Math.min(Math.max(1, Math.floor(windowMinutes)), LONGEST_WINDOW_MINUTES);
  const now = ctx.clock.now().getTime();
  const minute = Math.floor(now / 60_000);
  const start = minute - (minute % window);
  return { minute, start, resetsInSeconds: Math.ceil(((start + window) * 60_000 - now) / 1000) };
}

/** Counts one attempt for `key` in the current window of `windowMinutes`. */
export async function countAttempt(ctx: AppContext, scope: RateLimitScope, key: string, windowMinutes = 1): Promise<Attempt> {
  const { minute, start, resetsInSeconds } = windowOf(ctx, windowMinutes);
  const count =
    ctx.database.dialect === 'postgres' ? await countInDatabase(ctx, scope, key, start, minute) : countInProcess(ctx, `${scope}:${key}`, start, minute);
  return { count, resetsInSeconds };
}

/** The attempts counted for `key` in the current window so far, counting none. */
export async function peekAttempts(ctx: AppContext, scope: RateLimitScope, key: string, windowMinutes = 1): Promise<Attempt> {
  const { start, resetsInSeconds } = windowOf(ctx, windowMinutes);
  if (ctx.database.dialect !== 'postgres') return { count: ctx.state.rateLimits.counts.get(`${start}|${scope}:${key}`) ?? 0, resetsInSeconds };
  const row = await ctx.db
    .selectFrom('rate_limits')
    .select('count')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('minute', '=', start)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), resetsInSeconds };
}

/**
 * Counts one request for `key` in the current window: 0 when it is within `limit`, else the
 * seconds until the window resets.
 */
export async function takeRateLimit(ctx: AppContext, scope: RateLimitScope, key: string, limit: number, windowMinutes = 1): Promise<number> {
  const attempt = await countAttempt(ctx, scope, key, windowMinutes);
  return attempt.count <= limit ? 0 : attempt.resetsInSeconds;
}

function countInProcess(ctx: AppContext, key: string, start: number, minute: number): number {
  const state = ctx.state.rateLimits;
  if (state.minute !== minute) {
    // Once a minute: forget the windows that ended (each entry's key begins with its window's start).
    state.minute = minute;
    for (const entry of state.counts.keys()) {
      if (Number(entry.slice(0, entry.indexOf('|'))) < minute - LONGEST_WINDOW_MINUTES) state.counts.delete(entry);
    }
  }
  const entry = `${start}|${key}`;
  const count = (state.counts.get(entry) ?? 0) + 1;
  state.counts.set(entry, count);
  return count;
}

/** One round trip: the upsert returns the new count. */
async function countInDatabase(ctx: AppContext, scope: string, key: string, start: number, minute: number): Promise<number> {
  const row = await ctx.db
    .insertInto('rate_limits')
    .values({ scope, key, minute: start, count: 1 })
    .onConflict((oc) => oc.columns(['scope', 'key', 'minute']).doUpdateSet({ count: sql`rate_limits.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  const state = ctx.state.rateLimits;
  if (state.minute !== minute) {
    // The first request of a minute in this process sweeps the windows that ended.
    state.minute = minute;
    await ctx.db
      .deleteFrom('rate_limits')
      .where('minute', '<', minute - LONGEST_WINDOW_MINUTES)
      .execute();
  }
  return Number(row.count);
}
