// 171: a WhatsApp customer's handover holds its sender like a widget's does, but belongs to no
// widget: `handover_assignments.widget_id` may be null. SQLite cannot drop a NOT NULL, so the
// table is copied (in either dialect, the same steps).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('handover_assignments_next')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('widget_id', 'text')
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute();
  await db
    .insertInto('handover_assignments_next')
    .columns(['id', 'conversation_id', 'widget_id', 'number', 'assigned_at', 'released_at'])
    .expression(db.selectFrom('handover_assignments').select(['id', 'conversation_id', 'widget_id', 'number', 'assigned_at', 'released_at']))
    .execute();
  await db.schema.dropTable('handover_assignments').execute();
  await db.schema.alterTable('handover_assignments_next').renameTo('handover_assignments').execute();
  await db.schema.createIndex('handover_assignments_widget_idx').on('handover_assignments').columns(['widget_id', 'number']).execute();
  // The sweep looks for unreleased assignments; the claim looks up its own by conversation.
  await db.schema.createIndex('handover_assignments_conversation_idx').on('handover_assignments').columns(['conversation_id']).execute();

  // WhatsApp customers who asked for a person before this were told someone would reply, yet no
  // agent ever heard of them, and the bot kept silent: their conversations go back to the bot.
  await db
    .updateTable('conversations')
    .set({ status: 'bot', handed_over_at: null })
    .where('channel', '=', 'whatsapp')
    .where('status', 'in', ['waiting_agent', 'agent'])
    .where('assigned_whatsapp_number', 'is', null)
    .execute();
}

export async function down(): Promise<void> {
  // Forward only: rows of WhatsApp handovers have no widget to go back to.
}
