// A provider outage (SPEC §11): the fake Twilio answers 500, then 429 with Retry-After, for a
// while. Every accepted message is sent once the provider recovers, after retries that back off
// (the first three within 15 s, growing after) and never earlier than Retry-After asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/services/context.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { enqueueSend, SEND_JOB } from '../../../src/services/outbound/send.js';
import { setSendRate } from '../../../src/services/outbound/send-rate.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { type FakeTwilio, startFakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';

const MESSAGES = 20;
let twilio: FakeTwilio;
let ctx: AppContext & { clock: ManualClock };

beforeAll(async () => {
  twilio = await startFakeTwilio();
  ctx = await makeTestContext({
    env: { ...twilioPlatformEnv(twilio), TWILIO_PHONE_NUMBER: '+14155550100' },
  });
  // The per-number pace is not under test here.
  setSendRate(ctx, 10_000);
});

afterAll(async () => {
  await ctx.database.close();
  await twilio.close();
});

/** One failed attempt of a send job: what the provider answered and how long the job then waits. */
interface Retry {
  job: number;
  attempt: number;
  answer: number;
  waitMs: number;
}

const sendsSoFar = () => twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
/** The fake's scripted answers, in request order: 40 × 500, 30 × 429, then 201. */
const answerOf = (index: number) => (index < 40 ? 500 : index < 70 ? 429 : 201);

/** The retries the last round scheduled, read from the job rows and the fake's request log. */
async function retriesOf(seen: Map<number, number>): Promise<Retry[]> {
  const rows = await ctx.db.selectFrom('jobs').select(['id', 'attempts', 'run_at', 'status', 'payload']).where('kind', '=', SEND_JOB).execute();
  const sends = sendsSoFar();
  const now = ctx.clock.now().getTime();
  const retries: Retry[] = [];
  for (const row of rows) {
    if (row.attempts === (seen.get(row.id) ?? 0)) continue;
    seen.set(row.id, row.attempts);
    if (row.status !== 'pending') continue;
    const text = (JSON.parse(row.payload) as { text: string }).text;
    const last = sends.findLastIndex((r) => r.body.Body === text);
    retries.push({ job: row.id, attempt: row.attempts, answer: answerOf(last), waitMs: Date.parse(row.run_at) - now });
  }
  return retries;
}

describe('provider outage', () => {
  it('sends every message after the provider recovers, backing off and honouring Retry-After', async () => {
    const organization = await makeOrganization(ctx, { plan: 'business' });
    const number = await makeNumber(ctx, {
      organization_id: organization.id,
      provider: 'twilio',
      phone_number: '+14155550177',
      provider_id: `PN${'7'.repeat(32)}`,
    });
    for (let i = 0; i < MESSAGES; i++) {
      const to = `+44794600${String(1000 + i)}`;
      await openServiceWindow(ctx, number.id, to);
      await enqueueSend(ctx, { organizationId: organization.id, numberId: number.id, to, text: `Your table for ${i} is ready`, author: 'bot' });
    }
    // The outage: 40 answers of 500, then 30 of 429 asking to wait 30 s, then recovery.
    twilio.failNext(40, { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } }, '/Messages.json');
    twilio.failNext(30, { status: 429, headers: { 'retry-after': '30' }, body: { code: 20429, message: 'Too Many Requests', status: 429 } }, '/Messages.json');

    const retries: Retry[] = [];
    const seen = new Map<number, number>();
    // Bounded: every round runs at least the earliest due job.
    for (let round = 0; round < 500; round++) {
      await drainJobs(ctx);
      retries.push(...(await retriesOf(seen)));
      const due = await ctx.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.min('run_at').as('next'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (!due?.next) break;
      // Move time to the next retry that is due; no real waiting.
      ctx.clock.set(new Date(due.next as string));
    }

    // Everything went out, once.
    const sends = sendsSoFar();
    expect(sends).toHaveLength(MESSAGES + 70);
    expect(twilio.messages.size).toBe(MESSAGES);
    expect(new Set([...twilio.messages.values()].map((m) => m.body)).size).toBe(MESSAGES);
    const messages = await ctx.db.selectFrom('messages').select(['send_success', 'send_error', 'provider_message_id']).execute();
    expect(messages).toHaveLength(MESSAGES);
    expect(messages.every((m) => m.send_success === 1 && m.send_error === null && m.provider_message_id)).toBe(true);

    // 500s back off exponentially with jitter: retry n waits 0.8–1 × 1 s × 3^(n-1),
    // so the first three retries together stay within 13 s.
    const serverErrors = retries.filter((r) => r.answer === 500);
    expect(serverErrors).toHaveLength(40);
    for (const r of serverErrors) {
      const full = 1000 * 3 ** (r.attempt - 1);
      expect(r.waitMs, `job ${r.job} attempt ${r.attempt}`).toBeGreaterThanOrEqual(0.8 * full - 1);
      expect(r.waitMs, `job ${r.job} attempt ${r.attempt}`).toBeLessThanOrEqual(full);
    }
    expect(Math.max(...serverErrors.map((r) => r.attempt))).toBeGreaterThanOrEqual(2);
    // A 429 waits at least what its Retry-After asked.
    const throttled = retries.filter((r) => r.answer === 429);
    expect(throttled).toHaveLength(30);
    for (const r of throttled) expect(r.waitMs, `job ${r.job} attempt ${r.attempt}`).toBeGreaterThanOrEqual(30_000);
  }, 60_000);
});
