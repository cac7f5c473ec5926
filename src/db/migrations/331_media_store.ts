// 331: media files and visitor uploads move out of the rows into the media store (disk or S3): each row gains the key of its object; `bytes` is emptied by services/media/files.ts moveMediaOutOfRows after start-up.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Null until the file is in the store: rows from before 331 keep their bytes until they are moved.
  await db.schema.alterTable('message_media').addColumn('storage_key', 'text').execute();
  await db.schema.alterTable('widget_uploads').addColumn('storage_key', 'text').execute();
  // An upload's length, for Content-Length without reading the file; length() is octet_length() for bytea too.
  await db.schema.alterTable('widget_uploads').addColumn('size', 'integer').execute();
  await sql`UPDATE widget_uploads SET size = length(bytes)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('widget_uploads').dropColumn('size').execute();
  await db.schema.alterTable('widget_uploads').dropColumn('storage_key').execute();
  await db.schema.alterTable('message_media').dropColumn('storage_key').execute();
}
