// 031: a trained index also keeps each passage's sentence vector (answers match by meaning as
// well as by words). Null for an index trained before, or when the encoder was off.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_indexes').addColumn('meaning_vectors', 'text').execute();
  await db.schema.alterTable('knowledge_indexes').addColumn('meaning_dimensions', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('knowledge_indexes').dropColumn('meaning_dimensions').execute();
  await db.schema.alterTable('knowledge_indexes').dropColumn('meaning_vectors').execute();
}
