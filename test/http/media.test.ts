// GET /api/media/:id serves the kept copy of an inbound file by its unguessable id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.js';
import { makeTestContext } from '../support/context.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
let app: App;

beforeEach(async () => {
  ctx = await makeTestContext();
  app = await buildApp(ctx);
});
afterEach(async () => {
  await app.close();
  await ctx.database.close();
});

describe('GET /api/media/:id', () => {
  it('serves the bytes with their type, and 404 / 400 otherwise', async () => {
    const bytes = Buffer.from('%PDF-1.4 tiny');
    await ctx.db
      .insertInto('message_media')
      .values({
        id: 'AbCdEfGhIjKlMnOpQrStUv',
        message_id: 1,
        organization_id: null,
        mime_type: 'application/pdf',
        filename: 'invoice 7.pdf',
        size: bytes.length,
        bytes,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
    const res = await app.inject({ method: 'GET', url: '/api/media/AbCdEfGhIjKlMnOpQrStUv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="invoice_7.pdf"');
    expect(res.rawPayload.equals(bytes)).toBe(true);

    expect((await app.inject({ method: 'GET', url: '/api/media/ZZZZZZZZZZZZZZZZZZZZZZ' })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/api/media/..%2F..%2Fetc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().ok).toBe(false);
  });
});
