// Signing in to the dashboard exchanges a key for an HttpOnly, SameSite=Strict session cookie: the
// admin API accepts the cookie (its event stream too), signing out or revoking the key ends it, and
// a cross-site form cannot make a change with it.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { hashSecret } from '../../src/core/keys.js';
import { makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';
import type { ManualClock } from '../../src/core/clock.js';

const ADMIN_KEY = 'platform-key-for-session-tests';
let server: RunningServer;

afterEach(async () => {
  await server?.stop();
});

async function start(env: Record<string, string> = {}, listen = false) {
  server = await startServer(await makeTestContext({ env: { ADMIN_API_KEY: ADMIN_KEY, PORT: '0', ...env } }), { listen });
  const inject = server.app.inject.bind(server.app);
  const org = (
    await inject({ method: 'POST', url: '/api/organizations', headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: { name: 'Lantern Lane' } })
  ).json().organization as { id: string };
  const issued = (await inject({ method: 'POST', url: `/api/organizations/${org.id}/api-keys`, headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json();
  return { org, key: issued.key as string, keyId: issued.apiKey.id as string };
}

/** Signs in with a key; returns the Set-Cookie header and the Cookie header to send back. */
async function signIn(key: string) {
  const res = await server.app.inject({ method: 'POST', url: '/api/session', payload: { key } });
  expect(res.statusCode, res.body).toBe(200);
  const setCookie = String(res.headers['set-cookie']);
  return { res, setCookie, cookie: setCookie.split(';')[0]! };
}

const as = (cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: { payload?: unknown; headers?: Record<string, string> } = {}) =>
  server.app.inject({ method, url, headers: { cookie, ...options.headers }, ...(options.payload === undefined ? {} : { payload: options.payload as object }) });

describe('dashboard sessions', () => {
  it('exchanges a key for an HttpOnly, SameSite=Strict cookie that is not the key, and keeps only its hash', async () => {
    const { org, key } = await start();
    const { res, setCookie, cookie } = await signIn(key);
    expect(res.json()).toEqual({ ok: true, kind: 'organization', organizationId: org.id });
    expect(setCookie).toMatch(/^switchboard_session=sbs_[A-Za-z0-9_-]{40,}; /);
    expect(setCookie).toContain('; HttpOnly');
    expect(setCookie).toContain('; SameSite=Strict');
    expect(setCookie).toContain('; Path=/');
    expect(setCookie).toMatch(/; Max-Age=\d+/);
    expect(setCookie).not.toContain('Secure'); // served over plain http here
    expect(setCookie).not.toContain(key);
    const token = cookie.split('=')[1]!;
    const rows = await server.ctx.db.selectFrom('dashboard_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ token_hash: hashSecret(token), key_hash: hashSecret(key), principal: 'organization' });
    expect(JSON.stringify(rows)).not.toContain(token);

    expect((await as(cookie, 'GET', '/api/whoami')).json()).toEqual({ ok: true, kind: 'organization', organizationId: org.id });
    expect((await signIn(ADMIN_KEY)).res.json()).toEqual({ ok: true, kind: 'platform' });
    // the dashboard asks on load whether it is signed in: 200 either way
    expect((await as(cookie, 'GET', '/api/session')).json()).toEqual({ ok: true, signedIn: true, kind: 'organization', organizationId: org.id });
    const nobody = await server.app.inject({ method: 'GET', url: '/api/session' });
    expect([nobody.statusCode, nobody.json()]).toEqual([200, { ok: true, signedIn: false }]);
  });

  it('marks the cookie Secure when the dashboard is served over https', async () => {
    const { key } = await start({ PUBLIC_URL: 'https://switchboard.example.com' });
    expect((await signIn(key)).setCookie).toContain('; Secure');
  });

  it('refuses a wrong key without a cookie, and a session nobody signed in to', async () => {
    await start();
    const wrong = await server.app.inject({ method: 'POST', url: '/api/session', payload: { key: 'sb_org_not-a-key' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await server.app.inject({ method: 'POST', url: '/api/session', payload: {} })).statusCode).toBe(400);
    expect((await as('switchboard_session=sbs_made-up', 'GET', '/api/whoami')).statusCode).toBe(401);
  });

  it('is accepted by the admin routes: reads, JSON changes, within its organization only', async () => {
    const { org, key } = await start();
    const { cookie } = await signIn(key);
    const read = await as(cookie, 'GET', `/api/organizations/${org.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().organization.name).toBe('Lantern Lane');
    const changed = await as(cookie, 'PATCH', `/api/organizations/${org.id}`, { payload: { name: 'Lantern Lane Bikes' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().organization.name).toBe('Lantern Lane Bikes');
    // what the key may not do, the session may not either
    expect((await as(cookie, 'GET', '/api/admin/trial-number')).statusCode).toBe(403);
    expect((await as(cookie, 'GET', '/api/organizations/someone-else')).statusCode).toBe(404);
  });

  it("streams the organization's live events to the cookie", async () => {
    const { org, key } = await start({}, true);
    const { cookie } = await signIn(key);
    const received: string[] = [];
    const req = httpRequest(`${server.url}/api/organizations/${org.id}/events`, { headers: { cookie } });
    let status = 0;
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    });
    req.end();
    await waitFor(() => received.join('').includes('retry:'), { what: 'the stream to open' });
    expect(status).toBe(200);
    await server.ctx.bus.publish({ channel: `org:${org.id}`, type: 'conversation', data: { id: 'c1', status: 'agent' } });
    await waitFor(() => received.join('').includes('c1'), { what: 'the event on the stream' });
    req.destroy();
  });

  it('ends at sign-out: the row is gone, the cookie cleared, and the old cookie refused', async () => {
    const { key } = await start();
    const { cookie } = await signIn(key);
    const out = await as(cookie, 'DELETE', '/api/session');
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^switchboard_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    expect(await server.ctx.db.selectFrom('dashboard_sessions').selectAll().execute()).toEqual([]);
    const after = await as(cookie, 'GET', '/api/whoami');
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toContain('sign in again');
    expect((await as(cookie, 'GET', '/api/session')).json()).toEqual({ ok: true, signedIn: false });
  });

  it('ends when its key is revoked, and when it expires', async () => {
    const { org, key, keyId } = await start();
    const { cookie } = await signIn(key);
    const other = await signIn(key);
    expect((await as(cookie, 'GET', '/api/whoami')).statusCode).toBe(200);
    const revoked = await server.app.inject({
      method: 'DELETE',
      url: `/api/organizations/${org.id}/api-keys/${keyId}`,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect((await as(cookie, 'GET', '/api/whoami')).statusCode).toBe(401);
    expect((await as(other.cookie, 'GET', `/api/organizations/${org.id}`)).statusCode).toBe(401);
    expect(await server.ctx.db.selectFrom('dashboard_sessions').selectAll().execute()).toEqual([]);

    const platform = await signIn(ADMIN_KEY);
    expect((await as(platform.cookie, 'GET', '/api/whoami')).statusCode).toBe(200);
    (server.ctx.clock as unknown as { advance(ms: number): void }).advance(7 * 24 * 60 * 60 * 1000 + 1);
    expect((await as(platform.cookie, 'GET', '/api/whoami')).statusCode).toBe(401);
  });

  it('refuses a change a cross-site form could send with the cookie: not JSON, no dashboard header', async () => {
    const { org, key } = await start();
    const { cookie } = await signIn(key);
    const form = await as(cookie, 'PATCH', `/api/organizations/${org.id}`, { payload: 'name=Pwned', headers: { 'content-type': 'text/plain' } });
    expect(form.statusCode).toBe(403);
    expect(form.json().error).toContain('JSON');
    const boundary = 'x-boundary';
    const upload = await as(cookie, 'POST', `/api/organizations/${org.id}/knowledge`, {
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="evil.txt"\r\nContent-Type: text/plain\r\n\r\nPwned\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(upload.statusCode).toBe(403);
    const urlencoded = await as(cookie, 'POST', `/api/organizations/${org.id}/api-keys`, {
      payload: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(urlencoded.statusCode).toBeGreaterThanOrEqual(400);
    expect(urlencoded.statusCode).toBeLessThan(500);
    expect((await as(cookie, 'GET', `/api/organizations/${org.id}`)).json().organization.name).toBe('Lantern Lane');
    expect((await as(cookie, 'GET', `/api/organizations/${org.id}/knowledge`)).json().documents).toEqual([]);
    expect((await as(cookie, 'GET', `/api/organizations/${org.id}/api-keys`)).json().apiKeys).toHaveLength(1);

    // the dashboard's own uploads carry its header
    const dashboardUpload = await as(cookie, 'POST', `/api/organizations/${org.id}/knowledge`, {
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="faq.txt"\r\nContent-Type: text/plain\r\n\r\nWe open at nine.\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-switchboard-dashboard': '1' },
    });
    expect(dashboardUpload.statusCode, dashboardUpload.body).toBe(201);
  });

  it('refuses sign-ins from an address after ten failed ones, with a sentence, until the window ends', async () => {
    const { org, key } = await start();
    const from = (remoteAddress: string, tried: string) => server.app.inject({ method: 'POST', url: '/api/session', payload: { key: tried }, remoteAddress });
    for (let i = 0; i < 10; i += 1) expect((await from('203.0.113.7', `sb_wrong_${i}`)).statusCode).toBe(401);
    const throttled = await from('203.0.113.7', key);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json()).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      error: expect.stringMatching(/^Too many failed sign-ins from this address; wait \d+ minutes? and try again\.$/),
    });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.headers['set-cookie']).toBeUndefined();
    // another address is not held back, and right keys count no failure
    for (let i = 0; i < 12; i += 1) expect((await from('198.51.100.9', key)).statusCode).toBe(200);
    (server.ctx.clock as ManualClock).advance(15 * 60_000);
    expect((await from('203.0.113.7', key)).json()).toEqual({ ok: true, kind: 'organization', organizationId: org.id });
  });
});
