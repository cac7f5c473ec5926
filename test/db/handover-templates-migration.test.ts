// Migration 211: the handover_templates table, one row per provider account (the unique index is
// what keeps concurrent requests to one template).
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isUniqueViolation, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';

const row = (id: string, accountKey: string) => ({
  id,
  provider: 'twilio',
  account_key: accountKey,
  connection_id: null,
  organization_id: null,
  account_ref: 'AC0123',
  provider_template_id: null,
  name: 'switchboard_handover_request_v1',
  language: 'en',
  status: 'pending',
  rejection_reason: null,
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
});

describe('migration 211 (handover templates)', () => {
  it('adds the table on a database at 201, refusing a second template for one account, and goes back down', async () => {
    const database = openDatabase('sqlite::memory:');
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
      expect((await migrator.migrateTo('201_unrouted_messages')).error).toBeUndefined();
      const up = await migrator.migrateTo('211_handover_templates');
      expect(up.error).toBeUndefined();
      await database.db.insertInto('handover_templates').values(row('t1', 'platform')).execute();
      await database.db.insertInto('handover_templates').values(row('t2', 'connection-1')).execute();
      const second = await database.db
        .insertInto('handover_templates')
        .values(row('t3', 'platform'))
        .execute()
        .then(() => undefined)
        .catch((err: unknown) => err);
      expect(isUniqueViolation(second)).toBe(true);
      expect(await database.db.selectFrom('handover_templates').select('id').orderBy('id').execute()).toEqual([{ id: 't1' }, { id: 't2' }]);
      expect((await migrator.migrateDown()).error).toBeUndefined();
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).not.toContain('handover_templates');
    } finally {
      await database.close();
    }
  });
});
