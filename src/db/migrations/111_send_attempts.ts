// 111: a send in flight is marked before the provider call, so a re-run after a crash asks the provider first.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // When the last provider call for this message began; null when no call can have reached the provider.
  await db.schema.alterTable('messages').addColumn('send_started_at', 'text').execute();
  // The reference a status callback carried (Meta's biz_opaque_callback_data): which message it is about.
  await db.schema.alterTable('pending_statuses').addColumn('reference', 'text').execute();
  await db.schema.createIndex('pending_statuses_reference').on('pending_statuses').columns(['provider', 'reference']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('pending_statuses_reference').execute();
  await db.schema.alterTable('pending_statuses').dropColumn('reference').execute();
  await db.schema.alterTable('messages').dropColumn('send_started_at').execute();
}
