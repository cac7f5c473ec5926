// The SQLite file kept in shape: rows removed by retention leave free pages inside the file, which
// `auto_vacuum = INCREMENTAL` lets us give back to the system a few at a time (the file shrinks)
// instead of a whole-file VACUUM that would stop the server. PostgreSQL needs none of this: its
// autovacuum reclaims dead rows and keeps the planner's statistics current.
import type SqliteDriver from 'better-sqlite3';

/** A file up to this size is switched to incremental vacuum at start-up (a VACUUM of 128 MB takes about a second or two). */
export const STARTUP_VACUUM_MAX_BYTES = 128 * 1024 * 1024;

const INCREMENTAL = 2;

export type VacuumMode = 'incremental' | 'switched' | 'too-large';

/**
 * Makes sure the file runs with `auto_vacuum = INCREMENTAL`. A file created before it was set (every
 * file made before migration 321) only changes with a VACUUM, which rewrites the whole file and holds
 * the database meanwhile: done here when the file is at most `maxBytes`, else left (`too-large`) to
 * `npm run migrate` while the server is stopped.
 */
export function switchToIncrementalVacuum(sqlite: SqliteDriver.Database, maxBytes = STARTUP_VACUUM_MAX_BYTES): VacuumMode {
  if (sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return 'incremental';
  if (fileBytes(sqlite) > maxBytes) return 'too-large';
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.exec('VACUUM');
  return 'switched';
}

export function fileBytes(sqlite: SqliteDriver.Database): number {
  return Number(sqlite.pragma('page_count', { simple: true })) * Number(sqlite.pragma('page_size', { simple: true }));
}

/** Pages inside the file that hold nothing (rows removed since). */
export function freePages(sqlite: SqliteDriver.Database): number {
  return Number(sqlite.pragma('freelist_count', { simple: true }));
}

/**
 * Gives up to `pages` free pages back to the system (the file shrinks by as many); returns how many
 * were freed. Nothing happens on a file not yet switched to incremental vacuum.
 */
export function reclaimFreePages(sqlite: SqliteDriver.Database, pages: number): number {
  if (sqlite.pragma('auto_vacuum', { simple: true }) !== INCREMENTAL) return 0;
  const before = freePages(sqlite);
  sqlite.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  return before - freePages(sqlite);
}
