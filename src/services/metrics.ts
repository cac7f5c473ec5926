// Prometheus metrics, one registry per context (tests run many contexts in one process).
// Other parts report through the small functions below; queue figures are read on each scrape.
// Beside context.ts rather than in a domain folder: inbound/ and outbound/ count into it, and
// platform/ (the demo) builds on them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext, Metrics } from './context.js';

export type WebhookOutcome = 'stored' | 'duplicate' | 'unrouted' | 'rejected' | 'invalid';
export type SendOutcome = 'sent' | 'retry' | 'failed';

// Latency buckets from 1 ms to 5 s: the webhook target is p99 ≤ 25 ms, so the low end is fine-grained.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type { Metrics };

/** The context's metrics, created on first use. */
export function metricsOf(ctx: AppContext): Metrics {
  return (ctx.state.metrics ??= createMetrics(ctx));
}

/** A webhook was answered: stored, a duplicate, kept as unrouted, rejected (403) or invalid (4xx). */
export function countWebhook(ctx: AppContext, provider: string, outcome: WebhookOutcome): void {
  metricsOf(ctx).webhooks.inc({ provider, outcome });
}

/** An outbound send attempt ended: sent, will be retried, or failed for good. */
export function countSend(ctx: AppContext, provider: string, outcome: SendOutcome): void {
  metricsOf(ctx).sends.inc({ provider, outcome });
}

/** The widget's event stream opened a connection (call `widgetConnectionClosed` when it ends). */
export function widgetConnectionOpened(ctx: AppContext): void {
  metricsOf(ctx).widgetConnections.inc();
}

export function widgetConnectionClosed(ctx: AppContext): void {
  metricsOf(ctx).widgetConnections.dec();
}

/** One answered HTTP request; webhook routes also feed the per-provider webhook histogram. */
export function observeRequest(ctx: AppContext, request: { method: string; route: string; status: number; seconds: number }): void {
  const metrics = metricsOf(ctx);
  metrics.requestDuration.observe({ method: request.method, route: request.route, status: `${Math.floor(request.status / 100)}xx` }, request.seconds);
  const webhook = /^\/api\/webhooks\/([a-z]+)$/.exec(request.route);
  // labelled like the webhook counter (`/api/webhooks/sim` is the simulator's); `whatsapp` is the auto-detecting URL
  if (webhook && request.method === 'POST') metrics.webhookDuration.observe({ provider: webhook[1] === 'sim' ? 'simulator' : webhook[1]! }, request.seconds);
}

function createMetrics(ctx: AppContext): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const queueDepth = new Gauge({
    name: 'switchboard_jobs_queued',
    help: 'Jobs waiting or running, by kind.',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    collect: async () => {
      queueDepth.reset();
      for (const row of await queuedJobs(ctx)) queueDepth.set({ kind: row.kind, status: row.status }, Number(row.count));
    },
  });
  const oldestAge = new Gauge({
    name: 'switchboard_jobs_oldest_age_seconds',
    help: 'How long the oldest job that is due has been waiting to run (0 when none is due).',
    registers: [registry],
    collect: async () => {
      oldestAge.set(await oldestDueJobAge(ctx));
    },
  });
  return {
    registry,
    webhooks: new Counter({
      name: 'switchboard_webhooks_total',
      help: 'Webhooks answered, by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    sends: new Counter({
      name: 'switchboard_sends_total',
      help: 'Outbound send attempts, by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    widgetConnections: new Gauge({
      name: 'switchboard_widget_connections',
      help: 'Open widget event streams on this instance.',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'switchboard_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    webhookDuration: new Histogram({
      name: 'switchboard_webhook_duration_seconds',
      help: 'Webhook latency (received to answered), by provider.',
      labelNames: ['provider'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

async function queuedJobs(ctx: AppContext): Promise<Array<{ kind: string; status: string; count: number | string }>> {
  return ctx.db
    .selectFrom('jobs')
    .select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['pending', 'running'])
    .groupBy(['kind', 'status'])
    .execute();
}

async function oldestDueJobAge(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.min('run_at').as('oldest'))
    .where('status', '=', 'pending')
    .where('run_at', '<=', now.toISOString())
    .executeTakeFirst();
  const oldest = row?.oldest as string | null | undefined;
  return oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0;
}
