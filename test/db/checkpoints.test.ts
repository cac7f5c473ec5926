// The write-ahead log is copied into a SQLite file by a thread of its own (db/checkpoint-worker.mjs):
// the server's commits never run a checkpoint, yet the file takes the log's pages within seconds,
// and closing the database stops the thread after a last checkpoint.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';

let dir: string;
let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: () => boolean, ms: number) => {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return what();
};

describe('checkpoints of a SQLite file', () => {
  it('are not run by commits, and reach the file from the checkpoint thread', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpoints-'));
    const path = join(dir, 'switchboard.db');
    database = openDatabase(`sqlite:${path}`);
    const sqlite = database.sqlite!;
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    sqlite.exec('create table notes (body text)');
    const empty = statSync(path).size;
    // About 4 MB in 200 commits: far past the 1,000 pages after which a commit would checkpoint itself.
    const insert = sqlite.prepare('insert into notes (body) values (?)');
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(20_000));
    expect(await until(() => statSync(path).size > 4_000_000, 10_000)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(empty);
    expect((sqlite.prepare('select count(*) as n from notes').get() as { n: number }).n).toBe(200);
  });

  it('end with the database: closing it leaves no log behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpoints-'));
    const path = join(dir, 'switchboard.db');
    database = openDatabase(`sqlite:${path}`);
    database.sqlite!.exec("create table notes (body text); insert into notes values ('kept')");
    expect(await sql`select count(*) as n from notes`.execute(database.db)).toMatchObject({ rows: [{ n: 1 }] });
    await database.close();
    expect(database.sqlite!.open).toBe(false);
    database = undefined;
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openDatabase(`sqlite:${path}`);
    expect(reopened.sqlite!.prepare('select body from notes').pluck().get()).toBe('kept');
    await reopened.close();
  });
});
