// Durable jobs: a row in `jobs` is the promise that work will run at least once, even across a
// crash. Workers claim due rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so several instances share the
// queue; SQLite: one claiming UPDATE), run them with bounded concurrency and retry failures with
// backoff. A job left `running` by a killed process is due again when the next worker starts
// (SQLite: one instance; PostgreSQL: an instance restarted under its INSTANCE_ID), or is claimed
// again once its short lease, renewed while the job runs, runs out (leases.ts).
import { sql } from 'kysely';
import { DEFAULT_BACKOFF, type BackoffPolicy, pastGiveUp, retryDelayMs } from '../core/backoff.js';
import type { Tx } from '../db/database.js';
import type { Job } from '../db/schema.js';
import type { AppContext } from '../services/context.js';
import { type Claim, type InstanceName, renewalIntervalMs, renewLeases, skipLocked, takeBackOwnJobs } from './leases.js';
import type { JobPayloads, JobSpec, JobWorker } from './payloads.js';

/** Throw from a handler to retry later; `retryAfterMs` (a 429's Retry-After) wins over the backoff when longer. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Throw from a handler when retrying cannot help; the job is marked failed with this reason. */
export class PermanentJobError extends Error {}

/** Throw to run the job again later without counting an attempt (a rate limit that only delays). */
export class DelayJob extends Error {
  constructor(readonly delayMs: number) {
    super(`delayed ${delayMs} ms`);
  }
}

export type { JobAttempt, JobKind, JobPayloads, JobSpec, JobWorker } from './payloads.js';
export type { JobHandler, JobHandlers } from '../services/context.js';

const DEFAULT_MAX_ATTEMPTS = 40;

/**
 * Adds a job; pass the transaction to enqueue atomically with the rows it is about. Returns the job
 * id, or null when a job with the same idempotency key already exists. The payload is checked
 * against its kind (`P`: the app's kinds, or a test's own).
 */
export async function enqueueJob<P = JobPayloads>(ctx: AppContext, spec: NoInfer<JobSpec<P>>, trx?: Tx): Promise<number | null> {
  const inserted = await (trx ?? ctx.db)
    .insertInto('jobs')
    .values(newJobRow(spec as AnyJobSpec, ctx.clock.now().toISOString()))
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  wakeWorkers(ctx);
  return inserted?.id ?? null;
}

type AnyJobSpec = JobSpec<Record<string, unknown>>;

/** The row of a new job (also used by the inbound hot path's prepared statement). */
export function newJobRow(spec: AnyJobSpec, now: string) {
  return {
    kind: spec.kind,
    payload: JSON.stringify(spec.payload ?? {}),
    status: 'pending',
    run_at: spec.runAt?.toISOString() ?? now,
    attempts: 0,
    max_attempts: spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    idempotency_key: spec.idempotencyKey ?? null,
    created_at: now,
    updated_at: now,
  };
}

export interface WorkerOptions {
  /** jobs running at once */
  concurrency?: number;
  /** how often to look for due jobs when nobody wakes the worker */
  pollMs?: number;
  /** a `running` job not renewed for this long is taken back (default: JOB_LEASE_SECONDS) */
  leaseMs?: number;
  backoff?: BackoffPolicy;
}

/** In-process enqueues wake the workers at once instead of waiting for the next poll. */
export function wakeWorkers(ctx: AppContext): void {
  for (const worker of ctx.jobs.workers) worker.wake();
}

/**
 * Makes the jobs a killed run left `running` due now, rather than after their lease. SQLite: it is
 * one instance by definition, so once no worker of this process runs, every `running` row was left
 * by a process that is gone. PostgreSQL instances share the queue: a worker takes back only the
 * jobs of its own INSTANCE_ID (leases.ts), the others wait for their short lease. Either way a send
 * that may have reached its provider is checked before it is repeated (services/outbound/send.ts).
 * Returns how many jobs were taken back.
 */
export async function reclaimAbandonedJobs(ctx: AppContext): Promise<number> {
  if (ctx.database.dialect !== 'sqlite' || ctx.jobs.workers.size > 0) return 0;
  const now = ctx.clock.now().toISOString();
  const taken = await ctx.db
    .updateTable('jobs')
    .set({ status: 'pending', run_at: now, locked_by: null, locked_at: null, updated_at: now })
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  if (taken.length > 0) ctx.log.info({ jobs: taken.length }, 'jobs left running by a previous run are due again');
  return taken.length;
}

