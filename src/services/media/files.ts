// The files rows point at: opened for serving (from the store, or from a row written before
// migration 331 whose bytes are not moved yet), deleted with their rows, and moved out of the rows.
import { Readable } from 'node:stream';
import { unavailable } from '../../core/errors.js';
import type { Db } from '../../db/database.js';
import type { AppContext } from '../context.js';
import { newMediaKey, type MediaKind } from './store.js';

/** How many first bytes decide how a file is served (core/media.ts reads magic numbers up to 12 bytes in). */
const HEAD_BYTES = 16;

/** A file ready to be served: its first bytes, and a stream of all of them. */
export interface OpenedFile {
  head: Buffer;
  body: Readable;
  size: number | undefined;
}

/** The part of a message_media or widget_uploads row that says where its bytes are. */
export interface FileRow {
  storage_key: string | null;
  /** empty once the file is in the store; a file from before 331 until it is moved */
  bytes: Uint8Array;
}

/** Opens a row's file; undefined when its object is gone (deleted, or lost from the store). */
export async function openStoredFile(ctx: AppContext, row: FileRow): Promise<OpenedFile | undefined> {
  if (!row.storage_key) {
    const bytes = Buffer.from(row.bytes);
    return { head: bytes.subarray(0, HEAD_BYTES), body: Readable.from([bytes]), size: bytes.length };
  }
  const object = await ctx.media.get(row.storage_key).catch((err: Error) => storeUnavailable(ctx, err));
  if (!object) return undefined;
  return { ...(await withHead(object.body)), size: object.size };
}

/** Reads the first bytes of a stream and gives back a stream of every byte, those included. */
async function withHead(source: Readable): Promise<{ head: Buffer; body: Readable }> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let length = 0;
  try {
    while (length < HEAD_BYTES) {
      const next = await chunks.next();
      if (next.done) break;
      first.push(next.value);
      length += next.value.length;
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
  const head = Buffer.concat(first).subarray(0, HEAD_BYTES);
  async function* all() {
    yield* first;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  const body = Readable.from(all(), { objectMode: false });
  // A reader that stops early (a client gone) releases the file or the connection to the bucket.
  body.once('close', () => source.destroy());
  return { head, body };
}

/** Keeps a new file in the store and answers its key; the caller writes the row. */
export async function keepFile(ctx: AppContext, kind: MediaKind, bytes: Buffer, contentType: string): Promise<string> {
  const key = newMediaKey(kind);
  await ctx.media.put(key, bytes, contentType).catch((err: Error) => storeUnavailable(ctx, err));
  return key;
}

/** A store that fails (a bucket unreachable, a full disk) is the operator's to see in the logs; the caller gets a 503 (a job, a retry). */
function storeUnavailable(ctx: AppContext, err: Error): never {
  ctx.log.error({ err: err.message, store: ctx.media.location }, 'the media store failed');
  throw unavailable('Files cannot be read or kept right now; try again shortly.', 'MEDIA_STORE_UNAVAILABLE');
}

/** Removes a kept file whose row was never written (its transaction failed); a failure here only leaves an orphan. */
export async function forgetFile(ctx: AppContext, key: string): Promise<void> {
  await ctx.media.delete(key).catch((err: Error) => ctx.log.warn({ err: err.message, key }, 'a media file without a row was left in the store'));
}

/**
 * Whose media to delete: the media copies of some messages, some visitor uploads or those of some widget sessions,
 * or everything of one widget or one organization.
 */
export type MediaScope =
  | { messageIds: readonly number[] }
  | { sessionIds: readonly string[] }
  | { uploadIds: readonly string[] }
  | { widgetId: string }
  | { organizationId: string };

/** Rows are read and deleted this many at a time, their objects first. */
const DELETE_BATCH = 200;

/**
 * Deletes the media rows in `scope` and their stored files, in batches. Objects go before their
 * rows: a run cut short leaves rows whose file is gone (served as 404, deleted by the next run),
 * never a file no row points to. Answers how many files were deleted.
 */
export async function deleteMedia(ctx: AppContext, scope: MediaScope): Promise<number> {
  type Pass = ['message_media' | 'widget_uploads', ReadonlyArray<number | string> | undefined];
  const passes: Pass[] =
    'messageIds' in scope
      ? chunks(scope.messageIds).map((ids): Pass => ['message_media', ids])
      : 'sessionIds' in scope || 'uploadIds' in scope
        ? chunks('sessionIds' in scope ? scope.sessionIds : scope.uploadIds).map((ids): Pass => ['widget_uploads', ids])
        : [
            ['message_media', undefined],
            ['widget_uploads', undefined],
          ];
  let deleted = 0;
  for (const [table, ids] of passes) {
    for (;;) {
      const rows = await rowsInScope(ctx.db, table, scope, ids);
      for (const row of rows) if (row.storage_key) await ctx.media.delete(row.storage_key).catch((err: Error) => storeUnavailable(ctx, err));
      if (rows.length > 0) {
        const rowIds = rows.map((r) => r.id);
        await ctx.db.deleteFrom(table).where('id', 'in', rowIds).execute();
      }
      deleted += rows.length;
      if (rows.length < DELETE_BATCH) break;
    }
  }
  return deleted;
}

/** A list cut into parts every engine takes as parameters. */
function chunks<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += 500) parts.push(items.slice(i, i + 500));
  return parts;
}

