// Two server processes on one PostgreSQL, as behind a load balancer (SPEC §2 production):
// a live event crosses instances, and outbound jobs claimed by both are each sent exactly once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/server.js';
import { testConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { AppContext } from '../../src/services/context.js';
import { DEMO_BUSINESS } from '../../src/services/platform/demo.js';
import { enqueueSend } from '../../src/services/outbound/send.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { freshPostgresDatabase } from '../support/context.js';
import { waitFor } from '../support/wait.js';
import { type Instance, openEventStream, TWILIO_ACCOUNT, seedTwilioOrganization, sharedEnv, startInstance } from '../support/instances.js';

let database: { url: string; drop: () => Promise<void> };
let twilio: FakeTwilio;
const instances: Instance[] = [];
let ctx: AppContext;

async function start(env: Record<string, string>): Promise<Instance> {
  const instance = await startInstance(sharedEnv(database.url, twilio.url, env));
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  database = await freshPostgresDatabase();
  twilio = await startFakeTwilio({ accountSid: TWILIO_ACCOUNT.sid, authToken: TWILIO_ACCOUNT.token });
  // The test's own handle on the database: it migrates, seeds and reads, and runs no worker.
  ctx = await createContext(testConfig({ DATABASE_URL: database.url, ENCRYPTION_KEY: '33'.repeat(32), WORKER: '0' }), { log: createLogger('silent') });
});

afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.stop()));
});

afterAll(async () => {
  await ctx?.bus.close();
  await ctx?.database.close();
  await twilio?.close();
  await database?.drop();
});

/** Jobs of a kind an instance finished, from its log lines (one JSON line per job). */
function jobsDoneBy(instance: Instance, kind: string): number {
  return instance.lines.filter((line) => line.includes('"job done"') && line.includes(`"kind":"${kind}"`)).length;
}

