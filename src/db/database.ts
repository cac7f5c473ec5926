// One Database handle for both engines: Kysely for queries, plus the raw driver for the few
// hot-path statements that are prepared once (better-sqlite3) or need a pooled client (pg).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDriver from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database as Tables } from './schema.js';

// int8 (bigint ids, counts) as JS numbers: our ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export type Dialect = 'sqlite' | 'postgres';

const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/** How often the checkpoint thread copies the log into the file (checkpoint-worker.mjs). */
const CHECKPOINT_INTERVAL_MS = 1_000;
export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** set in SQLite mode */
  sqlite?: SqliteDriver.Database;
  /** set in PostgreSQL mode */
  pool?: pg.Pool;
  /** the connection string's database path (sqlite) or URL (postgres) */
  url: string;
  close(): Promise<void>;
}

export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDriver(path);
    // Set before the first table exists, a new file frees pages back to the system on
    // `incremental_vacuum` (sqlite-upkeep.ts); an older file is switched by one VACUUM.
    sqlite.pragma('auto_vacuum = INCREMENTAL');
    sqlite.pragma('journal_mode = WAL');
    // A checkpointed WAL is cut back to this size rather than keeping its largest size forever.
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    // A webhook answered 200 must survive a power cut: fsync on every commit.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const checkpoints = path === ':memory:' ? undefined : checkpointThread(sqlite, path);
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      db,
      dialect: 'sqlite',
      sqlite,
      url,
      close: async () => {
        await checkpoints?.stop();
        await db.destroy();
      },
    };
  }
  // Bounded waits: while the server restarts, a request fails fast instead of hanging on a socket.
  // Sized for the webhook group commit's batches in flight (inbound/store.ts), the job workers'
  // concurrency (8) and the API beside them.
  const pool = new pg.Pool({ connectionString: url, max: 20, connectionTimeoutMillis: 5_000, keepAlive: true });
  // A dropped connection (server restart) must not crash the process; the pool reconnects. The
  // pool listens for errors of idle clients only: a client checked out at that moment (a
  // transaction between statements) emits its error with nobody listening, which would end the
  // process, so every client gets a listener of its own. Its query fails, and the pool drops the
  // client when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    pool,
    url,
    close: async () => {
      await db.destroy();
    },
  };
}

/**
 * Checkpoints move to a thread of their own (checkpoint-worker.mjs): the connection stops running
 * them at commit. Should the thread fail to start or stop early, commits checkpoint again as before.
 */
function checkpointThread(sqlite: SqliteDriver.Database, path: string): { stop(): Promise<void> } {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { path, intervalMs: CHECKPOINT_INTERVAL_MS } });
  worker.unref();
  let running = true;
  const exited = new Promise<void>((resolve) => {
    const fallBack = () => {
      running = false;
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
      resolve();
    };
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
  });
  return {
    async stop() {
      if (!running) return;
      worker.ref(); // the process waits for the thread's last checkpoint
      worker.postMessage('stop');
      // The thread's last checkpoint and close; a thread that does not answer is ended.
      const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]);
      if (!ended) await worker.terminate();
    },
  };
}

/** Runs every migration not yet applied; resolves to the names of those it ran, in order. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    // Each part of the product numbers its migrations in its own range (002–009, 041, 071…), so a
    // database may have run 041 before 002 exists; every migration still runs exactly once.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (for /readyz). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}

/** Unique-constraint violation, in either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