async function rowsInScope(db: Db, table: 'message_media' | 'widget_uploads', scope: MediaScope, ids: readonly (number | string)[] | undefined) {
  if (table === 'message_media') {
    let query = db.selectFrom('message_media').select(['id', 'storage_key']).limit(DELETE_BATCH);
    if (ids) query = query.where('message_id', 'in', ids as number[]);
    else if ('organizationId' in scope) query = query.where('organization_id', '=', scope.organizationId);
    else return [];
    return query.execute();
  }
  let query = db.selectFrom('widget_uploads').select(['id', 'storage_key']).limit(DELETE_BATCH);
  if (ids) query = query.where('uploadIds' in scope ? 'id' : 'session_id', 'in', ids as string[]);
  else if ('widgetId' in scope) query = query.where('session_id', 'in', db.selectFrom('widget_sessions').select('id').where('widget_id', '=', scope.widgetId));
  else if ('organizationId' in scope)
    query = query.where('session_id', 'in', db.selectFrom('widget_sessions').select('id').where('organization_id', '=', scope.organizationId));
  else return [];
  return query.execute();
}

/** Rows looked at per query while moving files out of the database. */
const MOVE_BATCH = 100;

/**
 * Migration 331's second half, run after start-up: every file still kept in a row (written before
 * 331) is put in the store and its row emptied, one file in memory at a time. Several instances
 * may run it at once: a row is taken only while it has no key, and the loser deletes its copy.
 * `stopped` is polled between files. Answers how many files this run moved.
 */
export async function moveMediaOutOfRows(ctx: AppContext, stopped: () => boolean = () => false): Promise<number> {
  let moved = 0;
  for (const [table, kind] of [
    ['message_media', 'inbound'],
    ['widget_uploads', 'uploads'],
  ] as const) {
    let after = '';
    for (;;) {
      // By primary key, so each query starts where the last ended instead of rereading moved rows.
      const ids = await ctx.db
        .selectFrom(table)
        .select('id')
        .where('id', '>', after)
        .where('storage_key', 'is', null)
        .orderBy('id')
        .limit(MOVE_BATCH)
        .execute();
      for (const { id } of ids) {
        if (stopped()) return moved;
        const row = await ctx.db.selectFrom(table).select(['bytes', 'mime_type', 'storage_key']).where('id', '=', id).executeTakeFirst();
        if (!row || row.storage_key) continue;
        const key = await keepFile(ctx, kind, Buffer.from(row.bytes), row.mime_type);
        const taken = await ctx.db
          .updateTable(table)
          .set({ storage_key: key, bytes: EMPTY })
          .where('id', '=', id)
          .where('storage_key', 'is', null)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) await forgetFile(ctx, key);
        else moved += 1;
      }
      if (ids.length < MOVE_BATCH) break;
      after = ids.at(-1)!.id;
    }
  }
  return moved;
}

/** What a row's `bytes` holds once its file is in the store (the column stays NOT NULL on both engines). */
export const EMPTY = Buffer.alloc(0);
