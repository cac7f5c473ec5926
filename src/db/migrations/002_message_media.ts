// 002: a copy of each inbound media file, fetched from the provider with the connection's credentials (provider URLs expire).
import type { Kysely } from 'kysely';
import { isPostgres } from './001_initial.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('message_media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'integer', (c) => c.notNull().unique())
    .addColumn('organization_id', 'text')
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('bytes', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('message_media').execute();
}
