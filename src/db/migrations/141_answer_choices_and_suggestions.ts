// 141: answers that know when they do not know: the choices a conversation was offered, the
// suggested answers agents' replies leave behind, and which encoder made an index's vectors.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_indexes').addColumn('meaning_encoder', 'text').execute();
  // One list of choices per conversation: the latest answer's, until it expires or is answered.
  await db.schema
    .createTable('answer_choices')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('choices', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('knowledge_suggestions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('document_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('knowledge_suggestions_organization').on('knowledge_suggestions').columns(['organization_id', 'status']).execute();
  await db.schema.createIndex('knowledge_suggestions_conversation').on('knowledge_suggestions').columns(['conversation_id', 'status']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('knowledge_suggestions').execute();
  await db.schema.dropTable('answer_choices').execute();
  await db.schema.alterTable('knowledge_indexes').dropColumn('meaning_encoder').execute();
}
