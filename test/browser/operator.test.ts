// The operator's first hour in a real browser, desktop width: a new organization becomes the
// selected one and its first key is its own; it is renamed, described and deleted; the join code
// is shown only on the trial plan with the shared number; usage shows no negative money.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSharedTrialNumber } from '../../src/services/numbers/trial.js';
import { ADMIN_KEY, type FreshServer, screenshot, startFreshServer, watchedPage } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const STEP = 120_000;

let fresh: FreshServer;
let browser: LaunchedBrowser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  fresh = await startFreshServer();
  browser = await launchChromium();
  page = await watchedPage(browser.context, errors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fresh?.stop();
});

async function section(name: string) {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('main').waitFor();
}

const switcher = () => page.getByLabel('Organization', { exact: true });
const selectedName = () => switcher().evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');

/** What the server says a key is: its organization, asked with the key itself. */
async function whoIs(key: string): Promise<{ kind: string; organizationId?: string }> {
  const res = await fetch(`${fresh.base}/api/whoami`, { headers: { authorization: `Bearer ${key}` } });
  return (await res.json()) as { kind: string; organizationId?: string };
}

describe('organizations', () => {
  it(
    'creating an organization switches to it, and the next new key belongs to it',
    async () => {
      await page.goto(`${fresh.base}/dashboard/organizations`);
      await page.getByLabel('API key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Lantern Lane Bikes' }).waitFor(APPEARS);
      // the demo is on the business plan: it has its own number, no join code to show
      await expect(page.getByTestId('join-hint').count()).resolves.toBe(0);

      await page.getByLabel('Name', { exact: true }).fill('Harbour Tea Rooms');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('heading', { name: 'Harbour Tea Rooms' }).waitFor(APPEARS);
      await expect.poll(selectedName, APPEARS).toBe('Harbour Tea Rooms');
      const created = await switcher().inputValue();

      // a trial organization: customers reach it on the shared number with its join code
      const hint = page.getByTestId('join-hint');
      await expect(hint.innerText()).resolves.toMatch(/join [a-z]+-[a-z]+ — the platform has no shared trial number yet/);
      await setSharedTrialNumber(fresh.server.ctx, { provider: 'simulator', phoneNumber: '+15550109999' });
      await page.reload();
      await page.getByRole('heading', { name: 'Harbour Tea Rooms' }).waitFor(APPEARS);
      await expect(hint.innerText()).resolves.toMatch(/^Customers send join [a-z]+-[a-z]+ to the shared trial number \+15550109999 once/);

      await page.getByRole('button', { name: 'New key' }).click();
      const key = await page.locator('code.secret').innerText();
      expect(await whoIs(key)).toEqual({ ok: true, kind: 'organization', organizationId: created });
      await screenshot(page, 'operator-organization-created');

      // switching back shows the demo's keys, and the shown key is not carried over
      await switcher().selectOption({ label: 'Lantern Lane Bikes' });
      await page.getByRole('heading', { name: 'Lantern Lane Bikes' }).waitFor(APPEARS);
      await expect(page.locator('code.secret').count()).resolves.toBe(0);
      await page.getByRole('button', { name: 'New key' }).click();
      const demoKey = await page.locator('code.secret').innerText();
      expect((await whoIs(demoKey)).organizationId).toBe(fresh.server.demo!.organizationId);
      // the selection survives a reload
      await page.reload();
      await expect.poll(selectedName, APPEARS).toBe('Lantern Lane Bikes');
    },
    STEP,
  );

  it(
    'renames, describes and instructs an organization, then deletes it',
    async () => {
      await switcher().selectOption({ label: 'Harbour Tea Rooms' });
      await page.getByRole('heading', { name: 'Harbour Tea Rooms' }).waitFor(APPEARS);
      await page.getByLabel('Organization name').fill('Harbour Tea House');
      await page.getByLabel('Description').fill('Tea and cakes by the harbour.');
      await page.getByLabel('Instructions for answers').fill('Answer warmly and briefly.');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByRole('heading', { name: 'Harbour Tea House' }).waitFor(APPEARS);
      await expect.poll(selectedName, APPEARS).toBe('Harbour Tea House');
      const id = await switcher().inputValue();
      const stored = await fresh.server.ctx.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ name: 'Harbour Tea House', description: 'Tea and cakes by the harbour.', instructions: 'Answer warmly and briefly.' });

      const remove = page.getByRole('button', { name: 'Delete organization' });
      expect(await remove.isDisabled()).toBe(true);
      await page.getByLabel('Name to confirm').fill('Harbour Tea House');
      await remove.click();
      await page.getByRole('heading', { name: 'Lantern Lane Bikes' }).waitFor(APPEARS);
      await expect(switcher().locator('option').allInnerTexts()).resolves.toEqual(['Lantern Lane Bikes']);
      const left = await fresh.server.ctx.db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
      expect(left).toBeUndefined();
    },
    STEP,
  );
});

describe('usage', () => {
  it(
    'shows no negative money: a trial organization’s cost above its price is named a loss',
    async () => {
      await page.getByLabel('Name', { exact: true }).fill('Kettle Corner');
      await page.getByRole('button', { name: 'Create' }).click();
      await expect.poll(selectedName, APPEARS).toBe('Kettle Corner');
      const orgId = await switcher().inputValue();
      const at = new Date().toISOString();
      const row = (direction: string, provider: string | null) => ({
        organization_id: orgId,
        direction,
        author: direction === 'in' ? 'contact' : 'bot',
        audience: 'contact',
        status: direction === 'in' ? 'received' : 'sent',
        provider,
        category: 'service',
        cost: provider ? 0.005 : 0,
        created_at: at,
        updated_at: at,
      });
      await fresh.server.ctx.db
        .insertInto('messages')
        .values([...Array.from({ length: 8 }, () => row('out', 'twilio')), row('in', null), row('out', null)])
        .execute();
      await section('Usage');
      await page.getByTestId('usage-used').waitFor(APPEARS);
      await expect(page.getByTestId('usage-used').innerText()).resolves.toBe('8 / 50');
      await expect(page.getByTestId('usage-website-chat').innerText()).resolves.toBe('2');
      await expect(page.getByTestId('usage-margin').innerText()).resolves.toBe('$0.04');
      await page.getByText('Loss (cost above plan price)').waitFor(APPEARS);
      const text = await page.getByRole('main').innerText();
      expect(text).not.toMatch(/-\$|\$-|−\$/);
      await screenshot(page, 'operator-usage-trial');
    },
    STEP,
  );
});

describe('no console errors', () => {
  it('no page logged an error', () => {
    expect(errors).toEqual([]);
  });
});
