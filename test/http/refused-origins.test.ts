// Refused origins: a website not in a widget's allowed origins gets a 403 the widget can read (CORS
// headers kept), and the dashboard lists the websites refused lately, bounded and throttled, with
// allowing one through the widget update.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server.js';
import type { AppContext } from '../../src/services/context.js';
import { createApiKey } from '../../src/services/tenancy/api-keys.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { KEPT } from '../../src/services/widgets/refused-origins.js';
import { makeTestContext } from '../support/context.js';
import type { ManualClock } from '../../src/core/clock.js';

const ADMIN = { authorization: 'Bearer admin-key-for-tests' };
const SHOP = 'https://shop.example';
const BLOG = 'https://blog.example';
let server: RunningServer;
let ctx: AppContext & { clock: ManualClock };
let widget: { id: string; publicKey: string; allowedOrigins: string[] };

beforeEach(async () => {
  ctx = await makeTestContext({ env: { ADMIN_API_KEY: 'admin-key-for-tests' } });
  server = await startServer(ctx, { listen: false });
  const org = await createOrganization(ctx, { name: 'Shop' });
  const created = await server.app.inject({
    method: 'POST',
    url: `/api/organizations/${org.id}/widgets`,
    headers: ADMIN,
    payload: { name: 'Site', allowedOrigins: [SHOP] },
  });
  widget = created.json().widget;
});
afterEach(async () => {
  await server.stop();
});

const startFrom = (origin: string) => server.app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, headers: { origin }, payload: {} });

async function refused(headers: Record<string, string> = ADMIN) {
  const response = await server.app.inject({ method: 'GET', url: `/api/widgets/${widget.id}/refused-origins`, headers });
  return { status: response.statusCode, origins: response.json().origins as Array<{ origin: string; count: number; lastSeenAt: string }> };
}

describe('refused origins', () => {
  it('answers a website not allowed with a 403 code the widget can read, its preflight passing', async () => {
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: `/api/widget/${widget.publicKey}/sessions`,
      headers: { origin: BLOG, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-widget-key' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(BLOG);
    const denied = await startFrom(BLOG);
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['access-control-allow-origin']).toBe(BLOG);
    expect(denied.json()).toMatchObject({ ok: false, code: 'ORIGIN_NOT_ALLOWED' });
    // the preflight alone is not a refusal: only the request is counted
    expect((await refused()).origins).toEqual([{ origin: BLOG, count: 1, firstSeenAt: expect.any(String), lastSeenAt: ctx.clock.now().toISOString() }]);
  });

  it('lists the refused websites most recent first, counting a flood once a minute', async () => {
    for (let i = 0; i < 50; i++) await startFrom(BLOG);
    ctx.clock.advance(1_000);
    await startFrom('https://other.example');
    expect((await refused()).origins.map((o) => [o.origin, o.count])).toEqual([
      ['https://other.example', 1],
      [BLOG, 1],
    ]);
    // the refusals of the minute are added by the next write, a minute after the first
    ctx.clock.advance(60_000);
    await startFrom(BLOG);
    expect((await refused()).origins.map((o) => [o.origin, o.count])).toEqual([
      [BLOG, 51],
      ['https://other.example', 1],
    ]);
  });

  it('keeps the most recent 20 origins of a widget and ignores what is not an origin', async () => {
    for (let i = 0; i < KEPT + 5; i++) {
      ctx.clock.advance(1_000);
      await startFrom(`https://site${i}.example`);
    }
    await startFrom('https://bad.example/path');
    await startFrom(`https://${'x'.repeat(300)}.example`);
    const { origins } = await refused();
    expect(origins).toHaveLength(KEPT);
    expect(origins[0]!.origin).toBe(`https://site${KEPT + 4}.example`);
    expect(origins.at(-1)!.origin).toBe('https://site5.example');
    const rows = await ctx.db.selectFrom('refused_origins').select('origin').execute();
    expect(rows).toHaveLength(KEPT);
  });

  it('stops writing for a widget flooded with made-up origins within a minute', async () => {
    for (let i = 0; i < 100; i++) await startFrom(`https://flood${i}.example`);
    const rows = await ctx.db.selectFrom('refused_origins').select('origin').execute();
    expect(rows).toHaveLength(KEPT);
    // past 30 writes in the minute, nothing more was written
    for (let i = 30; i < 100; i++) expect(rows.map((r) => r.origin)).not.toContain(`https://flood${i}.example`);
    // the next minute a new website is noted again
    ctx.clock.advance(60_000);
    await startFrom(BLOG);
    expect((await refused()).origins[0]!.origin).toBe(BLOG);
  });

  it('allowing one through the widget update lets that website in and leaves the list', async () => {
    await startFrom(BLOG);
    await startFrom('https://other.example');
    const allowed = await server.app.inject({
      method: 'PATCH',
      url: `/api/widgets/${widget.id}`,
      headers: ADMIN,
      payload: { allowedOrigins: [...widget.allowedOrigins, BLOG] },
    });
    expect(allowed.json().widget.allowedOrigins).toEqual([SHOP, BLOG]);
    expect((await refused()).origins.map((o) => o.origin)).toEqual(['https://other.example']);
    expect((await startFrom(BLOG)).statusCode).toBe(201);
  });

  it("is another organization's widget: 404", async () => {
    await startFrom(BLOG);
    const other = await createOrganization(ctx, { name: 'Other' });
    const { key } = await createApiKey(ctx, other.id, { name: 'other' });
    const answer = await refused({ authorization: `Bearer ${key}` });
    expect(answer.status).toBe(404);
  });
});
