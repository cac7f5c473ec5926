// Leases of running jobs on PostgreSQL: an instance restarted under its INSTANCE_ID takes back at
// once what its killed earlier life left running (and only then), a lease is renewed while its job
// runs, a dead instance's jobs return after the short lease, and a run whose lease was taken never
// records its outcome. Claims read the queue through its indexes.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { claimJobs, enqueueJob, type JobHandlers, startJobWorker } from '../../src/jobs/queue.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';

interface TestPayloads {
  'test.reply': { n: number };
  'test.long': { n: number };
}
const runs: Array<{ n: number; instance: string; attempt: number }> = [];
let openGate: () => void = () => {};
let gate = new Promise<void>((resolve) => (openGate = resolve));
const testJobs: JobHandlers<TestPayloads> = {
  'test.reply': (ctx, payload, attempt) => {
    runs.push({ n: payload.n, instance: ctx.config.instanceId, attempt: attempt.attempt });
  },
  'test.long': async (ctx, payload, attempt) => {
    runs.push({ n: payload.n, instance: ctx.config.instanceId, attempt: attempt.attempt });
    await gate;
  },
};

let database: { url: string; drop: () => Promise<void> };
let clock: ManualClock;
const contexts: Array<Awaited<ReturnType<typeof makeTestContext>>> = [];
const workers: Array<ReturnType<typeof startJobWorker>> = [];

/** A process of the instance named `id` (or the default name, the pid, when undefined). */
async function instance(id: string | undefined) {
  const ctx = await makeTestContext({ databaseUrl: database.url, clock, jobs: testJobs, env: id === undefined ? {} : { INSTANCE_ID: id } });
  contexts.push(ctx);
  return ctx;
}

function work(ctx: Awaited<ReturnType<typeof instance>>, options: { leaseMs?: number } = {}) {
  const worker = startJobWorker(ctx, { pollMs: 20, ...options });
  workers.push(worker);
  return worker;
}

const enqueue = (ctx: Awaited<ReturnType<typeof instance>>, kind: keyof TestPayloads, n: number) =>
  enqueueJob<TestPayloads>(ctx, { kind, payload: { n } }) as Promise<number>;

beforeAll(async () => {
  database = await freshPostgresDatabase();
});
afterEach(async () => {
  openGate();
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  for (const ctx of contexts.splice(0)) await ctx.database.close();
  runs.length = 0;
  gate = new Promise<void>((resolve) => (openGate = resolve));
  clock = new ManualClock();
  const cleanup = await instance('cleanup');
  await cleanup.db.deleteFrom('jobs').execute();
});
afterAll(async () => {
  for (const ctx of contexts.splice(0)) await ctx.database.close();
  await database.drop();
});
clock = new ManualClock();

