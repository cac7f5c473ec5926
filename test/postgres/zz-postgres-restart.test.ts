// PostgreSQL restarts under a running server: it recovers by itself — /readyz turns 200 again,
// webhooks are stored, the jobs worker sends replies, and the live-event listener reconnects.
// This restarts the whole PostgreSQL server, so it stays short and sits in its own file, named to
// sort last.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createContext } from '../../src/server.js';
import type { AppContext } from '../../src/services/context.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { freshPostgresDatabase } from '../support/context.js';
import { waitFor } from '../support/wait.js';
import { type Instance, inboundWebhook, postWebhook, seedTwilioOrganization, sharedEnv, startInstance, TWILIO_ACCOUNT } from '../support/instances.js';

let database: { url: string; drop: () => Promise<void> };
let twilio: FakeTwilio;
let ctx: AppContext | undefined;
let instance: Instance | undefined;

beforeAll(async () => {
  database = await freshPostgresDatabase();
  twilio = await startFakeTwilio({ accountSid: TWILIO_ACCOUNT.sid, authToken: TWILIO_ACCOUNT.token });
  ctx = await createContext(testConfig({ DATABASE_URL: database.url, ENCRYPTION_KEY: '33'.repeat(32), WORKER: '0' }), { log: createLogger('silent') });
});

afterAll(async () => {
  await instance?.stop();
  await ctx?.bus.close();
  await ctx?.database.close();
  await twilio?.close();
  await database?.drop();
});

function restartPostgres(): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'restart'], { stdio: 'ignore', timeout: 60_000 });
}

async function listeners(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const result = await client.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and query = 'LISTEN switchboard_live'`,
    );
    return result.rows[0].n as number;
  } catch {
    return 0;
  } finally {
    await client.end();
  }
}

const ready = async (url: string) => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;

describe('a PostgreSQL restart', () => {
  it('is survived without a restart of the server', async () => {
    const { phones } = await seedTwilioOrganization(ctx!, 1);
    // The test's own connections would die in the restart; they are not under test.
    await ctx!.bus.close();
    await ctx!.database.close();
    ctx = undefined;
    instance = await startInstance(sharedEnv(database.url, twilio.url, { WORKER: '1' }));
    expect(await postWebhook(instance.url, inboundWebhook(1, phones[0]!))).toBe(200);
    expect(await ready(instance.url)).toBe(true);
    expect(await listeners()).toBe(1);

    // Several restarts, each just after a webhook: a job finishing or a statement running as the
    // server goes away must never end the process.
    for (let round = 1; round <= 3; round++) {
      expect(await postWebhook(instance.url, inboundWebhook(100 + round, phones[0]!))).toBe(200);
      restartPostgres();
      await waitFor(() => ready(instance!.url), { timeoutMs: 60_000, what: `/readyz to answer 200 after restart ${round}` }).catch((err: Error) => {
        throw new Error(`${err.message}; the server's last lines:\n${instance!.output.slice(-30).join('\n')}`);
      });
    }
    restartPostgres();

    // Recovers by itself: ready again, and webhooks are stored again (a provider retries those
    // that failed while the database was away).
    await waitFor(() => ready(instance!.url), { timeoutMs: 60_000, what: '/readyz to answer 200' }).catch((err: Error) => {
      throw new Error(`${err.message}; the server's last lines:\n${instance!.output.slice(-30).join('\n')}`);
    });
    await waitFor(async () => (await postWebhook(instance!.url, inboundWebhook(2, phones[0]!))) === 200, { timeoutMs: 60_000, what: 'a webhook to be stored' });
    for (let n = 3; n <= 5; n++) expect(await postWebhook(instance.url, inboundWebhook(n, phones[0]!))).toBe(200);
    await waitFor(async () => (await listeners()) === 1, { timeoutMs: 30_000, what: 'the live-event listener to reconnect' });

    // Each of the eight customers (five here, three in the restarts above) gets a reply: the worker
    // came back too, and no reply was lost or doubled by a job cut short.
    const replies = () => new Set(twilio.requests.filter((r) => r.path.endsWith('/Messages.json')).map((r) => r.body.To));
    await waitFor(() => replies().size === 8, { timeoutMs: 60_000, what: 'eight replies' });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const stored = await client.query(`select count(*)::int as n from messages where direction = 'in'`);
    await client.end();
    expect(stored.rows[0].n).toBe(8);
  }, 180_000);
});
