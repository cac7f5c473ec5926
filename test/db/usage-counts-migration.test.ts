// Migration 371 on a database that already holds months of messages: the counters it fills from
// them give the report the figures grouping the messages gave. PostgreSQL: test/postgres/usage-counts.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { makeTestContext } from '../support/context.js';
import { expectLegacyUsageCounted, legacyUsageDatabase } from '../support/usage.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migration 371 (usage counters)', () => {
  it('counts the messages written before it, as the report grouped them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-usage-'));
    dirs.push(dir);
    const url = `sqlite:${join(dir, 'old.db')}`;
    await legacyUsageDatabase(url);
    const ctx = await makeTestContext({ databaseUrl: url });
    try {
      await expectLegacyUsageCounted(ctx);
    } finally {
      await ctx.database.close();
    }
  });
});
