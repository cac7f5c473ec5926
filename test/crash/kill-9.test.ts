// kill -9 while replies are being sent (SPEC §11): the real server on a SQLite file, 500 customers
// writing in over signed Twilio webhooks, the process SIGKILLed at random moments and restarted on
// the same file until every customer has a reply. Counted at the fake Twilio: no customer without
// a reply, none with two. The fake answers each send 30 ms after it stored it, so a kill often
// lands after Twilio accepted a reply and before the server heard so — the case a re-run must not
// send again. CRASH_RUNS sets how many runs (default 3; `CRASH_RUNS=20 npm run test:crash` measures).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/services/context.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
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
import { makeTestContext } from '../support/context.js';

const CUSTOMERS = 500;
const RUNS = Number(process.env.CRASH_RUNS ?? 3);
/** kills per run; the run's last start is left to finish */
const KILLS = 3;
/** business numbers the customers write to: sends are rate limited per number (20/s) */
const NUMBERS = 10;

const folders: string[] = [];
const alive: Instance[] = [];
afterAll(async () => {
  await Promise.all(alive.map((i) => i.kill()));
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult {
  lost: number;
  doubled: number;
  kills: number;
  /** re-runs that found their reply already at Twilio and did not send it again */
  confirmed: number;
}

async function oneRun(run: number): Promise<RunResult> {
  const folder = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  folders.push(folder);
  const databaseUrl = `sqlite:${join(folder, 'switchboard.db')}`;
  const twilio: FakeTwilio = await startFakeTwilio({ accountSid: TWILIO_ACCOUNT.sid, authToken: TWILIO_ACCOUNT.token, answerDelayMs: 30 });
  // The test's own connection: seeds the organization, then watches the queue (WAL: reads beside the server's writes).
  const ctx: AppContext = await makeTestContext({ databaseUrl, env: { ENCRYPTION_KEY: '33'.repeat(32), WORKER: '0' } });
  try {
    const { phones } = await seedTwilioOrganization(ctx, NUMBERS);
    const webhooks = Array.from({ length: CUSTOMERS }, (_, n) => inboundWebhook(n, phones[n % NUMBERS]!));
    const env = sharedEnv(databaseUrl, twilio.url, { WORKER: '1' });

    // Twilio posts a webhook again until it is answered 200.
    const acknowledged = new Set<number>();
    const posting = new Set<number>();
    const postAll = async (url: string, stop: () => boolean) => {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (!stop()) {
            const n = webhooks.findIndex((_, i) => !acknowledged.has(i) && !posting.has(i));
            if (n === -1) return;
            posting.add(n);
            if ((await postWebhook(url, webhooks[n]!)) === 200) acknowledged.add(n);
            posting.delete(n);
          }
        }),
      );
    };

    const logs: string[][] = [];
    for (let life = 0; life < KILLS; life++) {
      const instance = await startInstance(env);
      logs.push(instance.lines);
      alive.push(instance);
      let killed = false;
      const load = postAll(instance.url, () => killed);
      // In the middle of the replies: after a random number more have reached Twilio (or 8 s), and
      // a random few milliseconds more, so the kill lands anywhere in a send.
      const target = twilio.messages.size + 1 + Math.floor(Math.random() * 120);
      const until = Date.now() + 8_000;
      while (twilio.messages.size < target && Date.now() < until) await sleep(5);
      await sleep(Math.random() * 40);
      killed = true;
      await instance.kill();
      alive.splice(alive.indexOf(instance), 1);
      await load;
    }

    const last = await startInstance(env);
    logs.push(last.lines);
    alive.push(last);
    await postAll(last.url, () => false);
    const replies = () => {
      const perCustomer = new Map<string, number>();
      for (const m of twilio.messages.values()) perCustomer.set(m.to as string, (perCustomer.get(m.to as string) ?? 0) + 1);
      return perCustomer;
    };
    const queueEmpty = async () => (await unfinishedJobs(ctx)) === 0;
    // Every customer answered and nothing left to run (a re-run still deciding could yet send twice).
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && !(replies().size === CUSTOMERS && (await queueEmpty()))) await sleep(100);
    await last.stop();
    alive.splice(alive.indexOf(last), 1);

    const counts = [...replies().values()];
    const confirmed = logs.flat().filter((line) => line.includes('had reached the provider')).length;
    const result = { lost: CUSTOMERS - counts.length, doubled: counts.filter((c) => c > 1).length, kills: KILLS, confirmed };
    // A reply the server never heard Twilio accept: its row has no Twilio id.
    const stuck = await ctx.db.selectFrom('messages').select('id').where('direction', '=', 'out').where('provider_message_id', 'is', null).execute();
    for (const [to, count] of replies()) {
      if (count < 2) continue;
      const rows = await ctx.db.selectFrom('messages').selectAll().where('to_address', '=', to.replace('whatsapp:', '')).execute();
      console.log(JSON.stringify({ to, sent: [...twilio.messages.values()].filter((m) => m.to === to), rows }));
    }
    console.log(
      `run ${run + 1}: ${acknowledged.size} webhooks acknowledged, ${twilio.messages.size} replies sent, lost ${result.lost}, doubled ${result.doubled}, not sent again ${confirmed}, without a Twilio id ${stuck.length}`,
    );
    return result;
  } finally {
    await ctx.database.close();
    await twilio.close();
  }
}

describe('kill -9 during replies, on SQLite', () => {
  it(
    `replies to each of ${CUSTOMERS} customers exactly once across ${KILLS} kills a run, ${RUNS} runs`,
    async () => {
      const results: RunResult[] = [];
      for (let run = 0; run < RUNS; run++) results.push(await oneRun(run));
      const lost = results.reduce((sum, r) => sum + r.lost, 0);
      const doubled = results.reduce((sum, r) => sum + r.doubled, 0);
      const confirmed = results.reduce((sum, r) => sum + r.confirmed, 0);
      console.log(
        `${RUNS} runs, ${RUNS * KILLS} kills, ${RUNS * CUSTOMERS} customers: lost ${lost}, doubled ${doubled}; ${confirmed} sends cut short found at Twilio`,
      );
      expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    },
    60_000 + RUNS * 150_000,
  );
});
