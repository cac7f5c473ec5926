// 161: what the organization has read of each conversation, for the inbox's unread counts.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The id of the newest message seen in the inbox; messages from the contact after it are unread.
  await db.schema
    .alterTable('conversations')
    .addColumn('read_up_to', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('read_up_to').execute();
}
