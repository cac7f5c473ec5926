// Compiles the server for production (`npm run build`): src/ → dist/ with tsc, plus the plain
// JavaScript worker entries that need no compiling. `node dist/main.js` then runs with no
// TypeScript loader; the tsx-only entries (indexer-worker.mjs) are left out on purpose.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
/** Workers started from the sources through tsx; compiled code starts their .js target instead. */
const SOURCE_ONLY = new Set(['indexer-worker.mjs']);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });

for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.mjs') || SOURCE_ONLY.has(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  copyFileSync(from, join(dist, relative(src, from)));
}
console.log(`server compiled to ${relative(root, dist)}/ (start it with: npm run start:prod)`);
