// Leases of running jobs on PostgreSQL, where several instances share the queue. A claimed job is
// this instance's for `JOB_LEASE_SECONDS`, renewed every third of it while the job runs, so the jobs
// of an instance that died return to the queue within one short lease. An instance restarted under
// its INSTANCE_ID takes back at once what its earlier life left running — once it has made sure no
// live process answers to that name. A job whose lease was lost and taken by another run never
// records its outcome (queue.ts: the outcome is written only while the claim still holds).
import { sql } from 'kysely';
import type { Job } from '../db/schema.js';
import type { AppContext } from '../services/context.js';

/** A claim is the job row as this run took it: who holds it and which attempt it is. */
export type Claim = Pick<Job, 'id' | 'attempts'>;

/** Held for as long as the worker runs: another live process under the same INSTANCE_ID cannot hold it too. */
export interface InstanceName {
  release(): Promise<void>;
}

/** Advisory lock namespace for instance names (the second key is the name's hash). */
const INSTANCE_NAME_LOCK = 27_181;

/**
 * Renews the leases of the jobs this worker runs. Returns the claims whose lease was lost (taken
 * back after running out while the database was away): their outcome will not be written.
 */
export async function renewLeases(ctx: AppContext, claims: Claim[]): Promise<Claim[]> {
  if (claims.length === 0) return [];
  const now = ctx.clock.now().toISOString();
  const renewed = await ctx.db
    .updateTable('jobs')
    .set({ locked_at: now })
    .where('status', '=', 'running')
    .where('locked_by', '=', ctx.config.instanceId)
    .where((eb) => eb.or(claims.map((c) => eb.and([eb('id', '=', c.id), eb('attempts', '=', c.attempts)]))))
    .returning('id')
    .execute();
  const kept = new Set(renewed.map((row) => row.id));
  return claims.filter((c) => !kept.has(c.id));
}

/**
 * PostgreSQL, at a worker's start: makes due now the jobs left `running` under this instance's
 * INSTANCE_ID, which only its earlier, dead life can have claimed. Only when INSTANCE_ID was given
 * (the default, the pid, is 1 in every container) and when no other live process holds the name: a
 * session advisory lock on it is taken and kept while the worker runs. A process killed with -9
 * loses its connection, and with it the lock, at once. Returns how many jobs were taken back.
 */
export async function takeBackOwnJobs(ctx: AppContext): Promise<{ taken: number; name?: InstanceName }> {
  // Checked before the first await: a second worker of this process takes back nothing.
  if (ctx.database.dialect !== 'postgres' || !ctx.config.instanceIdChosen || ctx.jobs.workers.size > 0) return { taken: 0 };
  const name = await holdInstanceName(ctx);
  if (!name) {
    ctx.log.error(
      { instance: ctx.config.instanceId },
      'another live instance runs under this INSTANCE_ID: give each instance its own; jobs left running return when their lease ends',
    );
    return { taken: 0 };
  }
  const now = ctx.clock.now().toISOString();
  const taken = await ctx.db
    .updateTable('jobs')
    .set({ status: 'pending', run_at: now, locked_by: null, locked_at: null, updated_at: now })
    .where('status', '=', 'running')
    .where('locked_by', '=', ctx.config.instanceId)
    .returning('id')
    .execute();
  if (taken.length > 0) ctx.log.info({ jobs: taken.length }, "jobs this instance's previous run left running are due again");
  return { taken: taken.length, name };
}

async function holdInstanceName(ctx: AppContext): Promise<InstanceName | undefined> {
  const client = await ctx.database.pool!.connect();
  // A database restart ends the session (and the lock); the worker carries on without it.
  client.on('error', (err) => ctx.log.warn({ err }, 'the connection holding this instance name closed'));
  try {
    const { rows } = await client.query<{ held: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as held', [
      INSTANCE_NAME_LOCK,
      ctx.config.instanceId,
    ]);
    if (rows[0]?.held) {
      let released = false;
      return {
        release: async () => {
          if (!released) client.release(true);
          released = true;
        },
      };
    }
  } catch (err) {
    client.release(true);
    throw err;
  }
  client.release();
  return undefined;
}

/** How often a running job's lease is renewed: three times a lease, so one slow renewal loses nothing. */
export function renewalIntervalMs(leaseMs: number): number {
  return Math.max(Math.floor(leaseMs / 3), 100);
}

/** `sql` fragment for a claim's lock: PostgreSQL skips rows another instance is claiming. */
export function skipLocked(ctx: AppContext) {
  return ctx.database.dialect === 'postgres' ? sql`for update skip locked` : sql``;
}
