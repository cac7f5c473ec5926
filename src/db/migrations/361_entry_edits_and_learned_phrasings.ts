// 361: entries the organization edited and phrasings learned from customers' picks (SPEC §7), both
// keyed by entry id and removed with their document and organization; and the question that made
// a conversation's choices, so a pick can teach it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One edit per entry: a null column keeps the document's own text for that part.
  await db.schema
    .createTable('knowledge_entry_edits')
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('document_id', 'text', (c) => c.notNull().references('knowledge_documents.id').onDelete('cascade'))
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('question', 'text')
    .addColumn('phrasings_json', 'text')
    .addColumn('answer', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('knowledge_entry_edits_pk', ['organization_id', 'entry_id'])
    .execute();
  await db.schema.createIndex('knowledge_entry_edits_document').on('knowledge_entry_edits').column('document_id').execute();
  await db.schema
    .createTable('knowledge_learned_phrasings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('document_id', 'text', (c) => c.notNull().references('knowledge_documents.id').onDelete('cascade'))
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('phrasing', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The same words asked again (in other case) are one phrasing.
  await db.schema
    .createIndex('knowledge_learned_phrasings_unique')
    .on('knowledge_learned_phrasings')
    .unique()
    .columns(['organization_id', 'entry_id'])
    .expression(sql`lower(phrasing)`)
    .execute();
  await db.schema.createIndex('knowledge_learned_phrasings_document').on('knowledge_learned_phrasings').column('document_id').execute();
  await db.schema.alterTable('answer_choices').addColumn('question', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('answer_choices').dropColumn('question').execute();
  await db.schema.dropTable('knowledge_learned_phrasings').execute();
  await db.schema.dropTable('knowledge_entry_edits').execute();
}
