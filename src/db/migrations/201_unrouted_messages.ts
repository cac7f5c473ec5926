// 201: a customer's message to a platform number (handovers only) is stored as a message, so a
// repeated delivery stays single, and kept as an unrouted event that points at it; the unique
// index makes the reaction job's "keep it" safe to repeat.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('unrouted_events').addColumn('message_id', 'integer').execute();
  await db.schema.createIndex('unrouted_events_message_idx').on('unrouted_events').column('message_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('unrouted_events_message_idx').execute();
  await db.schema.alterTable('unrouted_events').dropColumn('message_id').execute();
}
