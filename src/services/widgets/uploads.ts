// Files a visitor attaches in the widget: kept in the database and served from an unguessable
// public URL, so the agent's provider can fetch them.
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../core/errors.js';
import { mediaKindOf } from '../../core/media.js';
import type { Db } from '../../db/database.js';
import type { AppContext } from '../context.js';
import type { VisitorMedia } from './visitor-outbound.js';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Keeps an attached file and gives it an unguessable public URL the agent's provider can fetch. */
export async function storeUpload(ctx: AppContext, db: Db, sessionId: string, media: { dataUrl: string; filename?: string }): Promise<VisitorMedia> {
  const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?(;[^,]*)?;base64,([A-Za-z0-9+/=\s]+)$/i.exec(media.dataUrl);
  if (!match) throw badRequest('media.dataUrl must be a base64 data URL (data:<type>;base64,…).', 'INVALID_MEDIA');
  const mimeType = (match[1] ?? 'application/octet-stream').toLowerCase();
  const bytes = Buffer.from(match[3]!, 'base64');
  if (bytes.length === 0) throw badRequest('The attached file is empty.', 'INVALID_MEDIA');
  if (bytes.length > MAX_UPLOAD_BYTES) throw badRequest('The attached file is larger than 5 MB.', 'MEDIA_TOO_LARGE');
  const id = randomUUID();
  const filename = (media.filename ?? 'file').replace(/[^\w.\- ]+/g, '_');
  await db
    .insertInto('widget_uploads')
    .values({ id, session_id: sessionId, filename, mime_type: mimeType, bytes, created_at: ctx.clock.now().toISOString() })
    .execute();
  return { type: mediaKindOf(mimeType), url: `${ctx.config.publicUrl}/api/widget/uploads/${id}`, mimeType, filename };
}

export async function loadUpload(ctx: AppContext, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  return ctx.db.selectFrom('widget_uploads').selectAll().where('id', '=', id).executeTakeFirst();
}
