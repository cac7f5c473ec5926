// Migration 211 on PostgreSQL, and its unique index holding one handover template per account when
// many requests race (each in its own transaction with its creation job).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainJobs } from '../../src/jobs/queue.js';
import type { AppContext } from '../../src/services/context.js';
import { ensureHandoverTemplate } from '../../src/services/numbers/templates.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { makeNumber } from '../support/factories.js';

let database: { url: string; drop: () => Promise<void> };
let ctx: AppContext;
beforeAll(async () => {
  database = await freshPostgresDatabase();
  ctx = await makeTestContext({ databaseUrl: database.url, env: { SIMULATOR: '1' } });
});
afterAll(async () => {
  await ctx?.database.close();
  await database?.drop();
});

describe('handover templates on PostgreSQL', () => {
  it('keeps one template and one creation job per account under concurrent requests, approved in the simulator', async () => {
    const numbers = await Promise.all([1, 2, 3].map(() => makeNumber(ctx, { organization_id: null })));
    await Promise.all(numbers.flatMap((n) => [ensureHandoverTemplate(ctx, n), ensureHandoverTemplate(ctx, n)]));
    expect(await ctx.db.selectFrom('jobs').select('kind').where('kind', '=', 'template.create').execute()).toHaveLength(1);
    await drainJobs(ctx);
    expect(await ctx.db.selectFrom('handover_templates').select(['provider', 'account_key', 'status']).execute()).toEqual([
      { provider: 'simulator', account_key: 'platform', status: 'approved' },
    ]);
  });
});
