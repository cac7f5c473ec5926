// Migration 121 on a database that already has widgets and visitors: every listed agent becomes an
// invited agent (nothing reaches them until they accept), the demo's start active, and the visitors
// already there are numbered in the order they came.
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';

describe('migration 121 (agents)', () => {
  it('invites the agents widgets listed, keeps the demo’s active and numbers the visitors', async () => {
    const database = openDatabase('sqlite::memory:');
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
      const before = await migrator.migrateTo('111_send_attempts');
      expect(before.error).toBeUndefined();
      const db = database.db as unknown as import('kysely').Kysely<any>;
      const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
      for (const [id, name] of [
        ['org-demo', 'Demo'],
        ['org-shop', 'Shop'],
      ]) {
        await db
          .insertInto('organizations')
          .values({
            id,
            name,
            plan: 'starter',
            join_code: `${id}-code`,
            last_conversation_ref: 0,
            dedupe_window_seconds: 0,
            created_at: at(0),
            updated_at: at(0),
          })
          .execute();
      }
      await db
        .insertInto('settings')
        .values({ key: 'demo', value: JSON.stringify({ organizationId: 'org-demo', agentNumbers: ['+15550100101'] }) })
        .execute();
      const widget = (id: string, org: string, agents: string[]) => ({
        id,
        organization_id: org,
        public_key: `wpk_${id}`,
        name: id,
        allowed_origins: '["*"]',
        greeting: null,
        settings: JSON.stringify({ agentWhatsappNumbers: agents }),
        created_at: at(1),
        updated_at: at(1),
      });
      await db
        .insertInto('widgets')
        .values([
          widget('w-demo', 'org-demo', ['+15550100101', '+15550100102']),
          widget('w-shop', 'org-shop', ['+15550100101']),
          widget('w-shop-2', 'org-shop', ['+15550100101']),
        ])
        .execute();
      const contact = (id: string, s: number) => ({
        id,
        organization_id: 'org-shop',
        kind: 'visitor',
        phone: null,
        external_id: `visitor_${id}`,
        name: null,
        email: null,
        created_at: at(s),
      });
      await db
        .insertInto('contacts')
        .values([contact('second', 3), contact('first', 2)])
        .execute();

      await migrateToLatest(database);
      const agents = await db.selectFrom('agents').select(['organization_id', 'number', 'status']).orderBy('organization_id').orderBy('number').execute();
      expect(agents).toEqual([
        { organization_id: 'org-demo', number: '+15550100101', status: 'active' },
        { organization_id: 'org-demo', number: '+15550100102', status: 'invited' },
        { organization_id: 'org-shop', number: '+15550100101', status: 'invited' },
      ]);
      const visitors = await db.selectFrom('contacts').select(['id', 'visitor_number']).orderBy('visitor_number').execute();
      expect(visitors).toEqual([
        { id: 'first', visitor_number: 1 },
        { id: 'second', visitor_number: 2 },
      ]);
      expect(await db.selectFrom('organizations').select('last_visitor_number').where('id', '=', 'org-shop').executeTakeFirst()).toEqual({
        last_visitor_number: 2,
      });
    } finally {
      await database.close();
    }
  });
});