/** A failure message carries what the instances logged last. */
async function withOutput(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const logs = instances.map((i, n) => `--- instance ${n}\n${i.output.slice(-15).join('\n')}`).join('\n');
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

describe('several instances on one PostgreSQL', () => {
  it('delivers the agent reply that reached instance B to the visitor connected to instance A', async () => {
    // A serves the visitor and runs no jobs, so B's worker is the one that routes the reply.
    const a = await start({ SIMULATOR: '1', DEMO: '1', WORKER: '0', INSTANCE_ID: 'a' });
    const b = await start({ SIMULATOR: '1', DEMO: '1', WORKER: '1', INSTANCE_ID: 'b' });
    const widget = await ctx.db.selectFrom('widgets').select(['public_key']).executeTakeFirstOrThrow();
    const agentNumber = DEMO_BUSINESS.agents[0]!.number;

    // The agents wrote to the business numbers recently: their 24-hour windows are open.
    const numbers = await ctx.db.selectFrom('numbers').select('id').execute();
    const now = ctx.clock.now().toISOString();
    await ctx.db
      .insertInto('service_windows')
      .values(numbers.map((n) => ({ number_id: n.id, contact_address: agentNumber, last_inbound_at: now })))
      .onConflict((oc) => oc.columns(['number_id', 'contact_address']).doUpdateSet({ last_inbound_at: now }))
      .execute();

    const session = (await (
      await fetch(`${a.url}/api/widget/${widget.public_key}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ visitorName: 'Ana Lima' }),
      })
    ).json()) as { sessionId: string; token: string };
    const auth = { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' };
    const stream = await openEventStream(`${a.url}/api/widget/sessions/${session.sessionId}/events?token=${session.token}`);
    try {
      const sent = await fetch(`${a.url}/api/widget/sessions/${session.sessionId}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ text: 'Can a person help me with a booking?' }),
      });
      expect(sent.status).toBe(201);
      const handover = await fetch(`${a.url}/api/widget/sessions/${session.sessionId}/handover`, { method: 'POST', headers: auth, body: '{}' });
      expect(handover.status, await handover.clone().text()).toBe(200);
      const { conversationRef, assignedWhatsappNumber } = (await handover.json()) as { conversationRef: string | number; assignedWhatsappNumber: string };
      const ref = String(conversationRef).replace(/^#/, '');

      const webhook = await fetch(`${b.url}/api/webhooks/sim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'sim_agent_reply_1',
          from: agentNumber,
          to: assignedWhatsappNumber,
          text: `#${ref}: Hello Ana, this is Maya from instance B`,
        }),
      });
      expect(webhook.status).toBe(200);

      await waitFor(() => stream.events.some((e) => e.event === 'message' && e.data.author === 'agent'), { what: 'the agent reply on instance A' });
      const reply = stream.events.find((e) => e.event === 'message' && e.data.author === 'agent')!;
      expect(reply.data.text).toBe('Hello Ana, this is Maya from instance B');
      // A runs no jobs: the reply was routed and published by B, and crossed over NOTIFY. The job's
      // "done" line is logged just after the reply is published: wait for it.
      await waitFor(() => jobsDoneBy(b, 'inbound.react') > 0, { what: "instance B's log of the reaction job" });
      expect(jobsDoneBy(a, 'inbound.react')).toBe(0);
    } finally {
      stream.close();
    }
  }, 60_000);

  it('sends 1,000 outbound messages claimed by both instances, each exactly once', async () => {
    const { organizationId, numberIds } = await seedTwilioOrganization(ctx, 10);
    const now = ctx.clock.now().toISOString();
    const recipients = Array.from({ length: 1000 }, (_, i) => `+4479460${String(10000 + i)}`);
    await ctx.db
      .insertInto('service_windows')
      .values(recipients.map((to, i) => ({ number_id: numberIds[i % 10]!, contact_address: to, last_inbound_at: now })))
      .execute();
    for (let i = 0; i < 1000; i += 20) {
      await Promise.all(
        recipients.slice(i, i + 20).map((to, k) =>
          enqueueSend(ctx, {
            organizationId,
            numberId: numberIds[(i + k) % 10]!,
            to,
            text: `Your order ${i + k} has shipped`,
            author: 'system',
            idempotencyKey: `bulk-${i + k}`,
          }),
        ),
      );
    }
    twilio.reset();

    const [a, b] = await Promise.all([start({ WORKER: '1', INSTANCE_ID: 'a' }), start({ WORKER: '1', INSTANCE_ID: 'b' })]);
    // A message handed to Twilio keeps Twilio's `queued` status; the provider's id shows it went.
    const unsent = () =>
      ctx.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('idempotency_key', 'like', 'bulk-%')
        .where('provider_message_id', 'is', null)
        .executeTakeFirstOrThrow();
    await withOutput(() => waitFor(async () => Number((await unsent()).n) === 0, { timeoutMs: 240_000, what: '1,000 messages to leave the queue' }));

    const sends = twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    const bodies = sends.map((r) => r.body.Body as string);
    expect(sends).toHaveLength(1000);
    expect(new Set(bodies).size).toBe(1000);
    for (let i = 0; i < 1000; i += 97) expect(bodies).toContain(`Your order ${i} has shipped`);
    const outcomes = await ctx.db.selectFrom('messages').select(['send_success', 'provider_message_id']).where('idempotency_key', 'like', 'bulk-%').execute();
    expect(outcomes.filter((m) => m.send_success === 1)).toHaveLength(1000);
    expect(new Set(outcomes.map((m) => m.provider_message_id)).size).toBe(1000);
    expect(new Set(sends.map((r) => r.body.Body)).size).toBe(twilio.messages.size);
    // A job is marked done (and logged) just after its send stores the provider id: wait for the last lines.
    const doneByBoth = () => jobsDoneBy(a, 'outbound.send') + jobsDoneBy(b, 'outbound.send');
    await withOutput(() => waitFor(() => doneByBoth() >= 1000, { timeoutMs: 20_000, what: 'every send job to be logged done' }));
    // Both instances took part.
    expect(jobsDoneBy(a, 'outbound.send')).toBeGreaterThan(0);
    expect(jobsDoneBy(b, 'outbound.send')).toBeGreaterThan(0);
    expect(jobsDoneBy(a, 'outbound.send') + jobsDoneBy(b, 'outbound.send')).toBe(1000);
  }, 300_000);
});
