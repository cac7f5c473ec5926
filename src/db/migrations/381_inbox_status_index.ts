// 381: the inbox filtered by status (GET /api/organizations/:orgId/conversations?status=…) read in
// the order it shows, newest first and cut at 500, however few of a year's conversations have
// that status: the same order as conversations_inbox_idx (311) with the status before it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('conversations_inbox_status_idx')
    .ifNotExists()
    .on('conversations')
    .columns(['organization_id', 'status', 'last_message_at', 'ref'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('conversations_inbox_status_idx').ifExists().execute();
}
