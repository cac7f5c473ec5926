// A server under test, in its own process so its CPU time and memory are its own.
// `bare`: a bare Fastify JSON handler. `anchor`: the hand-written durable Meta path SPEC §13 was
// measured with. `app`: the whole product (config from the environment), with one organization
// owning a Twilio, a Meta and a Whapi number. Reports its address over IPC and answers probes
// (CPU time, memory after a forced GC) over IPC too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import SqliteDriver from 'better-sqlite3';
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import { createContext, startServer } from '../src/server.js';
import type { AppContext } from '../src/services/context.js';
import { BENCH_NUMBERS, BENCH_SECRETS } from './payloads.js';

export type TargetReport = { url: string; organizationId?: string };
export type Probe = { cpuMicros: number; rss: number; heapUsed: number };

function probe(): Probe {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed };
}

interface Started {
  report: TargetReport;
  /** publishes one live event to each visitor session (the product's own bus) */
  broadcast?(sessionIds: string[], marker: string): Promise<number>;
  stop(): Promise<void>;
}

async function startBare(): Promise<Started> {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => ({ ok: true, got: typeof request.body }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { report: { url }, stop: () => app.close() };
}

/**
 * The anchor of SPEC §13: raw body, HMAC-SHA256 check, JSON parse, and the inserts of one
 * event-loop turn committed together (WAL, synchronous=FULL), each request answered after that
 * commit. What the product path adds on top of this is the gap the bench shows.
 */
async function startAnchor(databasePath: string): Promise<Started> {
  const db = new SqliteDriver(databasePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table if not exists events (id integer primary key, message_id text not null unique, sender text, body text, received_at text)');
  const insert = db.prepare('insert into events (message_id, sender, body, received_at) values (?, ?, ?, ?) on conflict do nothing');
  let turn: Array<{ values: unknown[]; done: () => void }> = [];
  const commit = () => {
    const batch = turn;
    turn = [];
    db.transaction(() => {
      for (const write of batch) insert.run(write.values);
    })();
    for (const write of batch) write.done();
  };
  const secret = Buffer.from(BENCH_SECRETS.metaAppSecret);
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/api/webhooks/meta', async (request, reply) => {
    const body = request.body as Buffer;
    const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.status(403).send({ ok: false });
    const message = JSON.parse(body.toString('utf8')).entry[0].changes[0].value.messages[0];
    await new Promise<void>((done) => {
      turn.push({ values: [message.id, message.from, message.text?.body ?? null, new Date().toISOString()], done });
      if (turn.length === 1) setImmediate(commit);
    });
    return { ok: true };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    report: { url },
    stop: async () => {
      await app.close();
      db.close();
    },
  };
}

/** One organization owning a Twilio and a Meta number: the routed path, not the unrouted one. */
async function seedOrganization(ctx: AppContext): Promise<string> {
  const now = ctx.clock.now().toISOString();
  const organizationId = 'org_bench';
  await ctx.db
    .insertInto('organizations')
    .values({
      id: organizationId,
      name: 'Bench Shop',
      plan: 'business',
      join_code: 'bench',
      last_conversation_ref: 0,
      dedupe_window_seconds: 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const number = (id: string, provider: string, phone: string, providerId: string) => ({
    id,
    organization_id: organizationId,
    provider,
    phone_number: phone,
    provider_id: providerId,
    display_name: `Bench ${provider}`,
    connection_id: null,
    sender_status: 'online',
    is_shared_trial: 0 as const,
    is_dedicated: 1 as const,
    created_at: now,
  });
  await ctx.db
    .insertInto('numbers')
    .values([
      number('num_bench_twilio', 'twilio', BENCH_NUMBERS.twilioPhone, BENCH_NUMBERS.twilioSid),
      number('num_bench_meta', 'meta', BENCH_NUMBERS.metaPhone, BENCH_NUMBERS.metaPhoneNumberId),
      number('num_bench_whapi', 'whapi', BENCH_NUMBERS.whapiPhone, BENCH_NUMBERS.whapiChannelId),
    ])
    .onConflict((oc) => oc.doNothing())
    .execute();
  return organizationId;
}

async function startProduct(): Promise<Started> {
  const ctx = await createContext(loadConfig());
  const organizationId = await seedOrganization(ctx);
  const server = await startServer(ctx);
  return {
    report: { url: server.url, organizationId },
    broadcast: async (sessionIds, marker) => {
      const started = performance.now();
      for (const id of sessionIds) await ctx.bus.publish({ channel: `session:${id}`, type: 'status', data: { marker } });
      return performance.now() - started;
    },
    stop: async () => {
      await server.stop();
    },
  };
}

const mode = process.argv[2];
const started = mode === 'bare' ? await startBare() : mode === 'anchor' ? await startAnchor(process.argv[3]!) : await startProduct();
process.on('message', (message: 'probe' | { broadcast: string[]; marker: string }) => {
  if (message === 'probe') {
    // Garbage left by earlier work is collected first (twice: the first pass may only schedule
    // finalizers), so memory figures count what is alive.
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    process.send!({ probe: probe() });
  } else if (typeof message === 'object' && started.broadcast) {
    void started.broadcast(message.broadcast, message.marker).then((ms) => process.send!({ broadcasted: ms }));
  }
});
// The parent going away ends this process, after the server closes its database cleanly.
process.on('disconnect', () => void started.stop().finally(() => process.exit(0)));
process.send!({ ready: started.report });
