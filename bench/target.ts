// A server under test, in its own process so its CPU time and memory are its own.
// `bare`: a bare Fastify JSON handler. `app`: the whole product (config from the environment),
// with one organization owning a Twilio and a Meta number. Reports its address over IPC and
// answers {cpu|mem} requests over IPC too.
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import { createContext, startServer } from '../src/server.js';
import type { AppContext } from '../src/services/context.js';
import { BENCH_NUMBERS } from './payloads.js';

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
    stop: () => server.stop(),
  };
}

const mode = process.argv[2];
const started = mode === 'bare' ? await startBare() : await startProduct();
process.on('message', (message: 'probe' | { broadcast: string[]; marker: string }) => {
  if (message === 'probe') {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    process.send!({ probe: probe() });
  } else if (typeof message === 'object' && started.broadcast) {
    void started.broadcast(message.broadcast, message.marker).then((ms) => process.send!({ broadcasted: ms }));
  }
});
// The parent going away ends this process, after the server closes its database cleanly.
process.on('disconnect', () => void started.stop().finally(() => process.exit(0)));
process.send!({ ready: started.report });
