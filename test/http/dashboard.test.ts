import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { createApiKey } from '../../src/services/tenancy/api-keys.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt } from '../support/web-build.js';

let server: RunningServer;
beforeAll(ensureDashboardBuilt, 120_000);
afterEach(async () => {
  await server?.stop();
});

async function start(env: Record<string, string> = {}) {
  server = await startServer(await makeTestContext({ env }), { listen: false });
  return server.app;
}

describe('dashboard pages', () => {
  it('serves the single-page app at / and under every /dashboard path, so a reload keeps the section', async () => {
    const app = await start();
    for (const url of ['/', '/dashboard', '/dashboard/conversations', '/dashboard/widgets/123']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root"></div>');
      expect(res.body).toContain('Switchboard dashboard');
    }
  });

  it('serves the built scripts and styles the page refers to', async () => {
    const app = await start();
    const page = (await app.inject({ url: '/' })).body;
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await app.inject({ url: asset });
      expect(res.statusCode, asset).toBe(200);
      expect(res.body.length).toBeGreaterThan(100);
    }
    const files = readdirSync(resolve(import.meta.dirname, '../../web/dashboard/dist/assets'));
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
  });

  it('keeps API paths as JSON 404s, not the app page', async () => {
    const app = await start();
    const res = await app.inject({ url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('demo website page', () => {
  it('embeds the widget with the key given in ?widget=', async () => {
    const app = await start();
    const res = await app.inject({ url: '/demo?widget=wk_abc123' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<script src="/widget.js" data-widget="wk_abc123" async></script>');
    expect(res.body).toContain('Lantern Lane Bikes');
  });

  it('never writes a key that is not a plain token into the page', async () => {
    const app = await start();
    const res = await app.inject({ url: `/demo?widget=${encodeURIComponent('"><script>alert(1)</script>')}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('alert(1)');
    expect(res.body).toContain('/demo?widget=PUBLIC_KEY');
  });

  it('without a demo or a key, says how to open it with a key', async () => {
    const app = await start();
    const res = await app.inject({ url: '/demo' });
    expect(res.body).not.toContain('data-widget=');
    expect(res.body).toContain('No demo widget here');
  });
});

describe('whoami', () => {
  it('tells the dashboard whether the key is the platform key or an organization key', async () => {
    server = await startServer(await makeTestContext({ env: { ADMIN_API_KEY: 'platform-key-for-tests' } }), { listen: false });
    const org = await createOrganization(server.ctx, { name: 'Mine' });
    const { key } = await createApiKey(server.ctx, org.id);
    const as = (k: string) => server.app.inject({ url: '/api/whoami', headers: { authorization: `Bearer ${k}` } });
    expect((await as('platform-key-for-tests')).json()).toEqual({ ok: true, kind: 'platform' });
    expect((await as(key)).json()).toEqual({ ok: true, kind: 'organization', organizationId: org.id });
    expect((await as('sb_wrong')).statusCode).toBe(401);
  });
});

describe('organization live events', () => {
  it("streams the organization's events to its own key and to the platform key only", async () => {
    server = await startServer(await makeTestContext({ env: { PORT: '0', ADMIN_API_KEY: 'platform-key-for-tests' } }));
    const ctx = server.ctx;
    const mine = await createOrganization(ctx, { name: 'Mine' });
    const other = await createOrganization(ctx, { name: 'Other' });
    const { key } = await createApiKey(ctx, mine.id);

    expect((await server.app.inject({ url: `/api/organizations/${mine.id}/events` })).statusCode).toBe(401);
    const foreign = await server.app.inject({ url: `/api/organizations/${other.id}/events`, headers: { authorization: `Bearer ${key}` } });
    expect(foreign.statusCode).toBe(404);
    const missing = await server.app.inject({ url: '/api/organizations/nope/events', headers: { authorization: 'Bearer platform-key-for-tests' } });
    expect(missing.statusCode).toBe(404);

    const received: string[] = [];
    const req = httpRequest(`${server.url}/api/organizations/${mine.id}/events`, { headers: { authorization: `Bearer ${key}` } });
    req.on('response', (res) => res.on('data', (chunk: Buffer) => received.push(chunk.toString())));
    req.end();
    await waitFor(() => received.join('').includes('retry:'), { what: 'the stream to open' });
    await ctx.bus.publish({ channel: `org:${other.id}`, type: 'message', data: { id: 1, body: 'not yours' } });
    await ctx.bus.publish({ channel: `org:${mine.id}`, type: 'conversation', data: { id: 'c1', status: 'agent' } });
    await waitFor(() => received.join('').includes('c1'), { what: 'the event on the stream' });
    expect(received.join('')).toContain('event: conversation\ndata: {"id":"c1","status":"agent"}\n\n');
    expect(received.join('')).not.toContain('not yours');
    req.destroy();
  });
});
