// Inbound media: provider URLs need credentials and expire, so the `inbound.media` job fetches a
// copy with the number's connection and keeps it in the media store; the message's media then
// points at our URL, whose row (message_media) holds the type, the name and the store's key.
import { randomBytes } from 'node:crypto';
import { notFound } from '../../core/errors.js';
import type { Message } from '../../db/schema.js';
import { ProviderSendError } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import { credentialsForNumber } from '../numbers/connections.js';
import type { AppContext } from '../context.js';
import { enqueueJob, PermanentJobError, RetryableError } from '../../jobs/queue.js';
import type { MessageJobPayload } from '../../jobs/payloads.js';
import { getMessage, type MessageMedia } from '../conversations/messages.js';
import { findNumberById } from '../numbers/lookup.js';
import { EMPTY, forgetFile, keepFile, type OpenedFile, openStoredFile } from '../media/files.js';

export const MEDIA_JOB = 'inbound.media';
/** Larger files are not copied (WhatsApp documents can reach 100 MB; the download is held in memory). */
export const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

/** Kinds that are data in the payload, not a file to fetch. */
const NOT_FILES = new Set(['location', 'contacts', 'reaction', 'unsupported']);

/** Queues the copy of an inbound message's file, if it has one. */
export async function enqueueMediaCopy(ctx: AppContext, message: Message): Promise<void> {
  const media = message.media ? (JSON.parse(message.media) as MessageMedia) : undefined;
  if (!media || NOT_FILES.has(media.type) || media.fileUrl || !(media.url || media.providerMediaId)) return;
  await enqueueJob(ctx, { kind: MEDIA_JOB, payload: { messageId: message.id }, idempotencyKey: `media:${message.id}` });
}

export async function copyInboundMedia(ctx: AppContext, payload: MessageJobPayload): Promise<void> {
  const message = await getMessage(ctx, payload.messageId);
  if (!message?.media || !message.number_id) return;
  const media = JSON.parse(message.media) as MessageMedia;
  if (media.fileUrl) return;
  const number = await findNumberById(ctx, message.number_id);
  const adapter = number ? providerByName(number.provider) : undefined;
  if (!number || !adapter?.fetchMedia) return;
  const credentials = await credentialsForNumber(ctx, number);
  let file: { bytes: Buffer; contentType: string };
  try {
    file = await adapter.fetchMedia({ config: ctx.config, bus: ctx.bus, clock: ctx.clock }, (credentials ?? {}) as never, media);
  } catch (err) {
    if (err instanceof ProviderSendError && err.kind !== 'transient') throw new PermanentJobError(err.message);
    throw new RetryableError((err as Error).message, err instanceof ProviderSendError ? err.retryAfterMs : undefined);
  }
  if (file.bytes.length > MAX_MEDIA_BYTES) throw new PermanentJobError(`The file is larger than ${MAX_MEDIA_BYTES} bytes; not copied.`);
  const id = randomBytes(18).toString('base64url');
  // The type the message declared, else the download's; neither is trusted: core/media.ts checks
  // the bytes before anything is shown inline.
  const mimeType = media.mimeType || file.contentType || 'application/octet-stream';
  const key = await keepFile(ctx, 'inbound', file.bytes, mimeType);
  try {
    await recordCopy(ctx, { id, key, mimeType, size: file.bytes.length }, message, media);
  } catch (err) {
    // A copy kept by an earlier run of this job (message_id is unique), or the database failing.
    await forgetFile(ctx, key);
    throw err;
  }
}

async function recordCopy(ctx: AppContext, file: { id: string; key: string; mimeType: string; size: number }, message: Message, media: MessageMedia) {
  const { id, mimeType } = file;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('message_media')
      .values({
        id,
        message_id: message.id,
        organization_id: message.organization_id,
        mime_type: mimeType,
        filename: media.filename ?? null,
        size: file.size,
        bytes: EMPTY,
        storage_key: file.key,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
    const copied = { ...media, mimeType, fileUrl: `${ctx.config.publicUrl}/api/media/${id}`, size: file.size };
    await trx
      .updateTable('messages')
      .set({ media: JSON.stringify(copied) })
      .where('id', '=', message.id)
      .execute();
  });
}

/** A kept copy by its id, opened for serving; 404 when there is none (or its file is gone). */
export async function readMediaFile(ctx: AppContext, id: string): Promise<OpenedFile & { mimeType: string; filename: string | null }> {
  const row = await ctx.db.selectFrom('message_media').select(['bytes', 'storage_key', 'mime_type', 'filename']).where('id', '=', id).executeTakeFirst();
  const file = row && (await openStoredFile(ctx, row));
  if (!row || !file) throw notFound('Media file');
  return { ...file, mimeType: row.mime_type, filename: row.filename };
}
