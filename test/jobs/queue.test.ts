// Durable jobs: retries with backoff, permanent errors, the give-up day, abandoned jobs reclaimed
// at start-up (SQLite) or after their lease, delays that do not count as attempts, and a worker woken by an enqueue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, pastGiveUp, retryDelayMs } from '../../src/core/backoff.js';
import {
  claimJobs,
  DelayJob,
  drainJobs,
  enqueueJob,
  type JobHandlers,
  newJobRow,
  PermanentJobError,
  RetryableError,
  startJobWorker,
} from '../../src/jobs/queue.js';
import { makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
const runs: Array<{ kind: string; attempt: number; payload: unknown }> = [];
let failuresLeft = 0;
/** what `test.long` waits for */
let gate: Promise<void> = Promise.resolve();

// The queue's own kinds: the context of these tests runs this list instead of the app's.
interface TestPayloads {
  'test.flaky': { n?: number };
  'test.permanent': Record<string, never>;
  'test.slow-down': Record<string, never>;
  'test.ok': { n?: number; inTransaction?: boolean; woken?: boolean };
  'test.rate-limited': Record<string, never>;
  'test.long': Record<string, never>;
}
const testJobs: JobHandlers<TestPayloads> = {
  'test.flaky': (_ctx, payload, attempt) => {
    runs.push({ kind: 'test.flaky', attempt: attempt.attempt, payload });
    if (failuresLeft-- > 0) throw new RetryableError('the far side is down');
  },
  'test.permanent': (_ctx, payload, attempt) => {
    runs.push({ kind: 'test.permanent', attempt: attempt.attempt, payload });
    throw new PermanentJobError('this can never work');
  },
  'test.slow-down': (_ctx, payload, attempt) => {
    runs.push({ kind: 'test.slow-down', attempt: attempt.attempt, payload });
    if (runs.filter((r) => r.kind === 'test.slow-down').length === 1) throw new DelayJob(5_000);
  },
  'test.ok': (_ctx, payload, attempt) => {
    runs.push({ kind: 'test.ok', attempt: attempt.attempt, payload });
  },
  'test.rate-limited': () => {
    throw new RetryableError('429', 30_000);
  },
  'test.long': async () => {
    await gate;
  },
};
const enqueue = enqueueJob<TestPayloads>;

beforeEach(async () => {
  ctx = await makeTestContext({ jobs: testJobs });
  runs.length = 0;
  failuresLeft = 0;
});
afterEach(async () => {
  await ctx.database.close();
});

const job = (id: number) => ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('backoff', () => {
  it('puts the first three retries within 15 seconds and caps later ones', () => {
    for (const random of [0, 0.5, 0.999]) {
      const firstThree = [1, 2, 3].map((n) => retryDelayMs(n, () => random));
      expect(firstThree.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15_000);
      expect(firstThree[0]).toBeGreaterThan(0);
      expect(retryDelayMs(4, () => random)).toBeGreaterThan(firstThree[2]!);
      expect(retryDelayMs(30, () => random)).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
    }
  });

  it('gives up on retries scheduled more than a day after the job was created', () => {
    const created = new Date('2026-01-15T12:00:00Z');
    expect(pastGiveUp(created, new Date('2026-01-16T11:59:00Z'))).toBe(false);
    expect(pastGiveUp(created, new Date('2026-01-16T12:01:00Z'))).toBe(true);
  });
});

describe('running jobs', () => {
  it('retries a retryable failure after its backoff, not before', async () => {
    failuresLeft = 2;
    const id = (await enqueue(ctx, { kind: 'test.flaky', payload: { n: 1 } }))!;
    await drainJobs(ctx);
    expect(runs).toHaveLength(1);
    expect(await job(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'the far side is down' });
    await drainJobs(ctx);
    expect(runs).toHaveLength(1);
    ctx.clock.advance(1_000);
    await drainJobs(ctx);
    ctx.clock.advance(3_000);
    await drainJobs(ctx);
    expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('respects a Retry-After longer than the backoff', async () => {
    const id = (await enqueue(ctx, { kind: 'test.rate-limited', payload: {} }))!;
    await drainJobs(ctx);
    expect(Date.parse((await job(id)).run_at) - ctx.clock.now().getTime()).toBe(30_000);
  });

  it('does not retry a permanent error', async () => {
    const id = (await enqueue(ctx, { kind: 'test.permanent', payload: {} }))!;
    await drainJobs(ctx);
    ctx.clock.advance(24 * 3600_000);
    await drainJobs(ctx);
    expect(runs).toHaveLength(1);
    expect(await job(id)).toMatchObject({ status: 'failed', last_error: 'this can never work' });
  });

  it('stops after the last attempt', async () => {
    failuresLeft = 100;
    const id = (await enqueue(ctx, { kind: 'test.flaky', payload: {}, maxAttempts: 2 }))!;
    await drainJobs(ctx);
    ctx.clock.advance(3_600_000);
    await drainJobs(ctx);
    ctx.clock.advance(3_600_000);
    await drainJobs(ctx);
    expect(runs).toHaveLength(2);
    expect(await job(id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('delays without counting an attempt', async () => {
    const id = (await enqueue(ctx, { kind: 'test.slow-down', payload: {} }))!;
    await drainJobs(ctx);
    expect(await job(id)).toMatchObject({ status: 'pending', attempts: 0 });
    ctx.clock.advance(5_000);
    await drainJobs(ctx);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('enqueues once per idempotency key', async () => {
    const first = await enqueue(ctx, { kind: 'test.ok', payload: { n: 1 }, idempotencyKey: 'once' });
    const second = await enqueue(ctx, { kind: 'test.ok', payload: { n: 2 }, idempotencyKey: 'once' });
    expect(first).toBeTypeOf('number');
    expect(second).toBeNull();
    await drainJobs(ctx);
    expect(runs.map((r) => r.payload)).toEqual([{ n: 1 }]);
  });

  it('enqueues inside a transaction with the context clock', async () => {
    await ctx.db.transaction().execute(async (trx) => {
      await enqueue(ctx, { kind: 'test.ok', payload: { inTransaction: true } }, trx);
    });
    const [row] = await ctx.db.selectFrom('jobs').selectAll().execute();
    expect(row!.run_at).toBe(ctx.clock.now().toISOString());
    await drainJobs(ctx);
    expect(runs).toHaveLength(1);
  });

  it('claims a job abandoned by a killed process once its lease has run out', async () => {
    const id = (await enqueue(ctx, { kind: 'test.ok', payload: {} }))!;
    const [claimed] = await claimJobs(ctx, 1);
    expect(claimed!.id).toBe(id);
    // the process dies here: the job stays `running`
    expect(await claimJobs(ctx, 1)).toHaveLength(0);
    ctx.clock.advance(5 * 60_000 + 1);
    await drainJobs(ctx);
    expect(runs).toHaveLength(1);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('fails a job of a kind not in the list, naming the kind, instead of putting it back forever', async () => {
    // a row no enqueue of this version can write: a kind since removed
    const { id } = await ctx.db
      .insertInto('jobs')
      .values(newJobRow({ kind: 'test.removed-kind', payload: {} }, ctx.clock.now().toISOString()))
      .returning('id')
      .executeTakeFirstOrThrow();
    await drainJobs(ctx);
    expect(await job(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'No handler for job kind test.removed-kind.' });
    ctx.clock.advance(3_600_000);
    expect(await drainJobs(ctx)).toBe(0);
    expect(runs).toHaveLength(0);
  });

  it('runs only the kinds of its own context', async () => {
    const app = await makeTestContext();
    try {
      const id = (await enqueue(app, { kind: 'test.ok', payload: {} }))!;
      await drainJobs(app);
      expect(runs).toHaveLength(0);
      expect(await app.db.selectFrom('jobs').select(['status', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
        status: 'failed',
        last_error: 'No handler for job kind test.ok.',
      });
    } finally {
      await app.database.close();
    }
  });
});

describe('the worker', () => {
  it('takes back at start-up, not after the lease, a job a killed process left running (SQLite: one instance)', async () => {
    const id = (await enqueue(ctx, { kind: 'test.ok', payload: {} }))!;
    expect(await claimJobs(ctx, 1)).toHaveLength(1);
    // the process dies here; the next one starts on the same database a moment later
    ctx.clock.advance(1_000);
    const worker = startJobWorker(ctx, { pollMs: 10 });
    try {
      await waitFor(async () => (await job(id)).status === 'done', { what: 'the abandoned job to run again' });
    } finally {
      await worker.stop();
    }
    expect(runs).toHaveLength(1);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('leaves alone the jobs its own context is already running when a second worker starts', async () => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const first = startJobWorker(ctx, { pollMs: 10 });
    const id = (await enqueue(ctx, { kind: 'test.long', payload: {} }))!;
    await waitFor(async () => (await job(id)).status === 'running', { what: 'the job to start' });
    const second = startJobWorker(ctx, { pollMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await job(id)).toMatchObject({ status: 'running', attempts: 1 });
    release();
    await Promise.all([first.stop(), second.stop()]);
    expect(await job(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('finishes a running job before stop() resolves (SIGTERM)', async () => {
    let release!: () => void;
    let finished = false;
    gate = new Promise<void>((resolve) => (release = resolve)).then(() => {
      finished = true;
    });
    const worker = startJobWorker(ctx, { pollMs: 10 });
    const id = (await enqueue(ctx, { kind: 'test.long', payload: {} }))!;
    await waitFor(async () => (await job(id)).status === 'running', { what: 'the job to start' });
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await job(id)).toMatchObject({ status: 'done' });
  });

  it('runs a job as soon as it is enqueued in this process and finishes it before stopping', async () => {
    // a long poll interval: only the wake-up can make this pass quickly
    const worker = startJobWorker(ctx, { pollMs: 60_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await enqueue(ctx, { kind: 'test.ok', payload: { woken: true } });
      await waitFor(() => runs.length === 1, { what: 'the woken worker to run the job' });
    } finally {
      await worker.stop();
    }
    const [row] = await ctx.db.selectFrom('jobs').selectAll().execute();
    expect(row!.status).toBe('done');
  });
});
