// Issue 21: after a year of data, every query a user waits on is served by an index, with no full
// scan of messages, conversations or jobs and no sort of unbounded rows. A few hundred thousand
// rows are loaded through the product's schema, then each hot query, compiled by the service that
// runs it, is explained (EXPLAIN QUERY PLAN). Its PostgreSQL twin: test/postgres/query-plans.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedYear, loadYear } from '../../bench/growth-loader.js';
import type { AppContext } from '../../src/services/context.js';
import { makeTestContext } from '../support/context.js';
import { hotQueries, schemaOf, sqliteProblems } from '../support/query-plans.js';

// 2.5% of the year: 250,000 messages, 25,000 conversations, 55,000 jobs.
const SCALE = 0.025;

let ctx: AppContext;
let year: LoadedYear;

beforeAll(async () => {
  ctx = await makeTestContext();
  year = await loadYear(ctx.database, SCALE, ctx.clock.now());
}, 120_000);

afterAll(async () => {
  await ctx?.database.close();
});

describe('query plans after a year of data (SQLite)', () => {
  it('has loaded a few hundred thousand rows', () => {
    expect(year.counts.messages).toBeGreaterThan(200_000);
    expect(year.counts.conversations).toBeGreaterThan(20_000);
    expect(year.counts.jobs).toBeGreaterThan(50_000);
  });

  it('leaves every index, constraint and connection setting as the migrations made them', async () => {
    const fresh = await makeTestContext();
    try {
      expect(await schemaOf(ctx)).toEqual(await schemaOf(fresh));
    } finally {
      await fresh.database.close();
    }
    expect(ctx.database.sqlite!.pragma('foreign_key_check')).toEqual([]);
    expect(ctx.database.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('serves every hot query from an index, without a full scan or a sort for ORDER BY', () => {
    const report = hotQueries(ctx, year).map(({ name, query }) => ({ name, ...sqliteProblems(ctx, query) }));
    for (const r of report) console.log(`${r.name}\n  ${r.plan.join('\n  ')}`);
    expect(report.filter((r) => r.problems.length > 0).map((r) => ({ name: r.name, problems: r.problems }))).toEqual([]);
  });

  it('the checker itself flags a scan of messages and a sort of conversations', () => {
    const scan = sqliteProblems(ctx, { sql: 'select count(*) from messages where body like ?', parameters: ['%order%'] } as never);
    const sort = sqliteProblems(ctx, { sql: 'select id from conversations order by closed_at limit 5', parameters: [] } as never);
    expect(scan.problems).not.toEqual([]);
    expect(sort.problems.some((p) => p.includes('TEMP B-TREE'))).toBe(true);
  });
});
