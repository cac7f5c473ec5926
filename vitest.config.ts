import { defineConfig } from 'vitest/config';

// Three suites: `unit` (npm test: nothing but Node), `postgres` (needs TEST_DATABASE_URL) and
// `browser` (needs Debian's chromium). The last two run one file at a time: they share a server.
const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', 'test/browser/**'] } },
      { test: { ...shared, name: 'postgres', include: ['test/postgres/**/*.test.ts'], fileParallelism: false } },
      { test: { ...shared, name: 'browser', include: ['test/browser/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