export function startJobWorker(ctx: AppContext, options: WorkerOptions = {}): JobWorker {
  // Before this worker counts among the context's: taken back only when no other worker runs jobs.
  let instanceName: InstanceName | undefined;
  const takingBack = ctx.database.dialect === 'postgres' ? takeBackOwnJobs(ctx).then((r) => (instanceName = r.name)) : reclaimAbandonedJobs(ctx);
  let reclaiming: Promise<unknown> | undefined = takingBack.catch((err) => ctx.log.error({ err }, 'job worker could not take back jobs left running'));
  const concurrency = options.concurrency ?? 8;
  const pollMs = options.pollMs ?? 250;
  const leaseMs = options.leaseMs ?? ctx.config.jobLeaseMs;
  const running = new Set<Promise<void>>();
  const claims = new Map<number, Claim>();
  const heartbeat = setInterval(() => void renew(), renewalIntervalMs(leaseMs)).unref();
  const renew = async () => {
    try {
      for (const lost of await renewLeases(ctx, [...claims.values()])) {
        claims.delete(lost.id);
        ctx.log.warn({ job: lost.id }, 'job lease was lost and the job taken back; this run will not record its outcome');
      }
    } catch (err) {
      ctx.log.warn({ err }, 'job leases could not be renewed; retried at the next beat');
    }
  };
  let stopped = false;
  let looping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let claiming: Promise<unknown> = Promise.resolve();

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void loop(), ms);
  };

  // One claim loop at a time; a wake during a loop makes it go round once more.
  const loop = async () => {
    if (stopped) return;
    if (looping) {
      again = true;
      return;
    }
    looping = true;
    try {
      if (reclaiming) {
        await reclaiming;
        reclaiming = undefined;
      }
      do {
        again = false;
        const free = concurrency - running.size;
        if (free <= 0) break;
        const claim = claimJobs(ctx, free, leaseMs);
        claiming = claim.catch(() => {});
        const jobs = await claim;
        for (const job of jobs) {
          // A job whose outcome cannot be written (the database restarting) stays `running` under
          // this instance's lease and is taken back when the lease ends; the process carries on.
          claims.set(job.id, { id: job.id, attempts: job.attempts });
          const run = runJob(ctx, job, options.backoff)
            .catch((err) => ctx.log.error({ err, job: job.id, kind: job.kind }, 'job outcome could not be stored; it runs again after its lease'))
            .finally(() => {
              claims.delete(job.id);
              running.delete(run);
              if (!stopped) void loop();
            });
          running.add(run);
        }
        if (jobs.length === free) again = true;
      } while (again && !stopped);
    } catch (err) {
      ctx.log.error({ err }, 'job worker could not claim jobs');
    } finally {
      looping = false;
      schedule(pollMs);
    }
  };

  const worker: JobWorker = {
    wake: () => {
      if (!stopped) setImmediate(() => void loop());
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      ctx.jobs.workers.delete(worker);
      // A claim in flight still hands its jobs over to run: wait for it, then for every job.
      await claiming;
      while (running.size > 0) await Promise.allSettled([...running]);
      clearInterval(heartbeat);
      await reclaiming;
      await instanceName?.release();
    },
  };
  ctx.jobs.workers.add(worker);
  worker.wake();
  return worker;
}

/**
 * Runs every due job until none is left (including jobs the run itself enqueues that are due).
 * For tests and the CLI: deterministic, no background timers.
 */
export async function drainJobs(ctx: AppContext, options: { backoff?: BackoffPolicy; limit?: number } = {}): Promise<number> {
  let ran = 0;
  const limit = options.limit ?? 1000;
  while (ran < limit) {
    const jobs = await claimJobs(ctx, 10);
    if (jobs.length === 0) break;
    for (const job of jobs) await runJob(ctx, job, options.backoff);
    ran += jobs.length;
  }
  return ran;
}

/** Running jobs whose lease ran out before `cutoff`, oldest lease first: jobs_lease_idx (status, locked_at). */
export const expiredLeases = (cutoff: string) => sql`select id from jobs where status = 'running' and locked_at < ${cutoff} order by locked_at`;
/** Pending jobs due at `now`, in their order: jobs_due_idx (status, run_at, id), so a backlog is never sorted. */
export const dueJobs = (now: string) => sql`select id from jobs where status = 'pending' and run_at <= ${now} order by run_at, id`;

/** Takes the first `n` of `which` (expiredLeases or dueJobs) for this instance. */
export function claimStatement(ctx: AppContext, which: ReturnType<typeof sql>, n: number, nowText: string) {
  return sql<Job>`
    update jobs set status = 'running', attempts = attempts + 1, locked_by = ${ctx.config.instanceId},
      locked_at = ${nowText}, updated_at = ${nowText}
    where id in (${which} limit ${n} ${skipLocked(ctx)})
    returning *`;
}

