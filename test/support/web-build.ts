// The dashboard's built pages: tests serve what `npm run build:web` produces, building it once when
// it is missing so a fresh checkout tests the real pages.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export async function ensureDashboardBuilt(): Promise<void> {
  if (existsSync(resolve(root, 'web/dashboard/dist/index.html')) && existsSync(resolve(root, 'web/dashboard/dist/simulator.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: resolve(root, 'web/dashboard/vite.config.ts'), logLevel: 'silent' });
}
