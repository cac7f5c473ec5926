// `npm run migrate` as a deploy runs it: its own process, on a new SQLite file.
import { execFile } from 'node:child_process';
import Sqlite from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-migrate-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function migrate(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'migrate'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm run migrate', () => {
  it('creates every table on a new SQLite file, says so in one line, and is a no-op the second time', async () => {
    const url = `sqlite:${join(dir, 'fresh', 'switchboard.db')}`;
    const first = await migrate(url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.stdout).toContain('Migrated the sqlite database to the latest schema');

    const database = openDatabase(url);
    try {
      const tables = database.sqlite!.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      const names = tables.map((t) => t.name);
      for (const table of ['organizations', 'numbers', 'messages', 'jobs', 'settings', 'live_event_payloads']) expect(names).toContain(table);
      const applied = database.sqlite!.prepare('select name from kysely_migration').all() as Array<{ name: string }>;
      expect(applied.map((m) => m.name).sort()).toEqual(Object.keys(migrations).sort());
    } finally {
      await database.close();
    }

    const second = await migrate(url);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('The sqlite database is already at the latest schema.');
  });

  it('switches a file made before incremental vacuum, whatever its size, and says so', async () => {
    const path = join(dir, 'older.db');
    const older = new Sqlite(path);
    older.exec('create table notes (body text)');
    older.close();
    const result = await migrate(`sqlite:${path}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The SQLite file now gives back the space of removed rows (auto_vacuum = incremental).');
    const database = openDatabase(`sqlite:${path}`);
    try {
      expect(database.sqlite!.pragma('auto_vacuum', { simple: true })).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('answers a bad DATABASE_URL with exit code 2 and a sentence', async () => {
    const result = await migrate('mysql://nowhere');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL/);
    expect(result.stdout).toBe('');
  });
});
