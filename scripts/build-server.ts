// Compiles the server for production (`npm run build`): src/ → dist/ with tsc, plus the plain
// JavaScript worker entries that need no compiling. `node dist/main.js` and the CLI (dist/cli.js,
// run by bin/switchboard.mjs) then run with no TypeScript loader; the tsx-only entries
// (indexer-worker.mjs) are left out on purpose.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
// `--out DIR` (inside the checkout, so node_modules resolves): the CLI test builds apart from dist/.
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 && process.argv[outAt + 1] ? resolve(root, process.argv[outAt + 1]!) : join(root, 'dist');
/** Workers started from the sources through tsx; compiled code starts their .js target instead. */
const SOURCE_ONLY = new Set(['indexer-worker.mjs']);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { cwd: root, stdio: 'inherit' });

for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.mjs') || SOURCE_ONLY.has(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  copyFileSync(from, join(dist, relative(src, from)));
}
console.log(`server and CLI compiled to ${relative(root, dist)}/ (start it with: npm run start:prod)`);
