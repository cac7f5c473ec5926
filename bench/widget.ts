// Widget figures: memory per 1,000 idle event streams (up to 10,000, in a fresh process against
// its own baseline), one event to all of them, and agent reply webhook → visitor's event stream latency. Talks to the product only through
// its HTTP API, as a browser and Twilio would.
import { createServer, type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTarget, type Target } from './load.js';
import { BENCH_NUMBERS, twilioInbound } from './payloads.js';
import { PUBLIC_URL, productEnv } from './env.js';

const STREAM_STEPS = [1_000, 2_000, 5_000, 10_000];
const REPLIES = 200;
const AGENT = '+15551230001';

export interface WidgetFigures {
  /** the fresh process's memory after a forced GC, before any stream was open */
  baselineMB?: { rss: number; heap: number };
  /** growth over the baseline, each measured after a forced GC */
  streams?: Array<{ connections: number; rssMB: number; heapMB: number; rssPer1000MB: number }>;
  /** one event to every stream: the server's time to write it to all, and until the last client had it */
  broadcastServerMs?: number;
  broadcastToAllMs?: number;
  replyLatency?: { p50Ms: number; p99Ms: number; maxMs: number; replies: number };
  skipped?: string;
}

async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? 'bench-admin-key'}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** A Twilio Messages API that accepts every send: the agents' notifications must go somewhere. */
async function startTwilioSink(): Promise<{ url: string; close: () => void }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sid: `SM${(n++).toString(16).padStart(32, 'f')}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

interface Stream {
  response: IncomingMessage;
  /** resolves on the next SSE event whose data contains `marker` */
  next(marker: string): Promise<number>;
}

function openStream(base: string, sessionId: string, token: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/api/widget/sessions/${sessionId}/events?token=${encodeURIComponent(token)}`);
    const req = httpRequest(url, { headers: { accept: 'text/event-stream' }, agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`event stream → ${response.statusCode}`));
      let buffer = '';
      let waiting: { marker: string; resolve: (at: number) => void } | undefined;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer = (buffer + chunk).slice(-4096);
        if (waiting && buffer.includes(waiting.marker)) {
          const w = waiting;
          waiting = undefined;
          buffer = '';
          w.resolve(performance.now());
        }
      });
      resolve({ response, next: (marker) => new Promise((r) => (waiting = { marker, resolve: r })) });
    });
    req.on('error', reject);
    req.end();
  });
}

async function createSessions(base: string, publicKey: string, count: number): Promise<Array<{ sessionId: string; token: string }>> {
  const sessions: Array<{ sessionId: string; token: string }> = [];
  const workers = Array.from({ length: 20 }, async () => {
    while (sessions.length < count) {
      sessions.push(await api(base, 'POST', `/api/widget/${publicKey}/sessions`, { visitorName: 'Bench visitor' }));
    }
  });
  await Promise.all(workers);
  return sessions.slice(0, count);
}

/**
 * Memory of idle event streams, in a process that did nothing else: the sessions were created by
 * another process on the same database, this one starts, opens a few streams and closes them (so
 * the route's code is loaded and compiled), and its memory after a forced GC is the baseline each
 * step is measured against.
 */
async function measureStreams(
  target: Target,
  base: string,
  sessions: Array<{ sessionId: string; token: string }>,
): Promise<Pick<WidgetFigures, 'streams' | 'baselineMB' | 'broadcastServerMs' | 'broadcastToAllMs'>> {
  const warm = await Promise.all(sessions.slice(0, 50).map((s) => openStream(base, s.sessionId, s.token)));
  for (const s of warm) s.response.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const streams: Stream[] = [];
  const baseline = await target.probe();
  const figures: NonNullable<WidgetFigures['streams']> = [];
  for (const step of STREAM_STEPS) {
    while (streams.length < step) {
      const batch = sessions.slice(streams.length, Math.min(step, streams.length + 200));
      streams.push(...(await Promise.all(batch.map((s) => openStream(base, s.sessionId, s.token)))));
    }
    const now = await target.probe();
    const rssMB = (now.rss - baseline.rss) / 1e6;
    figures.push({
      connections: step,
      rssMB: round(rssMB),
      heapMB: round((now.heapUsed - baseline.heapUsed) / 1e6),
      rssPer1000MB: round((rssMB / step) * 1000),
    });
  }
  // One event to every visitor, published by the server; timed until the last stream has it.
  const marker = `all-${Date.now()}`;
  const arrivals = streams.map((s) => s.next(marker));
  const sent = performance.now();
  const serverMs = await target.broadcast(
    sessions.map((s) => s.sessionId),
    marker,
  );
  const last = Math.max(...(await Promise.all(arrivals)));
  for (const s of streams) s.response.destroy();
  return {
    baselineMB: { rss: round(baseline.rss / 1e6), heap: round(baseline.heapUsed / 1e6) },
    streams: figures,
    broadcastServerMs: round(serverMs),
    broadcastToAllMs: round(last - sent),
  };
}

