// Nothing breaks by a careless click, at desktop and phone width: revoking a key, removing an agent,
// deleting a knowledge document, removing a number in use and deleting a widget each ask once in
// the one confirmation, naming what will happen; Cancel changes nothing; confirming does it. The
// Numbers page logs no console error as the platform key or an organization key; a Whapi channel is
// assigned with its form (against a fake Whapi) and removed again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { ADMIN_KEY, type FreshServer, horizontalOverflow, PHONE, screenshot, startFreshServer, watchedPage, openSection } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const STEP = 240_000;

const WHAPI_TOKEN = 'own-whapi-token-5f2c9a1e';
let fresh: FreshServer;
let whapi: FakeWhapi;
beforeAll(async () => {
  whapi = await startFakeWhapi({ token: WHAPI_TOKEN });
  fresh = await startFreshServer({ WHAPI_BASE_URL: whapi.url });
}, 180_000);
afterAll(async () => {
  await fresh?.stop();
  await whapi?.close();
});

async function admin(method: string, path: string, body?: unknown, key = ADMIN_KEY) {
  const res = await fetch(`${fresh.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** An organization with something to lose: a key 'ci', an agent, a trained document, two numbers, a widget using one. */
async function organization(name: string) {
  const { organization: org } = await admin('POST', '/api/organizations', { name, plan: 'starter' });
  const { key: orgKey } = await admin('POST', `/api/organizations/${org.id}/api-keys`, { name: 'Owner' });
  const { apiKey } = await admin('POST', `/api/organizations/${org.id}/api-keys`, { name: 'ci' });
  const { agent } = await admin('POST', `/api/organizations/${org.id}/agents`, { name: 'Rosa', number: `+1555012${String(Date.now()).slice(-4)}` });
  const { document } = await admin('POST', `/api/organizations/${org.id}/knowledge`, {
    title: 'Prices',
    content: 'A day of rental costs $30.\n\nA week costs $150.',
  });
  await admin('POST', `/api/organizations/${org.id}/train`);
  const { number: used } = await admin('POST', `/api/organizations/${org.id}/numbers`, { provider: 'simulator' });
  await admin('POST', `/api/organizations/${org.id}/numbers`, { provider: 'simulator' });
  const { widget } = await admin('POST', `/api/organizations/${org.id}/widgets`, {
    name: 'Website chat',
    allowedOrigins: ['https://x.example'],
    handoverWhatsappNumber: used.phoneNumber,
  });
  return { org, orgKey: orgKey as string, apiKey, agent, document, used, widget };
}

const db = () => fresh.server.ctx.db;

for (const [label, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', PHONE],
] as const) {
  describe(`confirmations at ${viewport.width}×${viewport.height}`, () => {
    let browser: LaunchedBrowser;
    let page: Page;
    const errors: string[] = [];
    let setup: Awaited<ReturnType<typeof organization>>;

    beforeAll(async () => {
      setup = await organization(`Careful Cycles ${label}`);
      browser = await launchChromium({ viewport });
      page = await watchedPage(browser.context, errors);
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
    });

    const section = (name: string) => openSection(page, name);

    const dialog = () => page.getByRole('alertdialog');

    /** Clicks the action, reads the confirmation, cancels (nothing may change), then asks again and confirms. */
    async function askCancelConfirm(click: () => Promise<void>, says: RegExp, unchanged: () => Promise<void>, name: string, confirm: string) {
      await click();
      await dialog().waitFor(APPEARS);
      await expect(page.getByTestId('confirm-effects').innerText()).resolves.toMatch(says);
      expect(await horizontalOverflow(page), `${name} confirmation overflows`).toBeLessThanOrEqual(0);
      await screenshot(page, `confirm-${name}-${label}`);
      await dialog().getByRole('button', { name: 'Cancel' }).click();
      await dialog().waitFor({ state: 'detached' });
      await unchanged();
      await click();
      await dialog().waitFor(APPEARS);
      await dialog().getByRole('button', { name: confirm, exact: true }).click();
      await dialog().waitFor({ state: 'detached' });
    }

    it(
      'signs in as the platform key and visits Numbers without a console error',
      async () => {
        await page.goto(`${fresh.base}/dashboard/numbers`);
        await page.getByLabel('API key').fill(ADMIN_KEY);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByLabel('Organization', { exact: true }).waitFor(APPEARS);
        await page.getByLabel('Organization', { exact: true }).selectOption({ label: setup.org.name });
        await section('Numbers');
        await page.locator(`tr[data-number="${setup.used.phoneNumber}"]`).waitFor(APPEARS);
        await page.getByRole('heading', { name: 'Handover templates' }).waitFor(APPEARS);
        // no Twilio here: nothing to buy; no Meta business account: no box saying it is not configured
        await expect(page.getByRole('heading', { name: 'Buy a Twilio number' }).count()).resolves.toBe(0);
        await expect(page.getByText('Meta is not configured').count()).resolves.toBe(0);
        await expect(page.getByRole('heading', { name: 'Whapi channel' }).count()).resolves.toBe(1);
        expect(errors).toEqual([]);
      },
      STEP,
    );

    it(
      'removing a number in use shows what happens to the widget first; Cancel keeps it',
      async () => {
        const row = page.locator(`tr[data-number="${setup.used.phoneNumber}"]`);
        const numberLeft = async () => {
          expect(await db().selectFrom('numbers').select('id').where('id', '=', setup.used.id).executeTakeFirst()).toBeDefined();
          await row.waitFor();
        };
        await askCancelConfirm(
          () => row.getByRole('button', { name: 'Remove' }).click(),
          /Widget 'Website chat' uses it as its handover number: that setting is cleared, and it hands over from the organization's number \+1\d+ instead\./,
          numberLeft,
          'number',
          'Remove number',
        );
        await page.getByTestId('numbers-note').filter({ hasText: 'Removed.' }).waitFor(APPEARS);
        await row.waitFor({ state: 'detached' });
        expect(await db().selectFrom('numbers').select('id').where('id', '=', setup.used.id).executeTakeFirst()).toBeUndefined();
      },
      STEP,
    );

    it(
      'revoking a key names it; Cancel keeps it working',
      async () => {
        await section('Organization');
        const item = page
          .locator('li')
          .filter({ hasText: 'ci' })
          .filter({ has: page.getByRole('button', { name: 'Revoke' }) });
        const revokedAt = async () =>
          (await db().selectFrom('api_keys').select('revoked_at').where('id', '=', setup.apiKey.id).executeTakeFirstOrThrow()).revoked_at;
        await askCancelConfirm(
          () => item.getByRole('button', { name: 'Revoke' }).click(),
          /Dashboards and scripts using key 'ci' stop working at once/,
          async () => expect(await revokedAt()).toBeNull(),
          'key',
          'Revoke',
        );
        await page.getByTestId('key-revoked').waitFor(APPEARS);
        expect(await revokedAt()).not.toBeNull();
      },
      STEP,
    );

    it(
      'removing an agent names their open chats; Cancel keeps them',
      async () => {
        await section('Agents');
        const row = page.locator(`tr[data-agent="${setup.agent.number}"]`);
        const agentLeft = async () => expect(await db().selectFrom('agents').select('id').where('id', '=', setup.agent.id).executeTakeFirst()).toBeDefined();
        await askCancelConfirm(() => row.getByRole('button', { name: 'Remove' }).click(), /Rosa answers no open chats\./, agentLeft, 'agent', 'Remove');
        await page.getByTestId('agent-removed').waitFor(APPEARS);
        expect(await db().selectFrom('agents').select('id').where('id', '=', setup.agent.id).executeTakeFirst()).toBeUndefined();
      },
      STEP,
    );

    it(
      'deleting a knowledge document counts the entries leaving the knowledge base; Cancel keeps it',
      async () => {
        await section('Knowledge base');
        const item = page
          .locator('li')
          .filter({ hasText: 'Prices' })
          .filter({ has: page.getByRole('button', { name: 'Delete' }) });
        const documentLeft = async () =>
          expect(await db().selectFrom('knowledge_documents').select('id').where('id', '=', setup.document.id).executeTakeFirst()).toBeDefined();
        await askCancelConfirm(
          () => item.getByRole('button', { name: 'Delete' }).click(),
          /'Prices' is deleted and \d+ (entry leaves|entries leave) the knowledge base/,
          documentLeft,
          'document',
          'Delete',
        );
        await item.waitFor({ state: 'detached' });
        expect(await db().selectFrom('knowledge_documents').select('id').where('id', '=', setup.document.id).executeTakeFirst()).toBeUndefined();
      },
      STEP,
    );

    it(
      'deleting a widget names the site it leaves; Cancel keeps it',
      async () => {
        await section('Widgets');
        await page.getByRole('button', { name: 'Website chat' }).waitFor(APPEARS);
        const widgetLeft = async () => expect(await db().selectFrom('widgets').select('id').where('id', '=', setup.widget.id).executeTakeFirst()).toBeDefined();
        await askCancelConfirm(
          () => page.getByRole('button', { name: 'Delete widget' }).click(),
          /The chat of widget 'Website chat' disappears from https:\/\/x\.example\./,
          widgetLeft,
          'widget',
          'Delete widget',
        );
        await page.getByTestId('widget-deleted').waitFor(APPEARS);
        expect(await db().selectFrom('widgets').select('id').where('id', '=', setup.widget.id).executeTakeFirst()).toBeUndefined();
        expect(errors).toEqual([]);
      },
      STEP,
    );

    it(
      'visits Numbers as an organization key without a console error, and assigns and removes a Whapi channel there',
      async () => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByLabel('API key').fill(setup.orgKey);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);
        await section('Numbers');
        await page.getByRole('heading', { name: 'Numbers you can use' }).waitFor(APPEARS);
        await page.getByRole('heading', { name: 'Handover templates' }).waitFor(APPEARS);
        await page.locator('tbody tr[data-number]').first().waitFor(APPEARS);
        expect(await horizontalOverflow(page), 'Numbers overflows').toBeLessThanOrEqual(0);
        await screenshot(page, `numbers-organization-key-${label}`);

        // the Whapi channel form: the token is checked at Whapi, the channel is listed, and it can be removed again
        const form = page.getByRole('form', { name: 'Assign a Whapi channel' });
        await form.getByLabel('Channel id').fill('ACMEGEAR-7QK2X');
        await form.getByLabel('Its WhatsApp number').fill('+1 415 555 0188');
        await form.getByLabel('Channel token').fill(WHAPI_TOKEN);
        await form.getByRole('button', { name: 'Assign channel' }).click();
        await page.getByTestId('whapi-assigned').filter({ hasText: 'Whapi channel ACMEGEAR-7QK2X' }).waitFor(APPEARS);
        const row = page.locator('tr[data-number="+14155550188"]');
        await row.waitFor(APPEARS);
        const stored = await db()
          .selectFrom('numbers')
          .selectAll()
          .where('organization_id', '=', setup.org.id)
          .where('provider', '=', 'whapi')
          .executeTakeFirstOrThrow();
        expect(stored).toMatchObject({ provider_id: 'ACMEGEAR-7QK2X', phone_number: '+14155550188' });
        expect(JSON.stringify(stored)).not.toContain(WHAPI_TOKEN);
        await askCancelConfirm(
          () => row.getByRole('button', { name: 'Remove' }).click(),
          /^Whapi channel ACMEGEAR-7QK2X \(\+14155550188\) is no longer assigned to this organization; its token is deleted here\./,
          async () => row.waitFor(),
          'whapi',
          'Remove number',
        );
        await row.waitFor({ state: 'detached' });
        expect(errors).toEqual([]);
      },
      STEP,
    );
  });
}
