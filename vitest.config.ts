import { defineConfig } from 'vitest/config';

// Four suites: `unit` (npm test: nothing but Node), `postgres` (needs TEST_DATABASE_URL), `browser`
// (needs Debian's chromium) and `crash` (kill -9 of real server processes, minutes). The last three
// run one file at a time: they share a server or the machine.
const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', 'test/browser/**', 'test/crash/**'] } },
      { test: { ...shared, name: 'postgres', include: ['test/postgres/**/*.test.ts'], fileParallelism: false } },
      { test: { ...shared, name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } },
      { test: { ...shared, name: 'crash', include: ['test/crash/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
