// The operator's second hour, at desktop and phone width: a visitor on a website the widget does not
// list reads that chat is not enabled there (not a network error), the dashboard lists that website
// and one click allows it; the pool table and the widget's "Talk to a human" buttons fit 390 px; no
// page logs a console error, signed in with the platform key or an organization key.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type FreshServer, horizontalOverflow, PHONE, screenshot, startFreshServer, watchedPage, openSection } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const STEP = 180_000;
const WIDTHS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', PHONE],
] as const;
const SECTIONS = ['Get started', 'Conversations', 'Organization', 'Numbers', 'Agents', 'Knowledge base', 'Widgets', 'Usage'];

let fresh: FreshServer;
beforeAll(async () => {
  fresh = await startFreshServer();
}, 180_000);
afterAll(async () => {
  await fresh?.stop();
});

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${fresh.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function signIn(page: Page, key: string) {
  await page.context().clearCookies(); // a session left by the step before ends here
  await page.goto(`${fresh.base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);
}

const section = (page: Page, name: string) => openSection(page, name);

/** Boxes that intersect by more than a pixel either way. */
const overlap = (a: DOMRectLike, b: DOMRectLike) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1;
type DOMRectLike = { x: number; y: number; width: number; height: number };

describe.each(WIDTHS)('at %s width', (label, viewport) => {
  let browser: LaunchedBrowser;
  const errors: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium({ viewport });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(
    'a visitor on a website the widget does not list reads that chat is not enabled there; the dashboard lists it and allowing it opens the chat',
    async () => {
      const demo = fresh.server.demo!;
      const { widget } = await api('POST', `/api/organizations/${demo.organizationId}/widgets`, {
        name: `Shop ${label}`,
        allowedOrigins: ['https://shop.example'],
        greeting: 'Hello from the shop!',
      });
      // The widget's preview page under the server's other name is a website the widget does not list.
      const refusedOrigin = fresh.base.replace('://localhost', '://127.0.0.1');
      const site = await watchedPage(browser.context, []);
      await site.goto(`${refusedOrigin}/widgets/${widget.publicKey}/preview`);
      await site.getByRole('button', { name: 'Open chat' }).click();
      const log = site.locator('#switchboard-widget [role=log]');
      await expect.poll(() => log.innerText(), APPEARS).toContain('Chat is not enabled on this website.');
      expect(await log.innerText()).not.toContain('cannot be reached');
      // nothing to write into: the message box and the handover button are gone
      expect(await site.locator('#switchboard-widget form:not(.email):not(.ask-name)').isHidden()).toBe(true);
      await screenshot(site, `origins-refused-visitor-${label}`);

      const page = await watchedPage(browser.context, errors);
      await signIn(page, ADMIN_KEY);
      await section(page, 'Widgets');
      await page.getByRole('button', { name: `Shop ${label}`, exact: true }).click();
      const refused = page.getByTestId('refused-origins');
      await refused.getByText(refusedOrigin, { exact: true }).waitFor(APPEARS);
      expect(await refused.innerText()).toContain('refused 1 time');
      expect(await horizontalOverflow(page), `the Widgets page overflows at ${label} width`).toBeLessThanOrEqual(0);
      await screenshot(page, `origins-refused-list-${label}`);
      await refused.getByRole('button', { name: `Allow ${refusedOrigin}` }).click();
      await page.getByText('No website outside the allowed origins has tried to use this widget lately.').waitFor(APPEARS);
      await expect.poll(() => page.getByLabel('Allowed origins (one per line)').inputValue(), APPEARS).toBe(`https://shop.example\n${refusedOrigin}`);
      const saved = await api('GET', `/api/widgets/${widget.id}`);
      expect(saved.widget.allowedOrigins).toEqual(['https://shop.example', refusedOrigin]);

      // the visitor comes back: the chat starts
      await site.reload();
      await site.getByRole('button', { name: 'Open chat' }).click();
      await expect.poll(() => site.locator('#switchboard-widget [role=log]').innerText(), APPEARS).toContain('Hello from the shop!');
      expect(await site.locator('#switchboard-widget [role=log]').innerText()).not.toContain('not enabled');
      await site.close();
      await page.close();
    },
    STEP,
  );

  it(
    "the pool table fits the width and the widget's “Talk to a human” buttons stay clear of the text",
    async () => {
      const page = await watchedPage(browser.context, errors);
      await signIn(page, ADMIN_KEY);
      await section(page, 'Widgets');
      await page.getByRole('button', { name: 'Website chat', exact: true }).click();
      const pool = page.locator('table.pool');
      await pool.locator('tbody tr').first().waitFor(APPEARS);
      // no horizontal scroll in the table's frame, no cell outside it, no row much taller than its content
      const fit = await pool.evaluate((table) => {
        const frame = table.parentElement!;
        const box = frame.getBoundingClientRect();
        const cells = [...table.querySelectorAll('td')].map((td) => td.getBoundingClientRect());
        const rows = [...table.querySelectorAll('tbody tr')].map((tr) => tr.getBoundingClientRect().height);
        return {
          scroll: frame.scrollWidth - frame.clientWidth,
          outside: cells.filter((c) => c.width > 0 && (c.left < box.left - 1 || c.right > box.right + 1)).length,
          tallest: Math.max(...rows),
        };
      });
      expect(fit.scroll, 'the pool table scrolls sideways').toBeLessThanOrEqual(0);
      expect(fit.outside, 'pool cells outside the table').toBe(0);
      expect(fit.tallest, 'a pool row is much taller than its fields').toBeLessThan(label === 'phone' ? 300 : 120);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, `origins-pool-${label}`);
      await page.close();

      // The demo website: the header's button and the one the bot offers under its answer.
      const site = await watchedPage(browser.context, errors);
      await site.goto(`${fresh.base}/demo`);
      await site.evaluate(() => localStorage.clear());
      await site.reload();
      await site.getByRole('button', { name: 'Open chat' }).click();
      const input = site.getByRole('textbox', { name: 'Message' });
      await input.fill('Do you sell spare parts for rocket engines?');
      await input.press('Enter');
      const offered = site.locator('#switchboard-widget .m.bot .offer').last();
      await offered.waitFor(APPEARS);
      const boxes = await site.locator('#switchboard-widget').evaluate((host) => {
        const root = host.shadowRoot!;
        const rect = (r: DOMRect) => ({ x: r.x, y: r.y, width: r.width, height: r.height });
        const message = [...root.querySelectorAll('.m.bot')].filter((m) => m.querySelector('.offer')).at(-1)!;
        const range = document.createRange();
        const texts = [...message.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
        const textBoxes = texts.flatMap((n) => {
          range.selectNodeContents(n);
          return [...range.getClientRects()].map(rect);
        });
        return {
          offer: rect(message.querySelector('.offer')!.getBoundingClientRect()),
          text: textBoxes,
          human: rect(root.querySelector('header .human')!.getBoundingClientRect()),
          title: rect(root.querySelector('header .t')!.getBoundingClientRect()),
          close: rect(root.querySelector('header button[aria-label="Close chat"]')!.getBoundingClientRect()),
        };
      });
      expect(boxes.text.length).toBeGreaterThan(0);
      // on a line of its own, under the answer, never beside its last words
      for (const line of boxes.text) expect(overlap(line, boxes.offer), 'the offered button runs into the answer').toBe(false);
      expect(boxes.offer.y).toBeGreaterThanOrEqual(Math.max(...boxes.text.map((t) => t.y + t.height)) - 1);
      expect(overlap(boxes.human, boxes.title), "the header's button runs into the title").toBe(false);
      expect(overlap(boxes.human, boxes.close)).toBe(false);
      expect(boxes.human.height, "the header's button wraps").toBeLessThan(40);
      await screenshot(site, `origins-widget-buttons-${label}`);
      await site.close();
    },
    STEP,
  );

  it(
    'no page logs a console error, signed in with the platform key or the organization key',
    async () => {
      for (const key of [ADMIN_KEY, fresh.server.demo!.apiKey!]) {
        const page = await watchedPage(browser.context, errors);
        await signIn(page, key);
        for (const name of [...SECTIONS, ...(key === ADMIN_KEY ? ['Unrouted events'] : [])]) {
          await section(page, name);
          await page.waitForTimeout(1_500); // its reads answered (live streams never go idle)
        }
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByLabel('API key').waitFor(APPEARS);
        await page.close();
      }
      expect(errors).toEqual([]);
    },
    STEP,
  );
});
