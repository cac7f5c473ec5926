// 221: each agent's notification of a handover, one row per path tried (free-form, template, another
// sender, or skipped with a reason), so a failure the provider reports later takes the next path once
// and the inbox can say why nobody was reached; `conversations.escalated_at` marks the escalation.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('handover_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('agent_number', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('number_id', 'text')
    .addColumn('sender', 'text')
    .addColumn('message_id', 'integer')
    .addColumn('reason', 'text')
    .addColumn('failed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // One attempt per path and agent of an assignment: a retried job or a second sweep adds nothing.
  await db.schema
    .createIndex('handover_notifications_path_idx')
    .on('handover_notifications')
    .columns(['assignment_id', 'agent_number', 'path'])
    .unique()
    .execute();
  await db.schema.createIndex('handover_notifications_conversation_idx').on('handover_notifications').columns(['conversation_id']).execute();
  // The sweep looks for recent attempts not yet known to have failed.
  await db.schema.createIndex('handover_notifications_open_idx').on('handover_notifications').columns(['failed_at', 'created_at']).execute();
  // Reply routing asks which conversations an agent was notified of from one number.
  await db.schema.createIndex('handover_notifications_agent_idx').on('handover_notifications').columns(['agent_number', 'number_id']).execute();

  await db.schema.alterTable('conversations').addColumn('escalated_at', 'text').execute();
  await db.schema.createIndex('conversations_waiting_idx').on('conversations').columns(['status', 'escalated_at', 'handed_over_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('conversations_waiting_idx').execute();
  await db.schema.alterTable('conversations').dropColumn('escalated_at').execute();
  await db.schema.dropTable('handover_notifications').execute();
}
