// GET /metrics: Prometheus text with the product's counters, queue figures read on scrape.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { countSend, countWebhook, widgetConnectionClosed, widgetConnectionOpened } from '../../src/services/metrics.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization } from '../support/factories.js';

let server: RunningServer;

beforeEach(async () => {
  server = await startServer(await makeTestContext(), { listen: false });
});
afterEach(async () => {
  await server.stop();
});

async function scrape(): Promise<string> {
  const response = await server.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain/);
  return response.body;
}

/** The value of one sample line, e.g. `switchboard_sends_total{provider="meta",outcome="sent"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts webhooks and sends by provider and outcome', async () => {
    countWebhook(server.ctx, 'twilio', 'stored');
    countWebhook(server.ctx, 'twilio', 'stored');
    countWebhook(server.ctx, 'meta', 'rejected');
    countSend(server.ctx, 'twilio', 'sent');
    countSend(server.ctx, 'twilio', 'retry');
    const text = await scrape();
    expect(sample(text, 'switchboard_webhooks_total{provider="twilio",outcome="stored"}')).toBe(2);
    expect(sample(text, 'switchboard_webhooks_total{provider="meta",outcome="rejected"}')).toBe(1);
    expect(sample(text, 'switchboard_sends_total{provider="twilio",outcome="sent"}')).toBe(1);
    expect(sample(text, 'switchboard_sends_total{provider="twilio",outcome="retry"}')).toBe(1);
  });

  it('keeps each context’s figures apart', async () => {
    const other = await startServer(await makeTestContext(), { listen: false });
    try {
      countWebhook(other.ctx, 'whapi', 'stored');
      expect(sample(await scrape(), 'switchboard_webhooks_total{provider="whapi",outcome="stored"}')).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('gauges live widget connections', async () => {
    widgetConnectionOpened(server.ctx);
    widgetConnectionOpened(server.ctx);
    widgetConnectionClosed(server.ctx);
    expect(sample(await scrape(), 'switchboard_widget_connections')).toBe(1);
  });

  it('reads the job queue depth and the age of the oldest due job on each scrape', async () => {
    const { ctx } = server;
    const now = ctx.clock.now();
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
    const job = (kind: string, status: string, runAt: string) => ({
      kind,
      payload: '{}',
      status,
      run_at: runAt,
      attempts: 0,
      max_attempts: 5,
      created_at: runAt,
      updated_at: runAt,
    });
    await ctx.db
      .insertInto('jobs')
      .values([
        job('outbound.send', 'pending', at(-90)),
        job('outbound.send', 'pending', at(-30)),
        job('outbound.send', 'pending', at(600)), // not due yet: counted, but not "waiting"
        job('inbound.react', 'running', at(-5)),
        job('inbound.react', 'done', at(-500)),
      ])
      .execute();
    const text = await scrape();
    expect(sample(text, 'switchboard_jobs_queued{kind="outbound.send",status="pending"}')).toBe(3);
    expect(sample(text, 'switchboard_jobs_queued{kind="inbound.react",status="running"}')).toBe(1);
    expect(text).not.toContain('status="done"');
    expect(sample(text, 'switchboard_jobs_oldest_age_seconds')).toBe(90);

    await ctx.db.updateTable('jobs').set({ status: 'done' }).execute();
    const after = await scrape();
    expect(sample(after, 'switchboard_jobs_queued{kind="outbound.send",status="pending"}')).toBeUndefined();
    expect(sample(after, 'switchboard_jobs_oldest_age_seconds')).toBe(0);
  });

  it('counts a real webhook and the reply it causes', async () => {
    const flow = await startServer(await makeTestContext({ env: { SIMULATOR: '1', WORKER: '0' } }), { listen: false });
    try {
      const organization = await makeOrganization(flow.ctx, { plan: 'business' });
      const number = await makeNumber(flow.ctx, { organization_id: organization.id });
      const webhook = await flow.app.inject({
        method: 'POST',
        url: '/api/webhooks/sim',
        headers: { 'content-type': 'application/json' },
        payload: { id: 'sim_metrics_1', from: '+447946000111', to: number.phone_number, text: 'When are you open?' },
      });
      expect(webhook.statusCode).toBe(200);
      await drainJobs(flow.ctx);
      const scraped = await flow.app.inject({ method: 'GET', url: '/metrics' });
      const text = scraped.body;
      expect(sample(text, 'switchboard_webhooks_total{provider="simulator",outcome="stored"}')).toBe(1);
      expect(sample(text, 'switchboard_sends_total{provider="simulator",outcome="sent"}')).toBe(1);
      expect(sample(text, 'switchboard_webhook_duration_seconds_count{provider="simulator"}')).toBe(1);
      expect(sample(text, 'switchboard_jobs_queued{kind="inbound.react",status="pending"}')).toBeUndefined();
    } finally {
      await flow.stop();
    }
  });

  it('times requests by route pattern, never by raw URL', async () => {
    await server.app.inject({ method: 'GET', url: '/healthz' });
    await server.app.inject({ method: 'GET', url: '/no/such/thing/123' });
    const text = await scrape();
    expect(sample(text, 'switchboard_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"}')).toBe(1);
    expect(sample(text, 'switchboard_http_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"}')).toBe(1);
    expect(text).not.toContain('/no/such/thing');
  });
});

describe('METRICS_TOKEN', () => {
  it('when set, answers 401 with a sentence without the bearer token, and the metrics with it', async () => {
    const guarded = await startServer(await makeTestContext({ env: { METRICS_TOKEN: 'scrape-me-0123456789' } }), { listen: false });
    try {
      const get = (authorization?: string) =>
        guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
      for (const authorization of [undefined, 'Bearer wrong-token', 'scrape-me-0123456789', 'Bearer scrape-me-012345678']) {
        const refused = await get(authorization);
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toMatchObject({ ok: false, code: 'UNAUTHORIZED', error: expect.stringContaining('METRICS_TOKEN') });
        expect(refused.body).not.toContain('switchboard_');
      }
      const allowed = await get('Bearer scrape-me-0123456789');
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('switchboard_');
      // the API reference holds no data and stays public
      expect((await guarded.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('is not needed when unset', async () => {
    expect(await scrape()).toContain('switchboard_');
  });
});
