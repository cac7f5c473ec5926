// Issue 21 on PostgreSQL: the twin of test/db/query-plans.test.ts. A year's few hundred thousand
// rows loaded through the product's schema and ANALYZEd (as autovacuum would), then each hot
// query, compiled by the service that runs it, explained (EXPLAIN (FORMAT JSON)): no Seq Scan of a
// big table, no Sort outside a grouping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedYear, loadYear } from '../../bench/growth-loader.js';
import type { AppContext } from '../../src/services/context.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';
import { hotQueries, postgresProblems, schemaOf } from '../support/query-plans.js';

const SCALE = 0.025;

let ctx: AppContext;
let drop: (() => Promise<void>) | undefined;
let year: LoadedYear;

beforeAll(async () => {
  const database = await freshPostgresDatabase();
  drop = database.drop;
  ctx = await makeTestContext({ databaseUrl: database.url });
  year = await loadYear(ctx.database, SCALE, ctx.clock.now());
}, 300_000);

afterAll(async () => {
  await ctx?.database.close();
  await drop?.();
});

describe('query plans after a year of data (PostgreSQL)', () => {
  it('has loaded a few hundred thousand rows', () => {
    expect(year.counts.messages).toBeGreaterThan(200_000);
    expect(year.counts.conversations).toBeGreaterThan(20_000);
  });

  it('leaves every index and constraint as the migrations made them', async () => {
    const database = await freshPostgresDatabase();
    const fresh = await makeTestContext({ databaseUrl: database.url });
    try {
      expect(await schemaOf(ctx)).toEqual(await schemaOf(fresh));
    } finally {
      await fresh.database.close();
      await database.drop();
    }
  });

  it('serves every hot query from an index, without a Seq Scan of a big table or a Sort', async () => {
    const report = [];
    for (const { name, query } of hotQueries(ctx, year)) report.push({ name, ...(await postgresProblems(ctx, query)) });
    for (const r of report) console.log(`${r.name}\n  ${r.plan.join('\n  ')}`);
    expect(report.filter((r) => r.problems.length > 0).map((r) => ({ name: r.name, problems: r.problems }))).toEqual([]);
  });

  it('the checker itself flags a Seq Scan of messages and a Sort of conversations', async () => {
    const scan = await postgresProblems(ctx, { sql: 'select count(*) from messages where body like $1', parameters: ['%order%'] } as never);
    const sort = await postgresProblems(ctx, { sql: 'select id from conversations order by closed_at limit 5', parameters: [] } as never);
    expect(scan.problems.some((p) => p.includes('Seq Scan on messages'))).toBe(true);
    expect(sort.problems.some((p) => p.includes('Sort'))).toBe(true);
  });
});
