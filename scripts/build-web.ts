// Builds the browser parts the server serves: the widget (esbuild, one small file) and the
// dashboard (Vite). Runs on `npm install` so `npm start` needs no extra step.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
mkdirSync(resolve(root, 'public/build'), { recursive: true });

const widgetEntry = resolve(root, 'web/widget/index.ts');
if (existsSync(widgetEntry)) {
  await build({
    entryPoints: [widgetEntry],
    outfile: resolve(root, 'public/build/widget.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    logLevel: 'warning',
  });
}

const dashboardConfig = resolve(root, 'web/dashboard/vite.config.ts');
if (existsSync(dashboardConfig)) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: dashboardConfig, logLevel: 'warn' });
}