/**
 * Claims up to `limit` jobs for this instance: first running ones whose lease ran out (their
 * instance died), then due ones. Each is read from its own index in its order (migration 281), so
 * a claim never sorts the queue.
 */
export async function claimJobs(ctx: AppContext, limit: number, leaseMs = ctx.config.jobLeaseMs): Promise<Job[]> {
  const now = ctx.clock.now();
  const nowText = now.toISOString();
  const leaseCutoff = new Date(now.getTime() - leaseMs).toISOString();
  const claim = async (which: ReturnType<typeof sql>, n: number) => (await claimStatement(ctx, which, n, nowText).execute(ctx.db)).rows;
  const expired = await claim(expiredLeases(leaseCutoff), limit);
  const due = expired.length < limit ? await claim(dueJobs(nowText), limit - expired.length) : [];
  return [...expired, ...due].sort((a, b) => a.id - b.id);
}

async function runJob(ctx: AppContext, job: Job, backoff: BackoffPolicy = DEFAULT_BACKOFF): Promise<void> {
  const handler = ctx.jobs.handlers.get(job.kind);
  const now = ctx.clock.now();
  if (!handler) {
    // Every kind this version enqueues is in its list: an unknown kind (a removed one, a typo in
    // a row) would never run here, so it fails now rather than coming back every minute forever.
    const reason = `No handler for job kind ${job.kind}.`;
    await finishJob(ctx, job, { status: 'failed', last_error: reason });
    ctx.log.warn({ job: job.id, kind: job.kind }, 'job of an unknown kind failed');
    return;
  }
  const retryAt = new Date(now.getTime() + retryDelayMs(job.attempts, ctx.random, backoff));
  const isLastAttempt = job.attempts >= job.max_attempts || pastGiveUp(new Date(job.created_at), retryAt, backoff);
  const started = Date.now();
  try {
    // The payload was checked against its kind when enqueued; the row holds it as JSON text.
    await handler(ctx, JSON.parse(job.payload) as never, { id: job.id, attempt: job.attempts, isLastAttempt });
    if (!(await finishJob(ctx, job, { status: 'done', last_error: null }))) return;
    ctx.log.info({ job: job.id, kind: job.kind, attempt: job.attempts, ms: Date.now() - started }, 'job done');
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    if (err instanceof DelayJob) {
      const runAt = new Date(now.getTime() + err.delayMs).toISOString();
      await finishJob(ctx, job, { status: 'pending', run_at: runAt, attempts: job.attempts - 1 });
      return;
    }
    if (err instanceof PermanentJobError || isLastAttempt) {
      await finishJob(ctx, job, { status: 'failed', last_error: message });
      ctx.log.warn({ job: job.id, kind: job.kind, attempt: job.attempts, error: message }, 'job failed for good');
      return;
    }
    const wait = Math.max(retryAt.getTime() - now.getTime(), err instanceof RetryableError ? (err.retryAfterMs ?? 0) : 0);
    await finishJob(ctx, job, { status: 'pending', run_at: new Date(now.getTime() + wait).toISOString(), last_error: message });
    ctx.log.info({ job: job.id, kind: job.kind, attempt: job.attempts, retryInMs: wait, error: message }, 'job will be retried');
  }
}

/** How long a job's outcome is retried while the database is away (a restart takes seconds). */
const FINISH_RETRY_MS = 60_000;

async function finishJob(
  ctx: AppContext,
  job: Job,
  changes: { status: string; run_at?: string; attempts?: number; last_error?: string | null },
): Promise<boolean> {
  const giveUpAt = Date.now() + FINISH_RETRY_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      // Written only while this run's claim holds: a job whose lease ran out belongs to its new run.
      const written = await ctx.db
        .updateTable('jobs')
        .set({ ...changes, locked_by: null, locked_at: null, updated_at: ctx.clock.now().toISOString() })
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .where('locked_by', '=', ctx.config.instanceId)
        .where('attempts', '=', job.attempts)
        .executeTakeFirst();
      if (Number(written.numUpdatedRows) === 0) {
        ctx.log.warn({ job: job.id, kind: job.kind }, 'job lease was lost before its outcome; the run that took it back records it');
        return false;
      }
      return true;
    } catch (err) {
      // Otherwise the job would wait out its whole lease before running again.
      if (Date.now() + delay > giveUpAt) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
