// 311: every query a user waits on after a year of data reads an index in the order it needs
// (issue 21). IF NOT EXISTS so a hand-made index of the same name does not stop the upgrade.
// PostgreSQL: plain CREATE INDEX (it locks writes to the table while it builds; CONCURRENTLY cannot
// run inside the migrator's transaction) — fine for now, to be revisited for very large installs.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The inbox: an organization's conversations newest first, read in index order and cut at 500.
  await db.schema.createIndex('conversations_inbox_idx').ifNotExists().on('conversations').columns(['organization_id', 'last_message_at', 'ref']).execute();
  // The handover sweep: the conversations a human has on a sender, without looking at closed ones.
  await db.schema.createIndex('conversations_human_idx').ifNotExists().on('conversations').columns(['status', 'assigned_whatsapp_number']).execute();
  // Usage: a month of an organization's messages counted from the index alone (every column the
  // report groups or sums); it begins with (organization_id, created_at), so it replaces that index.
  await db.schema
    .createIndex('messages_usage_idx')
    .ifNotExists()
    .on('messages')
    .columns(['organization_id', 'created_at', 'number_id', 'provider', 'direction', 'audience', 'category', 'status', 'cost'])
    .execute();
  await db.schema.dropIndex('messages_org_created_idx').ifExists().execute();
  // The sweep's release of numbers held by closed conversations: only unreleased assignments.
  await db.schema
    .createIndex('handover_assignments_open_idx')
    .ifNotExists()
    .on('handover_assignments')
    .column('conversation_id')
    .where(sql.ref('released_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('handover_assignments_open_idx').ifExists().execute();
  await db.schema.createIndex('messages_org_created_idx').ifNotExists().on('messages').columns(['organization_id', 'created_at']).execute();
  await db.schema.dropIndex('messages_usage_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_human_idx').ifExists().execute();
  await db.schema.dropIndex('conversations_inbox_idx').ifExists().execute();
}