const jobRow = (ctx: Awaited<ReturnType<typeof instance>>, id: number) =>
  ctx.db.selectFrom('jobs').select(['status', 'locked_by', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();

describe('an instance restarted under its INSTANCE_ID', () => {
  it('takes back at once the jobs its killed earlier life held, and no other instance’s', async () => {
    const earlier = await instance('web-1');
    const other = await instance('web-2');
    const mine = [await enqueue(earlier, 'test.reply', 1), await enqueue(earlier, 'test.reply', 2)];
    expect((await claimJobs(earlier, 2)).map((j) => j.id)).toEqual(mine);
    const theirs = await enqueue(other, 'test.reply', 3);
    expect((await claimJobs(other, 1)).map((j) => j.id)).toEqual([theirs]);
    // web-1 is killed: its connections close, its jobs stay `running` under its name.
    await earlier.database.close();
    contexts.splice(contexts.indexOf(earlier), 1);

    // No time passes on the clock: the lease has not run out, the restart alone gives them back.
    const restarted = await instance('web-1');
    work(restarted);
    await waitFor(async () => runs.length === 2, { what: 'the two jobs of the earlier life to run again' });
    for (const id of mine) await waitFor(async () => (await jobRow(restarted, id)).status === 'done', { what: `job ${id} done` });
    expect(runs.map((r) => [r.n, r.instance, r.attempt]).sort()).toEqual([
      [1, 'web-1', 2],
      [2, 'web-1', 2],
    ]);
    expect(await jobRow(restarted, theirs)).toEqual({ status: 'running', locked_by: 'web-2', attempts: 1 });
  });

  it('takes back nothing while another live process runs under the same INSTANCE_ID', async () => {
    const live = await instance('web-1');
    const id = await enqueue(live, 'test.long', 1);
    work(live);
    await waitFor(() => runs.length === 1, { what: 'the live instance to start the job' });

    const twin = await instance('web-1');
    work(twin);
    await waitFor(async () => (await twin.db.selectFrom('jobs').select('id').executeTakeFirst()) !== undefined, { what: 'the twin to read' });
    // The twin had time to take back (a restart does so before its first claim): nothing moved.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await jobRow(twin, id)).toEqual({ status: 'running', locked_by: 'web-1', attempts: 1 });
    openGate();
    await waitFor(async () => (await jobRow(twin, id)).status === 'done', { what: 'the job done by the live instance' });
    expect(runs).toHaveLength(1);
  });

  it('takes back nothing under the default name, the process id, which other containers share', async () => {
    const earlier = await instance(undefined);
    const id = await enqueue(earlier, 'test.reply', 1);
    await claimJobs(earlier, 1);
    const next = await instance(undefined);
    expect(next.config.instanceId).toBe(earlier.config.instanceId);
    work(next);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await jobRow(next, id)).toMatchObject({ status: 'running', attempts: 1 });
    expect(runs).toHaveLength(0);
  });
});

describe('leases', () => {
  it('come back after the short lease (30 s by default) when their instance died for good', async () => {
    const dead = await instance('web-1');
    const survivor = await instance('web-2');
    expect(survivor.config.jobLeaseMs).toBe(30_000);
    const id = await enqueue(dead, 'test.reply', 1);
    await claimJobs(dead, 1);
    clock.advance(29_000);
    expect(await claimJobs(survivor, 5)).toHaveLength(0);
    clock.advance(1_001);
    expect((await claimJobs(survivor, 5)).map((j) => j.id)).toEqual([id]);
    expect(await jobRow(survivor, id)).toEqual({ status: 'running', locked_by: 'web-2', attempts: 2 });
  });

  it('are renewed while the job runs, so a long job is not taken by another instance', async () => {
    const runner = await instance('web-1');
    const other = await instance('web-2');
    const id = await enqueue(runner, 'test.long', 1);
    work(runner, { leaseMs: 600 });
    await waitFor(() => runs.length === 1, { what: 'the long job to start' });
    // Each beat moves the clock 400 ms and waits for the renewal; after the second, the claim is
    // older than the 600 ms lease and would be taken had it not been renewed.
    for (let beat = 0; beat < 4; beat++) {
      clock.advance(400);
      const renewedAt = clock.now().toISOString();
      await waitFor(
        async () => (await runner.db.selectFrom('jobs').select('locked_at').where('id', '=', id).executeTakeFirstOrThrow()).locked_at === renewedAt,
        { what: 'a renewal of the lease' },
      );
      expect(await claimJobs(other, 5, 600)).toHaveLength(0);
    }
    openGate();
    await waitFor(async () => (await jobRow(other, id)).status === 'done', { what: 'the long job done' });
    expect(runs).toEqual([{ n: 1, instance: 'web-1', attempt: 1 }]);
  });

  it('lost while a job runs: that run does not record its outcome, the job stays with the run that took it', async () => {
    const runner = await instance('web-1');
    const other = await instance('web-2');
    const id = await enqueue(runner, 'test.long', 1);
    // web-1's lease as web-2 counts it (60 s); web-1's own is long so that only web-2 takes it back.
    work(runner, { leaseMs: 600_000 });
    await waitFor(() => runs.length === 1, { what: 'the long job to start' });
    // web-1 could not renew (its database link was down) and web-2 took the job after the lease.
    clock.advance(60_001);
    expect((await claimJobs(other, 1, 60_000)).map((j) => j.id)).toEqual([id]);
    openGate();
    await workers[0]!.stop();
    expect(await jobRow(other, id)).toEqual({ status: 'running', locked_by: 'web-2', attempts: 2 });
  });
});

describe('claiming', () => {
  it('reads due and expired jobs through their indexes, with no sort of the queue', async () => {
    const ctx = await instance('web-1');
    const now = clock.now().getTime();
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      kind: 'test.reply',
      payload: '{}',
      status: i % 10 === 0 ? 'done' : i % 3 === 0 ? 'running' : 'pending',
      run_at: new Date(now - i * 1000).toISOString(),
      locked_at: i % 3 === 0 ? new Date(now - i * 1000).toISOString() : null,
      attempts: 0,
      max_attempts: 5,
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 2000)
      await ctx.db
        .insertInto('jobs')
        .values(rows.slice(i, i + 2000))
        .execute();
    await sql`analyze jobs`.execute(ctx.db);
    const at = clock.now().toISOString();
    for (const select of [
      sql`select id from jobs where status = 'pending' and run_at <= ${at} order by run_at, id limit 8 for update skip locked`,
      sql`select id from jobs where status = 'running' and locked_at < ${at} order by locked_at limit 8 for update skip locked`,
    ]) {
      const plan = (await sql<{ 'QUERY PLAN': string }>`explain ${select}`.execute(ctx.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using jobs_(due|lease)_idx/);
      expect(plan).not.toMatch(/Sort/);
    }
  });
});
