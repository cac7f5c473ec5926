// Fixed windows of attempts per key (SPEC §8, §11: visitor endpoints are rate limited; ACCEPT codes
// and dashboard sign-ins are throttled). PostgreSQL counts in the database, so instances behind one
// load balancer share the limit; SQLite is one instance by definition and counts in the process
// (ctx.state.rateLimits). A window of N minutes starts at a multiple of N minutes since the epoch.
import { sql } from 'kysely';
import type { AppContext } from './context.js';

/**
 * What is limited, and the length of its window in minutes: visitor requests per client address and
 * messages per visitor session (a minute); `ACCEPT <code>` attempts per phone and failed dashboard
 * sign-ins per client address (a quarter of an hour).
 */
export const RATE_LIMIT_WINDOWS = { address: 1, session: 1, accept: 15, 'sign-in': 15 } as const;
export type RateLimitScope = keyof typeof RATE_LIMIT_WINDOWS;

export interface Attempt {
  /** this attempt's number within the window, 1 for the first */
  count: number;
  /** seconds until the window resets */
  resetsInSeconds: number;
}

function windowOf(ctx: AppContext, scope: RateLimitScope) {
  const window = RATE_LIMIT_WINDOWS[scope];
  const now = ctx.clock.now().getTime();
  const minute = Math.floor(now / 60_000);
  const start = minute - (minute % window);
  return { minute, start, window, resetsInSeconds: Math.ceil(((start + window) * 60_000 - now) / 1000) };
}

/** Counts one attempt for `key` in the scope's current window. */
export async function countAttempt(ctx: AppContext, scope: RateLimitScope, key: string): Promise<Attempt> {
  const { minute, start, window, resetsInSeconds } = windowOf(ctx, scope);
  const count =
    ctx.database.dialect === 'postgres' ? await countInDatabase(ctx, scope, key, start, minute) : countInProcess(ctx, `${scope}:${key}`, start, window, minute);
  return { count, resetsInSeconds };
}

/** The attempts counted for `key` in the scope's current window so far, counting none. */
export async function peekAttempts(ctx: AppContext, scope: RateLimitScope, key: string): Promise<Attempt> {
  const { start, window, resetsInSeconds } = windowOf(ctx, scope);
  if (ctx.database.dialect !== 'postgres') return { count: ctx.state.rateLimits.counts.get(`${start}|${window}|${scope}:${key}`) ?? 0, resetsInSeconds };
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
 * Counts one request for `key` in the scope's current window: 0 when it is within `limit`, else the
 * seconds until the window resets.
 */
export async function takeRateLimit(ctx: AppContext, scope: RateLimitScope, key: string, limit: number): Promise<number> {
  const attempt = await countAttempt(ctx, scope, key);
  return attempt.count <= limit ? 0 : attempt.resetsInSeconds;
}

function countInProcess(ctx: AppContext, key: string, start: number, window: number, minute: number): number {
  const state = ctx.state.rateLimits;
  if (state.minute !== minute) {
    // Once a minute: forget the windows that ended (an entry's key begins with its window's start and length).
    state.minute = minute;
    for (const entry of state.counts.keys()) {
      const [entryStart, entryWindow] = entry.split('|', 2).map(Number);
      if (entryStart! + entryWindow! <= minute) state.counts.delete(entry);
    }
  }
  const entry = `${start}|${window}|${key}`;
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
    // The first request of a minute in this process sweeps each scope's windows before the last one.
    state.minute = minute;
    await ctx.db
      .deleteFrom('rate_limits')
      .where((eb) => eb.or(Object.entries(RATE_LIMIT_WINDOWS).map(([scope, window]) => eb.and([eb('scope', '=', scope), eb('minute', '<', minute - window)]))))
      .execute();
  }
  return Number(row.count);
}
