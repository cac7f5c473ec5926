// A dashboard session of five minutes, as the log at `info` sees it: the polling the open pages do
// in that time (compressed: requests one after the other, no waiting), the pages and assets, the
// probes, and about twenty things the operator does. The log keeps one line per thing done and
// stays under one line per action plus one per minute: the polling is at debug. Also: a line is
// short, carries no secret of the query, and the probes are at debug.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { requestLogLevel } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { makeTestContext } from '../support/context.js';

const KEY = 'request-logs-admin-key-0123456789';
const ADMIN = { authorization: `Bearer ${KEY}` };
const MINUTES = 5;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A server whose log at `level` is captured, line by line; the start-up lines are left out. */
async function serverLogging(level: string): Promise<{ server: RunningServer; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const ctx = await makeTestContext({ log: createLogger(level, sink), env: { ADMIN_API_KEY: KEY, WORKER: '0', ANSWER_BY_MEANING: '0' } });
  server = await startServer(ctx, { listen: false });
  lines.length = 0;
  return { server, lines };
}

describe('request logs', () => {
  it('writes one short line per change or failure at info, secrets in the query redacted', async () => {
    const { server, lines } = await serverLogging('info');
    await server.app.inject({ method: 'POST', url: '/api/organizations', headers: ADMIN, payload: { name: 'Shop' } });
    await server.app.inject({ method: 'GET', url: '/api/organizations', headers: ADMIN });
    await server.app.inject({ method: 'GET', url: '/api/widget/sessions/visitor_x/events?token=secret-visitor-token' });
    for (const url of ['/healthz', '/readyz', '/metrics']) await server.app.inject({ method: 'GET', url });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => `${l.method} ${l.url} ${l.status}`)).toEqual([
      'POST /api/organizations 201',
      'GET /api/widget/sessions/visitor_x/events?token=[redacted] 404',
    ]);
    for (const line of requests) {
      expect(line).toMatchObject({ level: 30, reqId: expect.any(String), ms: expect.any(Number) });
      expect(JSON.stringify(line).length).toBeLessThan(260);
    }
    expect(JSON.stringify(lines)).not.toContain('secret-visitor-token');
    expect(lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toBe(false);
  });

  it('logs the reads that succeeded and the probes at debug', async () => {
    const { server, lines } = await serverLogging('debug');
    await server.app.inject({ method: 'GET', url: '/healthz' });
    await server.app.inject({ method: 'GET', url: '/api/organizations', headers: ADMIN });
    expect(lines.filter((l) => l.msg === 'request').map((l) => [l.url, l.level, l.status])).toEqual([
      ['/healthz', 20, 200],
      ['/api/organizations', 20, 200],
    ]);
  });
});

/** What the dashboard's open pages read again, and how often (seconds): web/dashboard/src. */
const polling = (orgId: string, widgetId: string): Array<[string, number]> => [
  ['/api/organizations', 60],
  [`/api/organizations/${orgId}/conversations`, 10],
  [`/api/organizations/${orgId}/agents`, 4],
  [`/api/widgets/${widgetId}/number-stats`, 5],
  [`/api/organizations/${orgId}/knowledge/suggestions`, 15],
  ['/api/session', 60],
  ['/healthz', 10],
  ['/readyz', 10],
  ['/metrics', 15],
];

describe('request logs of a dashboard session', () => {
  it('stay under one line per user action plus one per minute at info', async () => {
    const { server, lines } = await serverLogging('info');
    const app = server.app;

    let cookie = '';
    let actions = 0;
    const act = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      actions += 1;
      const response = await app.inject({ method, url, payload, headers: { cookie } });
      return response;
    };
    const read = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });

    // sign in, open the dashboard and its assets
    const signIn = await act('POST', '/api/session', { key: KEY });
    expect(signIn.statusCode).toBe(200);
    cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const page = await read('/dashboard/');
    expect(page.statusCode).toBe(200);
    for (const asset of page.body.matchAll(/(?:src|href)="(\/[^"]+)"/g)) await read(asset[1]!);
    await read('/widget.js');

    // the operator's work: an organization, its key, a widget changed a few times, agents, documents
    const org = (await act('POST', '/api/organizations', { name: 'Shop' })).json().organization;
    await act('POST', `/api/organizations/${org.id}/api-keys`, { name: 'site' });
    const widget = (await act('POST', `/api/organizations/${org.id}/widgets`, { name: 'Site', allowedOrigins: ['https://shop.example'] })).json().widget;
    for (const greeting of ['Hi!', 'Hello!', 'Welcome!']) await act('PATCH', `/api/widgets/${widget.id}`, { greeting });
    await act('PATCH', `/api/widgets/${widget.id}`, { allowedOrigins: [] }); // refused: a 400 sentence, logged
    for (const [name, phone] of [
      ['Rosa', '+15550109001'],
      ['Ben', '+15550109002'],
    ]) {
      await act('POST', `/api/organizations/${org.id}/agents`, { name, phone });
    }
    for (let i = 0; i < 4; i++) {
      await act('POST', `/api/organizations/${org.id}/knowledge`, { title: `Shipping ${i}`, content: `We ship in ${i + 1} days.` });
    }
    await act('PATCH', `/api/organizations/${org.id}`, { name: 'Shop & Co' });
    await act('POST', `/api/organizations`, { name: 'Second shop' });
    await act('DELETE', '/api/session');
    const again = await act('POST', '/api/session', { key: KEY });
    cookie = String(again.headers['set-cookie']).split(';')[0]!;
    expect(actions).toBeGreaterThanOrEqual(18);

    // five minutes of the open pages reading again
    const reads = polling(org.id, widget.id);
    let polled = 0;
    for (let second = 0; second < MINUTES * 60; second++) {
      for (const [url, every] of reads) {
        if (second % every !== 0) continue;
        const response = await read(url);
        expect(response.statusCode, url).toBeLessThan(400);
        polled += 1;
      }
    }
    expect(polled).toBeGreaterThan(200);

    const info = lines.filter((l) => (l.level as number) >= 30);
    expect(info.length, info.map((l) => `${l.msg} ${l.method ?? ''} ${l.url ?? ''}`).join('\n')).toBeLessThan(actions + MINUTES);
    // each action that was a request is one short line
    const requests = info.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(actions);
    for (const line of requests) expect(JSON.stringify(line).length).toBeLessThan(260);
  });
});

describe('request log level', () => {
  it('is info for changes and failures, debug for reads that succeeded and for probes', () => {
    expect(requestLogLevel('POST', '/api/organizations', 201)).toBe('info');
    expect(requestLogLevel('DELETE', '/api/widgets/:id', 200)).toBe('info');
    expect(requestLogLevel('GET', '/api/organizations/:orgId/conversations', 200)).toBe('debug');
    expect(requestLogLevel('GET', '/api/organizations/:orgId/conversations', 404)).toBe('info');
    expect(requestLogLevel('GET', '/api/organizations/:orgId/numbers', 503)).toBe('info');
    expect(requestLogLevel('GET', '/metrics', 401)).toBe('debug');
    expect(requestLogLevel('OPTIONS', '/api/widget/:publicKey/sessions', 204)).toBe('debug');
  });
});
