// Retention on SQLite: the shared cases (test/support/retention.ts), and the file giving back the
// space of what was removed.
import Sqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchToIncrementalVacuum } from '../../../src/db/sqlite-upkeep.js';
import { runRetention, startRetention } from '../../../src/services/platform/retention.js';
import { makeTestContext } from '../../support/context.js';
import { retentionCases } from '../../support/retention.js';
import { waitFor } from '../../support/wait.js';

retentionCases(
  (options) => makeTestContext(options),
  (ctx) => ctx.database.close(),
);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-retention-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the retention schedule', () => {
  it('runs by itself in the background and stops when told', async () => {
    const ctx = await makeTestContext();
    try {
      const longAgo = new Date(ctx.clock.now().getTime() - 30 * 24 * 60 * 60 * 1000).toISOString();
      const finishedJob = {
        kind: 'test.kind',
        payload: '{}',
        status: 'done',
        run_at: longAgo,
        attempts: 1,
        max_attempts: 40,
        created_at: longAgo,
        updated_at: longAgo,
      };
      await ctx.db.insertInto('jobs').values(finishedJob).execute();
      const stop = startRetention(ctx, 10);
      await waitFor(async () => (await ctx.db.selectFrom('jobs').select('id').execute()).length === 0, { what: 'the finished job to be removed' });
      await stop();
      // Stopped: a finished job added now stays.
      await ctx.db.insertInto('jobs').values(finishedJob).execute();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await ctx.db.selectFrom('jobs').select('status').execute()).toEqual([{ status: 'done' }]);
    } finally {
      await ctx.database.close();
    }
  });
});

const pragma = (sqlite: Sqlite.Database, name: string) => Number(sqlite.pragma(name, { simple: true }));

describe('the SQLite file after retention', () => {
  it('shrinks: the pages of removed rows are given back (incremental vacuum)', async () => {
    const ctx = await makeTestContext({ databaseUrl: `sqlite:${join(dir, 'shrink', 'switchboard.db')}` });
    try {
      const sqlite = ctx.database.sqlite!;
      expect(pragma(sqlite, 'auto_vacuum')).toBe(2);
      const longAgo = new Date(ctx.clock.now().getTime() - 30 * 24 * 60 * 60 * 1000).toISOString();
      const insert = sqlite.prepare(
        `insert into jobs (kind, payload, status, run_at, attempts, max_attempts, created_at, updated_at) values ('test.kind', ?, ?, ?, 1, 40, ?, ?)`,
      );
      sqlite.transaction(() => {
        for (let i = 0; i < 3000; i++) insert.run(JSON.stringify({ text: 'x'.repeat(3000), i }), i < 2500 ? 'done' : 'pending', longAgo, longAgo, longAgo);
      })();
      const pagesBefore = pragma(sqlite, 'page_count');

      const counts = await runRetention(ctx);
      expect(counts.jobs).toBe(2500);
      expect(counts.reclaimedPages).toBeGreaterThan(0);
      expect(pragma(sqlite, 'freelist_count')).toBe(0);
      expect(pragma(sqlite, 'page_count')).toBeLessThan(pagesBefore - counts.reclaimedPages + 1);
      expect(pragma(sqlite, 'page_count')).toBeLessThan(pagesBefore / 2);
      expect(await ctx.db.selectFrom('jobs').select('status').distinct().execute()).toEqual([{ status: 'pending' }]);
    } finally {
      await ctx.database.close();
    }
  });

  it('switches a file made before incremental vacuum at start-up, and leaves a file too large to `npm run migrate`', async () => {
    const path = join(dir, 'older.db');
    const older = new Sqlite(path);
    older.exec('create table notes (body text)');
    expect(pragma(older, 'auto_vacuum')).toBe(0);
    expect(switchToIncrementalVacuum(older, 0)).toBe('too-large');
    expect(pragma(older, 'auto_vacuum')).toBe(0);
    older.close();

    const ctx = await makeTestContext({ databaseUrl: `sqlite:${path}` });
    try {
      expect(pragma(ctx.database.sqlite!, 'auto_vacuum')).toBe(2);
      expect(pragma(ctx.database.sqlite!, 'journal_size_limit')).toBe(64 * 1024 * 1024);
    } finally {
      await ctx.database.close();
    }
  });
});
