// 301: when an organization's knowledge last changed (a document added or removed, an entry
// edited), and which change each stored training saw, so the knowledge base can say it changed
// since it was last trained.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('knowledge_changed_at', 'text').execute();
  await db.schema.alterTable('knowledge_indexes').addColumn('knowledge_as_of', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_indexes').dropColumn('knowledge_as_of').execute();
  await db.schema.alterTable('organizations').dropColumn('knowledge_changed_at').execute();
}
