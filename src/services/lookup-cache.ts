// What every webhook looks up, kept in this process: the number a routing key names, the
// credentials of a connection (decrypted once), an organization's plan. Every change to numbers,
// connections or an organization's plan calls `invalidateLookups` after it commits; that clears
// this process's entries and tells the other instances (over the live bus, PostgreSQL mode).
//
// Changes made outside this process's services are caught too: in SQLite mode `PRAGMA
// data_version` moves when another connection (the CLI, another process) commits, and the cache is
// dropped in the next event-loop turn that looks something up; in PostgreSQL mode entries also expire after ENTRY_TTL_MS, which
// bounds how long a missed notification (the listener reconnecting) can keep an old answer.
//
// Beside context.ts rather than in a domain folder: it is per-process state shared by numbers/
// (numbers, connections) and tenancy/ (plans), which numbers/ builds on, and it imports nothing
// but the context — so neither domain has to import the other to cache or to forget.
import type { AppContext, LookupCache } from './context.js';

export type LookupKind = 'number' | 'connection' | 'plan';

const ENTRY_TTL_MS = 5_000;
/** A bound all the same (numbers and connections are few; this is never reached in practice). */
const MAX_ENTRIES = 10_000;
const INVALIDATE_CHANNEL = 'cache:lookups';

function cacheOf(ctx: AppContext): LookupCache {
  let cache = ctx.state.lookups;
  if (cache) return cache;
  cache = { entries: new Map(), generation: 0 };
  const sqlite = ctx.database.sqlite;
  if (sqlite) {
    const statement = sqlite.prepare('pragma data_version').pluck();
    const read = () => statement.get() as number;
    cache.dataVersion = { value: read(), read, checkedThisTurn: false };
  }
  // Other instances' changes (PostgreSQL mode; the local bus only repeats our own, already applied).
  ctx.bus.subscribe(INVALIDATE_CHANNEL, () => clear(ctx.state.lookups));
  ctx.state.lookups = cache;
  return cache;
}

function clear(cache: LookupCache | undefined): void {
  if (!cache) return;
  cache.entries.clear();
  cache.generation += 1;
}

/**
 * The cached answer for `kind` + `key`, or `load()`'s, remembered until the next invalidation.
 * `undefined` (no such number) is not remembered: a number added later is found at once, however
 * it was added, and keys read from unsigned payloads cannot fill the cache.
 */
export async function cachedLookup<T>(ctx: AppContext, kind: LookupKind, key: string, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(ctx);
  if (cache.dataVersion && !cache.dataVersion.checkedThisTurn) {
    // Once per event-loop turn (reading it costs a look at the WAL index): every webhook of a turn
    // sees the commits of other processes made before the turn began.
    cache.dataVersion.checkedThisTurn = true;
    setImmediate(() => {
      if (cache.dataVersion) cache.dataVersion.checkedThisTurn = false;
    });
    const version = cache.dataVersion.read();
    if (version !== cache.dataVersion.value) {
      cache.dataVersion.value = version;
      clear(cache);
    }
  }
  const id = `${kind}\u0000${key}`;
  const now = Date.now();
  const hit = cache.entries.get(id);
  if (hit && (cache.dataVersion || now - hit.at < ENTRY_TTL_MS)) return hit.value as T;
  const generation = cache.generation;
  const value = await load();
  if (value !== undefined && cache.generation === generation) {
    if (cache.entries.size >= MAX_ENTRIES) cache.entries.clear();
    cache.entries.set(id, { value, at: now });
  }
  return value;
}

/**
 * Call after a change to numbers, connections or an organization's plan has committed: this
 * process forgets every cached lookup at once, and other instances are told to.
 */
export function invalidateLookups(ctx: AppContext): void {
  clear(ctx.state.lookups);
  ctx.bus.publish({ channel: INVALIDATE_CHANNEL, type: 'invalidate', data: {} }).catch((err: Error) => {
    ctx.log.warn({ reason: err.message }, 'other instances were not told of a number change; their lookups expire within seconds');
  });
}
