// A database stopped at an earlier migration, to test what a later one does to the rows it finds.
import { type Kysely, Migrator } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';

/** Runs the migrations up to and including `name`; answers the database untyped (its schema is the old one). */
export async function migrateUpTo(database: Database, name: string): Promise<Kysely<any>> {
  const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  expect((await migrator.migrateTo(name)).error).toBeUndefined();
  return database.db as unknown as Kysely<any>;
}

/** An organization row as every schema since 001 takes it. */
export async function insertOldOrganization(db: Kysely<any>, id: string, name: string, at: string): Promise<void> {
  const row = { id, name, plan: 'starter', join_code: `${id}-code`, last_conversation_ref: 0, dedupe_window_seconds: 0, created_at: at, updated_at: at };
  await db.insertInto('organizations').values(row).execute();
}
