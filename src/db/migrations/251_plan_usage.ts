// 251: the plan's monthly counter of customer messages, kept as messages are counted (so a bot
// reply reads one row instead of counting a month of messages), and the inbox's mark on a customer
// message the bot did not answer because the organization had reached its limit.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plan_usage')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('customer_messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('plan_usage_pk', ['organization_id', 'month'])
    .execute();
  // The month a message was counted in; null: it does not count (agents, the widget, a failed send).
  await db.schema.alterTable('messages').addColumn('plan_month', 'text').execute();
  // Why a customer message still waits for an answer, e.g. `limit_reached`; null: nothing pending.
  await db.schema.alterTable('messages').addColumn('unanswered', 'text').execute();
  await db.schema
    .createIndex('messages_unanswered_idx')
    .on('messages')
    .columns(['organization_id', 'created_at'])
    .where(sql.ref('unanswered'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_unanswered_idx').execute();
  await db.schema.alterTable('messages').dropColumn('unanswered').execute();
  await db.schema.alterTable('messages').dropColumn('plan_month').execute();
  await db.schema.dropTable('plan_usage').execute();
}
