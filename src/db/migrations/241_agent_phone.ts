// 241: the agent's phone — a message that named no usable conversation is held for a numbered
// pick, the commands line is shown once a day per agent, and a bot answer an agent marked wrong
// is kept with the suggestion it starts.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One held message per agent and sender: a newer one replaces it.
  await db.schema
    .createTable('held_agent_messages')
    .addColumn('agent_number', 'text', (c) => c.notNull())
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'integer', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('choices', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('held_agent_messages_pk', ['agent_number', 'number_id'])
    .execute();
  await db.schema
    .createTable('agent_phones')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('commands_shown_at', 'text')
    .execute();
  await db.schema.alterTable('knowledge_suggestions').addColumn('wrong_answer', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_suggestions').dropColumn('wrong_answer').execute();
  await db.schema.dropTable('agent_phones').execute();
  await db.schema.dropTable('held_agent_messages').execute();
}
