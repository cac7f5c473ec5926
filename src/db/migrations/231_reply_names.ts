// 231: who answered from the inbox. A key may carry a person's name, and a message written from the
// dashboard keeps the name it was signed with (the widget shows it beside the reply).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('name', 'text').execute();
  await db.schema.alterTable('messages').addColumn('author_name', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('author_name').execute();
  await db.schema.alterTable('api_keys').dropColumn('name').execute();
}
