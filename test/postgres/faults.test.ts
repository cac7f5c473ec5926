// A server killed with SIGKILL in the middle of 1,000 webhooks loses nothing it acknowledged:
// after a restart every webhook answered 200 is stored, and every customer gets one reply.
//
// The killed process runs no job worker, so the kill lands on the webhook path (verify → store →
// enqueue → 200). Kills during a provider call are test/crash/kill-9.test.ts's: there a re-run asks the
// provider whether the cut-short send arrived before sending it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createContext } from '../../src/server.js';
import type { AppContext } from '../../src/services/context.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { freshPostgresDatabase } from '../support/context.js';
import { waitFor } from '../support/wait.js';
import {
  type Instance,
  inboundWebhook,
  postWebhook,
  seedTwilioOrganization,
  sharedEnv,
  startInstance,
  TWILIO_ACCOUNT,
  unfinishedJobs,
} from '../support/instances.js';

const WEBHOOKS = 1000;

let database: { url: string; drop: () => Promise<void> };
let twilio: FakeTwilio;
let ctx: AppContext;
const running: Instance[] = [];

beforeAll(async () => {
  database = await freshPostgresDatabase();
  twilio = await startFakeTwilio({ accountSid: TWILIO_ACCOUNT.sid, authToken: TWILIO_ACCOUNT.token });
  ctx = await createContext(testConfig({ DATABASE_URL: database.url, ENCRYPTION_KEY: '33'.repeat(32), WORKER: '0' }), { log: createLogger('silent') });
});

afterAll(async () => {
  await Promise.all(running.map((i) => i.stop()));
  await ctx?.bus.close();
  await ctx?.database.close();
  await twilio?.close();
  await database?.drop();
});

describe('kill -9 under webhook load', () => {
  it('keeps every acknowledged webhook and replies to each customer exactly once after a restart', async () => {
    // Two organizations, so 2,000 messages stay inside each one's monthly plan.
    const destinations = [(await seedTwilioOrganization(ctx, 1, 0)).phones[0]!, (await seedTwilioOrganization(ctx, 1, 1)).phones[0]!];
    const webhooks = Array.from({ length: WEBHOOKS }, (_, n) => inboundWebhook(n, destinations[n % 2]!));
    const env = sharedEnv(database.url, twilio.url);

    const first = await startInstance({ ...env, WORKER: '0' });
    running.push(first);
    const answers = new Map<number, number | 'no answer'>();
    let next = 0;
    let killed: Promise<void> | undefined;
    // 16 senders at a time; the process is killed once 300 webhooks have been acknowledged.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < WEBHOOKS) {
          const n = next++;
          answers.set(n, await postWebhook(first.url, webhooks[n]!));
          if (!killed && [...answers.values()].filter((s) => s === 200).length >= 300) killed = first.kill();
        }
      }),
    );
    await killed;
    const acknowledged = [...answers].filter(([, status]) => status === 200).map(([n]) => n);
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(acknowledged.length).toBeLessThan(WEBHOOKS); // the kill really cut the load short

    // Every acknowledged webhook is in the database.
    const stored = new Set(
      (await ctx.db.selectFrom('messages').select('provider_message_id').where('direction', '=', 'in').execute()).map((m) => m.provider_message_id),
    );
    for (const n of acknowledged) expect(stored.has(`SM${n.toString(16).padStart(32, '0')}`), `webhook ${n}`).toBe(true);

    // Restart with the worker on; Twilio retries what it never got an answer for, and a few it did.
    const second = await startInstance({ ...env, WORKER: '1' });
    running.push(second);
    const unanswered = [...answers].filter(([, status]) => status !== 200).map(([n]) => n);
    const retried = [...unanswered, ...Array.from({ length: WEBHOOKS - answers.size }, (_, i) => answers.size + i), ...acknowledged.slice(0, 50)];
    for (const n of retried) expect(await postWebhook(second.url, webhooks[n]!)).toBe(200);

    const replies = () => twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    await waitFor(() => replies().length >= WEBHOOKS, { timeoutMs: 240_000, what: `${WEBHOOKS} replies` });
    // Let any straggling duplicate show itself before counting.
    await waitFor(async () => (await unfinishedJobs(ctx)) === 0, { timeoutMs: 60_000, what: 'the job queue to empty' });

    const perCustomer = new Map<string, number>();
    for (const r of replies()) perCustomer.set(r.body.To, (perCustomer.get(r.body.To) ?? 0) + 1);
    expect(perCustomer.size).toBe(WEBHOOKS);
    expect([...perCustomer.values()].every((count) => count === 1)).toBe(true);
    const inbound = await ctx.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('direction', '=', 'in')
      .executeTakeFirstOrThrow();
    expect(Number(inbound.n)).toBe(WEBHOOKS);
  }, 360_000);
});
