// The configured media store, built once per context (server.ts).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaStoreConfig } from '../../config.js';
import { diskMediaStore } from './disk.js';
import { s3MediaStore } from './s3.js';
import type { MediaStore } from './store.js';

/** The store, and for a database in memory what removes its files when the database closes. */
export function openMediaStore(config: MediaStoreConfig): { store: MediaStore; discard?: () => Promise<void> } {
  if (config.kind === 's3') return { store: s3MediaStore(config) };
  if (config.directory !== undefined) return { store: diskMediaStore(config.directory) };
  // A database in memory vanishes with the process, and its files with it (created on the first file).
  const directory = join(tmpdir(), 'switchboard-media', randomUUID());
  return { store: diskMediaStore(directory), discard: () => rm(directory, { recursive: true, force: true }) };
}
