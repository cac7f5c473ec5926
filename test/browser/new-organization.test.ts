// A new organization from nothing to a working handover, in the dashboard, with a simulated number:
// create it, add a number in one click, add an agent who accepts from the simulator phone with the
// exact message the dashboard shows, create the widget, chat on the demo page, answer from the
// agent's phone — and the answer is live in the widget.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type FreshServer, screenshot, startFreshServer, watchedPage, openSection } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const AGENT = '+15550100201';

let fresh: FreshServer;
let browser: LaunchedBrowser;
let dashboard: Page;
const errors: string[] = [];

beforeAll(async () => {
  fresh = await startFreshServer();
  browser = await launchChromium();
  dashboard = await watchedPage(browser.context, errors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fresh?.stop();
});

const section = (name: string) => openSection(dashboard, name);

describe('a new organization, from nothing to a working handover', () => {
  it('is set up in the dashboard and answers a visitor from the agent’s phone', async () => {
    await dashboard.goto(`${fresh.base}/`);
    await dashboard.getByLabel('API key').fill(ADMIN_KEY);
    await dashboard.getByRole('button', { name: 'Sign in' }).click();
    await dashboard.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);

    // 1. The organization.
    await section('Organization');
    await dashboard.getByLabel('Name', { exact: true }).first().fill('Harbour Tea Rooms');
    await dashboard.getByRole('button', { name: 'Create' }).click();
    const picker = dashboard.getByLabel('Organization', { exact: true });
    await picker.locator('option', { hasText: 'Harbour Tea Rooms' }).waitFor({ state: 'attached', ...APPEARS });
    await picker.selectOption({ label: 'Harbour Tea Rooms' });

    // 2. A number, in one click.
    await section('Numbers');
    await dashboard.getByRole('button', { name: 'Add a simulated number' }).click();
    await dashboard.getByText('+15550110001 is now a simulated number of Harbour Tea Rooms.').waitFor(APPEARS);
    await dashboard.locator('tr[data-number="+15550110001"]').waitFor(APPEARS);

    // 3. An agent, invited until they accept from their own phone.
    await section('Agents');
    await dashboard.getByLabel('Agent name').fill('Ana');
    await dashboard.getByLabel("Agent's WhatsApp number").fill(AGENT);
    await dashboard.getByRole('button', { name: 'Add agent' }).click();
    const row = dashboard.locator(`tr[data-agent="${AGENT}"]`);
    await row.getByText('invited').waitFor(APPEARS);
    const invitation = await dashboard.getByTestId('agent-invitation').innerText();
    const [, message] = /sends (ACCEPT [A-Z0-9]+) from their own WhatsApp to \+15550110001/.exec(invitation) ?? [];
    expect(message, invitation).toBeDefined();

    const simulator = await watchedPage(browser.context, errors);
    await simulator.goto(`${fresh.base}/simulator`);
    const phone = simulator.locator(`section.phone[data-number="${AGENT}"]`);
    await phone.waitFor(APPEARS);
    await phone.getByLabel('New chat with').selectOption('+15550110001');
    await phone.getByLabel('Message', { exact: true }).fill(message!);
    await phone.getByRole('button', { name: 'Send' }).click();
    await phone.getByText('You are now an agent of Harbour Tea Rooms').waitFor(APPEARS);
    await row.getByText('active').waitFor(APPEARS);
    await screenshot(dashboard, 'new-organization-agents');

    // 4. The widget, handing over from the new number to Ana.
    await section('Widgets');
    await dashboard.getByLabel('New widget').fill('Tea room chat');
    await dashboard.getByRole('button', { name: 'Create' }).click();
    await dashboard.getByRole('heading', { name: 'Settings' }).waitFor(APPEARS);
    await dashboard.getByLabel("Agents' WhatsApp numbers (one per line)").fill(AGENT);
    await dashboard.getByLabel('Handover sender number').selectOption('+15550110001');
    await dashboard.getByRole('button', { name: 'Save', exact: true }).click();
    await dashboard.getByText('Saved.').waitFor(APPEARS);
    await dashboard.getByTestId('widget-agents').getByText('Ana: active').waitFor(APPEARS);
    const publicKey = await dashboard.locator('p.muted code').first().innerText();
    expect(publicKey).toMatch(/^wpk_/);

    // 5. A visitor on the demo page asks for a human.
    const site = await watchedPage(browser.context, errors);
    await site.goto(`${fresh.base}/demo?widget=${publicKey}`);
    await site.getByRole('button', { name: 'Open chat' }).click();
    const input = site.getByRole('textbox', { name: 'Message' });
    await input.fill('Do you have a table for four at noon?');
    await input.press('Enter');
    await site.getByRole('button', { name: 'Talk to a human' }).first().click();
    // the widget asks for a name before the first handover (optional)
    await site.getByRole('textbox', { name: 'Your name' }).fill('Rita');
    await site.getByRole('button', { name: 'Continue' }).click();
    const log = site.locator('#switchboard-widget [role=log]');
    await expect.poll(() => log.innerText(), APPEARS).toContain('Connecting you with an agent');

    // 6. Ana gets the notification on her phone and answers in that chat.
    await phone.getByText('🔔 Agent Handover Request').waitFor(APPEARS);
    const notification = await phone.locator('li.theirs', { hasText: 'Agent Handover Request' }).innerText();
    expect(notification).toContain('💬 Do you have a table for four at noon?');
    expect(notification).toContain('Reply in this chat: your message');
    await phone.getByLabel('Message', { exact: true }).fill('Yes! A table for four at noon is yours.');
    await phone.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => log.innerText(), APPEARS).toContain('Yes! A table for four at noon is yours.');
    await screenshot(site, 'new-organization-widget');
  }, 240_000);

  it('no page logged an error', () => {
    // The platform key's Numbers section asks for the Meta business account, which this server has not
    // configured: Chromium logs that 503 (its sentence is shown on the page); anything else is a fault.
    expect(errors.filter((e) => !/status of 503 .*\/dashboard\/numbers\)$/.test(e))).toEqual([]);
  });
});
