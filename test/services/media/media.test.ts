// Media out of the rows on SQLite: files beside the database file (the default), and in an S3 bucket.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMediaStorage } from './media-cases.js';

async function sqliteFile() {
  const directory = await mkdtemp(join(tmpdir(), 'switchboard-media-db-'));
  return { url: `sqlite:${join(directory, 'switchboard.db')}`, drop: () => rm(directory, { recursive: true, force: true }), directory };
}

describeMediaStorage('SQLite', sqliteFile, 'disk');
describeMediaStorage('SQLite', sqliteFile, 's3');
