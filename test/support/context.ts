// Test contexts: an in-memory SQLite database by default, or a fresh PostgreSQL database.
import pg from 'pg';
import type { Logger } from 'pino';
import { testConfig } from '../../src/config.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/logger.js';
import { createContext } from '../../src/server.js';
import type { AppContext, JobList } from '../../src/services/context.js';

export interface TestContextOptions {
  env?: Record<string, string | undefined>;
  clock?: ManualClock;
  databaseUrl?: string;
  log?: Logger;
  /** the job kinds the context runs; default: the app's list */
  jobs?: JobList;
}

export async function makeTestContext(options: TestContextOptions = {}): Promise<AppContext & { clock: ManualClock }> {
  const clock = options.clock ?? new ManualClock();
  const config = testConfig({
    DATABASE_URL: options.databaseUrl ?? 'sqlite::memory:',
    ENCRYPTION_KEY: '11'.repeat(32),
    ...options.env,
  });
  const ctx = await createContext(config, { clock, log: options.log ?? createLogger('silent'), jobs: options.jobs });
  return Object.assign(ctx, { clock });
}

/** The PostgreSQL server the postgres suite runs against; fails loudly when it is not given. */
export function requirePostgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error('TEST_DATABASE_URL is not set: the PostgreSQL suite needs a server, e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
  }
  return url;
}

/** A new, empty database on the test server; dropped by the returned cleanup. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(requirePostgresUrl());
  const name = `sb_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
