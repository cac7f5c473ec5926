// 261: an unrouted event remembers whose secret verified it (a connection id, or "platform"), so a
// replay can only write into numbers verified by that same secret.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('unrouted_events').addColumn('verified_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('unrouted_events').dropColumn('verified_by').execute();
}
