// 041: files a visitor attaches in the widget, served back by an unguessable URL so the agent's provider can fetch them.
import type { Kysely } from 'kysely';
import { isPostgres } from './001_initial.js';

export async function up(db: Kysely<any>): Promise<void> {
  const bytesType = isPostgres(db) ? 'bytea' : 'blob';
  await db.schema
    .createTable('widget_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('widget_sessions.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('bytes', bytesType, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('widget_uploads').execute();
}
