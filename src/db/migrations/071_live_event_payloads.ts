// 071: live events too large for one NOTIFY payload are parked here and fetched by id.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('live_event_payloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Old rows are swept by age.
  await db.schema.createIndex('live_event_payloads_created_at').on('live_event_payloads').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('live_event_payloads').execute();
}
