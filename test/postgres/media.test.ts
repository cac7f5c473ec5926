// Media out of the rows on PostgreSQL: kept in a directory (MEDIA_STORE), and in an S3 bucket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeMediaStorage } from '../services/media/media-cases.js';
import { freshPostgresDatabase } from '../support/context.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-pg-media-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeMediaStorage('PostgreSQL', freshPostgresDatabase, 'disk', () => directory);
describeMediaStorage('PostgreSQL', freshPostgresDatabase, 's3');