async function measureReplyLatency(base: string, widgetId: string, publicKey: string, acceptText: string): Promise<WidgetFigures['replyLatency']> {
  const [session] = await createSessions(base, publicKey, 1);
  const stream = await openStream(base, session!.sessionId, session!.token);
  // The agent accepts from their phone (an invited agent is sent nothing), which also opens their 24-hour window.
  const hello = twilioInbound(PUBLIC_URL, 899_999_999, { text: acceptText, from: AGENT });
  await fetch(base + hello.path, { method: 'POST', headers: hello.headers, body: hello.body });
  // The acceptance is handled by the worker after the webhook is answered: wait until the agent is active.
  for (let tries = 0; ; tries++) {
    const { widget } = await api<{ widget: { agents: Array<{ status: string }> } }>(base, 'GET', `/api/widgets/${widgetId}`);
    if (widget.agents.every((a) => a.status === 'active')) break;
    if (tries > 200) throw new Error('the agent never became active');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await api(base, 'POST', `/api/widget/sessions/${session!.sessionId}/messages`, { text: 'I would like to talk to a person' }, session!.token);
  const handover = await api<{ conversationRef: number | string }>(base, 'POST', `/api/widget/sessions/${session!.sessionId}/handover`, {}, session!.token);
  const ref = String(handover.conversationRef).replace(/^#/, '');
  const latencies: number[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const marker = `reply-${i}-${Date.now()}`;
    const webhook = twilioInbound(PUBLIC_URL, 900_000_000 + i, { text: `#${ref}: ${marker}`, from: AGENT });
    const arrival = stream.next(marker);
    const sent = performance.now();
    const response = await fetch(base + webhook.path, { method: 'POST', headers: webhook.headers, body: webhook.body });
    if (!response.ok) throw new Error(`agent reply webhook → ${response.status}`);
    latencies.push((await arrival) - sent);
  }
  stream.response.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(latencies.at(-1)!), replies: REPLIES };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function widgetEnv(databaseUrl: string, twilioUrl: string): Record<string, string> {
  return productEnv(databaseUrl, {
    WORKER: '1',
    TWILIO_API_BASE_URL: twilioUrl,
    WIDGET_REQUESTS_PER_MINUTE: '1000000',
    WIDGET_MESSAGES_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
  });
}

export async function measureWidgetStreams(databaseUrl: string): Promise<WidgetFigures> {
  const sink = await startTwilioSink();
  let sessions: Array<{ sessionId: string; token: string }>;
  let replyLatency: WidgetFigures['replyLatency'];
  // First process: the widget, the reply latency, and the sessions the streams will use.
  const setup = await startTarget('app', widgetEnv(databaseUrl, sink.url));
  try {
    const base = setup.report.url;
    const { widget } = await api<{ widget: { id: string; publicKey: string; agentInvitation: { text: string } } }>(
      base,
      'POST',
      `/api/organizations/${setup.report.organizationId}/widgets`,
      {
        name: 'Bench widget',
        allowedOrigins: ['https://shop.example.com'],
        agentWhatsappNumbers: [AGENT],
        handoverWhatsappNumber: BENCH_NUMBERS.twilioPhone,
      },
    );
    replyLatency = await measureReplyLatency(base, widget.id, widget.publicKey, widget.agentInvitation.text);
    sessions = await createSessions(base, widget.publicKey, STREAM_STEPS.at(-1)!);
  } catch (err) {
    sink.close();
    return { skipped: `widget figures not measured: ${(err as Error).message}` };
  } finally {
    await setup.stop();
  }
  // Second process, fresh: only the streams.
  const target = await startTarget('app', widgetEnv(databaseUrl, sink.url));
  try {
    return { replyLatency, ...(await measureStreams(target, target.report.url, sessions)) };
  } catch (err) {
    return { replyLatency, skipped: `stream figures not measured: ${(err as Error).message}` };
  } finally {
    await target.stop();
    sink.close();
  }
}
