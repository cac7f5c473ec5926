import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { makeTestContext } from '../support/context.js';
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
