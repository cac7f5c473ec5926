// A fresh Switchboard for the browser tests: a real server on a free port with a new SQLite file,
// the demo on, the simulator on, and a known platform key.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { createContext, type RunningServer, startServer } from '../../src/server.js';

export const ADMIN_KEY = 'sb_admin_browser_test_key_0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface FreshServer {
  server: RunningServer;
  /** http://localhost:PORT — the demo widget's allowed origin */
  base: string;
  stop(): Promise<void>;
}

let built = false;
/** Builds the widget and the dashboard from the current sources, once per test file. */
function buildWeb(): void {
  if (built) return;
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], { cwd: resolve(import.meta.dirname, '../..'), stdio: 'pipe' });
  built = true;
}

/** `env`: more settings, e.g. a provider fake's address. */
export async function startFreshServer(env: Record<string, string> = {}): Promise<FreshServer> {
  buildWeb();
  const folder = mkdtempSync(join(tmpdir(), 'sb-browser-'));
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(folder, 'switchboard.db')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://localhost:${port}`,
    ADMIN_API_KEY: ADMIN_KEY,
    DEMO: '1',
    SIMULATOR: '1',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const server = await startServer(await createContext(config));
  return {
    server,
    base: `http://localhost:${port}`,
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results');
export const PHONE = { width: 390, height: 844 };

/** A page that records console errors and uncaught page errors into `errors`. */
export async function watchedPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${page.url()})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message} (${page.url()})`));
  return page;
}

/** Opens a dashboard section from the navigation and waits for its page. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('main').waitFor();
}

/** How far the page is wider than its viewport (0 when nothing overflows horizontally). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
}
