// Request logs: one short line per request at info ({method, url, status, ms}), secrets in the
// query redacted; the probes a load balancer and Prometheus call every few seconds only at debug.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { makeTestContext } from '../support/context.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serverLogging(level: string): Promise<{ server: RunningServer; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const ctx = await makeTestContext({ log: createLogger(level, sink), env: { ADMIN_API_KEY: 'request-log-key-0123456789', WORKER: '0' } });
  server = await startServer(ctx, { listen: false });
  lines.length = 0; // start-up lines are not what is measured here
  return { server, lines };
}

describe('request logs', () => {
  it('writes one short line per request at info, and none for probes', async () => {
    const { server, lines } = await serverLogging('info');
    await server.app.inject({ method: 'GET', url: '/api/organizations', headers: { authorization: 'Bearer request-log-key-0123456789' } });
    await server.app.inject({ method: 'GET', url: '/api/widget/sessions/visitor_x/events?token=secret-visitor-token' });
    for (const url of ['/healthz', '/readyz', '/metrics']) await server.app.inject({ method: 'GET', url });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => `${l.method} ${l.url} ${l.status}`)).toEqual([
      'GET /api/organizations 200',
      'GET /api/widget/sessions/visitor_x/events?token=[redacted] 404',
    ]);
    for (const line of requests) {
      expect(line).toMatchObject({ level: 30, reqId: expect.any(String), ms: expect.any(Number) });
      expect(JSON.stringify(line).length).toBeLessThan(260);
    }
    expect(JSON.stringify(lines)).not.toContain('secret-visitor-token');
    expect(lines.some((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toBe(false);
  });

  it('logs the probes at debug', async () => {
    const { server, lines } = await serverLogging('debug');
    await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(lines.filter((l) => l.msg === 'request' && l.url === '/healthz')).toEqual([expect.objectContaining({ level: 20, status: 200 })]);
  });
});
