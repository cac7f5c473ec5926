// Several instances on one PostgreSQL share the job queue: concurrent claims never take the same
// job twice (FOR UPDATE SKIP LOCKED), and together they take every due job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs, enqueueJob } from '../../src/jobs/queue.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';

let database: { url: string; drop: () => Promise<void> };
let instances: Array<Awaited<ReturnType<typeof makeTestContext>>>;

beforeAll(async () => {
  database = await freshPostgresDatabase();
  instances = await Promise.all(
    ['instance-a', 'instance-b', 'instance-c'].map((id) => makeTestContext({ databaseUrl: database.url, env: { INSTANCE_ID: id } })),
  );
});
afterAll(async () => {
  for (const ctx of instances) await ctx.database.close();
  await database.drop();
});

describe('claiming jobs from several instances', () => {
  it('hands each due job to exactly one instance', async () => {
    for (let n = 0; n < 60; n++) await enqueueJob<{ 'test.shared': { n: number } }>(instances[0]!, { kind: 'test.shared', payload: { n } });
    const claims = await Promise.all(instances.flatMap((ctx) => [claimJobs(ctx, 7), claimJobs(ctx, 7), claimJobs(ctx, 7)]));
    const more = await Promise.all(instances.map((ctx) => claimJobs(ctx, 60)));
    const ids = [...claims, ...more].flat().map((job) => job.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    const owners = await instances[0]!.db.selectFrom('jobs').select('locked_by').where('status', '=', 'running').execute();
    expect(owners).toHaveLength(60);
  });
});
