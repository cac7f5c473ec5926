// Files a visitor attaches in the widget: kept in the media store, their row (widget_uploads)
// written with the visitor's message, and served from an unguessable public URL so the agent's
// provider can fetch them.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../../core/errors.js';
import { mediaKindOf } from '../../core/media.js';
import type { Db } from '../../db/database.js';
import type { AppContext } from '../context.js';
import { EMPTY, keepFile, type OpenedFile, openStoredFile } from '../media/files.js';
import type { VisitorMedia } from './visitor-outbound.js';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** A file already in the store, waiting for its row (recordUpload) in the message's transaction. */
export interface KeptUpload {
  id: string;
  key: string;
  filename: string;
  mimeType: string;
  size: number;
  media: VisitorMedia;
}

/** Checks an attached file and keeps it in the store, before the transaction that records the message. */
export async function keepUpload(ctx: AppContext, media: { dataUrl: string; filename?: string }): Promise<KeptUpload> {
  const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?(;[^,]*)?;base64,([A-Za-z0-9+/=\s]+)$/i.exec(media.dataUrl);
  if (!match) throw badRequest('media.dataUrl must be a base64 data URL (data:<type>;base64,…).', 'INVALID_MEDIA');
  const mimeType = (match[1] ?? 'application/octet-stream').toLowerCase();
  const bytes = Buffer.from(match[3]!, 'base64');
  if (bytes.length === 0) throw badRequest('The attached file is empty.', 'INVALID_MEDIA');
  if (bytes.length > MAX_UPLOAD_BYTES) throw badRequest('The attached file is larger than 5 MB.', 'MEDIA_TOO_LARGE');
  const id = randomUUID();
  const filename = (media.filename ?? 'file').replace(/[^\w.\- ]+/g, '_');
  const key = await keepFile(ctx, 'uploads', bytes, mimeType);
  const url = `${ctx.config.publicUrl}/api/widget/uploads/${id}`;
  return { id, key, filename, mimeType, size: bytes.length, media: { type: mediaKindOf(mimeType), url, mimeType, filename } };
}

/** The upload's row, in the transaction of the visitor's message. */
export async function recordUpload(ctx: AppContext, db: Db, sessionId: string, upload: KeptUpload): Promise<void> {
  await db
    .insertInto('widget_uploads')
    .values({
      id: upload.id,
      session_id: sessionId,
      filename: upload.filename,
      mime_type: upload.mimeType,
      size: upload.size,
      bytes: EMPTY,
      storage_key: upload.key,
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
}

/** An upload by its id, opened for serving; 404 when there is none (or its file is gone). */
export async function openUpload(ctx: AppContext, id: string): Promise<OpenedFile & { mimeType: string; filename: string }> {
  const row = /^[0-9a-f-]{36}$/.test(id)
    ? await ctx.db.selectFrom('widget_uploads').select(['bytes', 'storage_key', 'mime_type', 'filename', 'size']).where('id', '=', id).executeTakeFirst()
    : undefined;
  const file = row && (await openStoredFile(ctx, row));
  if (!row || !file) throw notFound('File');
  return { ...file, size: row.size ?? file.size, mimeType: row.mime_type, filename: row.filename };
}
