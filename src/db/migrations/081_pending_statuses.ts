// 081: delivery statuses that arrive before the send stored its provider id, kept until it does.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_statuses')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pending_statuses_pk', ['provider', 'provider_message_id'])
    .execute();
  // Statuses of messages that are never ours are swept by age.
  await db.schema.createIndex('pending_statuses_received_at').on('pending_statuses').column('received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pending_statuses').execute();
}
