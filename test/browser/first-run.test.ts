// The first-run guide in a real browser, from an empty organization to an answered visitor, at
// desktop width and at 390 px: create the organization (it lands on the guide), add a simulated
// number, add knowledge, train and ask, invite an agent who accepts from the simulator phone with
// the exact message shown, create the widget, open its own page, the visitor asks for a human, the
// agent answers from the simulator phone and the visitor sees it. Each step's done / missing state
// is read from the page as it changes.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type FreshServer, horizontalOverflow, PHONE, screenshot, startFreshServer, watchedPage } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const RUN = 300_000;
const STEPS = ['number', 'knowledge', 'agents', 'widget', 'embed', 'try'];

let fresh: FreshServer;
const errors: string[] = [];

beforeAll(async () => {
  fresh = await startFreshServer();
}, 180_000);

afterAll(async () => {
  await fresh?.stop();
});

/** One run of the guide in its own browser at the given size, for a new organization. */
async function walkThrough(options: { label: string; viewport?: { width: number; height: number }; organization: string; agent: string; visitor: string }) {
  const browser: LaunchedBrowser = await launchChromium({ viewport: options.viewport });
  try {
    const page = await watchedPage(browser.context, errors);
    const shot = (target: Page, name: string) => screenshot(target, `first-run-${options.label}-${name}`);
    const step = (name: string) => page.locator(`li[data-step="${name}"]`);
    const state = (name: string) => step(name).getAttribute('data-state');
    const lines = (name: string, kind: 'fact' | 'missing') => step(name).locator(`.guide-lines li.${kind}`).allInnerTexts();
    const becomes = async (name: string, wanted: 'done' | 'missing') => expect.poll(() => state(name), APPEARS).toBe(wanted);
    const hasLine = async (name: string, kind: 'fact' | 'missing', text: string | RegExp) =>
      expect.poll(async () => (await lines(name, kind)).some((l) => (typeof text === 'string' ? l.includes(text) : text.test(l))), APPEARS).toBe(true);
    const next = (title: string) => page.getByRole('button', { name: `Next: ${title}` }).click();
    const work = (name: string): Locator => step(name).locator('.guide-work');

    await page.goto(`${fresh.base}/`);
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);

    // The organization: created, selected, and landed on its guide with nothing done.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organization', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill(options.organization);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: `Set up ${options.organization}` }).waitFor(APPEARS);
    expect(new URL(page.url()).pathname).toBe('/dashboard/guide');
    await expect
      .poll(() => page.getByLabel('Organization', { exact: true }).evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent), APPEARS)
      .toBe(options.organization);
    await expect(page.getByTestId('guide-progress').innerText()).resolves.toBe('0 of 6 steps done.');
    for (const name of STEPS) expect(await state(name)).toBe('missing');
    await hasLine('number', 'missing', 'No number of your own yet');
    await hasLine('knowledge', 'missing', 'No documents yet');
    await hasLine('agents', 'missing', 'No agent yet');
    await hasLine('widget', 'missing', 'No widget yet');
    await hasLine('embed', 'missing', 'Create the widget first');
    await hasLine('try', 'missing', 'Create the widget first');
    // the first missing step is open, with the real providers explained and linked to Numbers
    const realNumbers = work('number').getByRole('heading', { name: 'Or a real number' });
    await realNumbers.waitFor(APPEARS);
    const ways = await work('number').locator('li', { hasText: 'in Numbers' }).allInnerTexts();
    expect(ways.map((w) => w.split(':')[0])).toEqual(['Twilio', 'Meta (WhatsApp Cloud API)', 'Whapi', 'Your own account (Twilio, Meta or Whapi)']);
    if (options.viewport) expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, '1-empty');

    // 1. A simulated number in one click.
    await work('number').getByRole('button', { name: 'Add a simulated number' }).click();
    const added = await work('number')
      .getByText(/is now a simulated number of/)
      .innerText();
    const [, number] = /^(\+\d+) is now a simulated number/.exec(added) ?? [];
    expect(number, added).toMatch(/^\+1555011\d{4}$/);
    await becomes('number', 'done');
    await hasLine('number', 'fact', `${number} (simulator) — sender online`);
    expect(await lines('number', 'missing')).toEqual([]);
    await next('What the bot knows');

    // 2. Knowledge: typed, then missing its training, trained, asked.
    await work('knowledge').getByLabel('Title', { exact: true }).fill('Afternoon tea');
    await work('knowledge').getByLabel('Content', { exact: true }).fill('Afternoon tea is served every day from 2pm to 5pm and costs $18 per person.');
    await work('knowledge').getByRole('button', { name: 'Add text' }).click();
    await hasLine('knowledge', 'fact', '1 document: Afternoon tea');
    await hasLine('knowledge', 'missing', 'Not trained yet: press Train so answers use it.');
    expect(await state('knowledge')).toBe('missing');
    await work('knowledge').getByRole('button', { name: 'Train', exact: true }).click();
    await becomes('knowledge', 'done');
    await hasLine('knowledge', 'fact', /^Trained /);
    expect(await lines('knowledge', 'missing')).toEqual([]);
    await work('knowledge').getByRole('textbox', { name: 'Question' }).fill('How much is afternoon tea?');
    await work('knowledge').getByRole('button', { name: 'Ask', exact: true }).click();
    await expect.poll(() => work('knowledge').getByTestId('answer').innerText(), APPEARS).toContain('$18 per person');
    await hasLine('knowledge', 'fact', 'You asked “How much is afternoon tea?”: answered');
    await next('Agents who answer');

    // 3. An agent: invited, told the exact message and where to send it; accepts from the phone.
    await work('agents').getByLabel('Agent name').fill('Ana');
    await work('agents').getByLabel("Agent's WhatsApp number").fill(options.agent);
    await work('agents').getByRole('button', { name: 'Add agent' }).click();
    await hasLine('agents', 'missing', `Ana (${options.agent}) has not accepted yet`);
    const waiting = (await lines('agents', 'missing')).find((l) => l.startsWith('Ana'))!;
    const [, accept, sendTo] = /they send “(ACCEPT [A-Z0-9]+)” from their WhatsApp to (\+\d+)\.$/.exec(waiting) ?? [];
    expect(accept, waiting).toBeDefined();
    expect(sendTo).toBe(number);
    await expect(work('agents').getByTestId('agent-invitation').innerText()).resolves.toContain(`${accept} from their own WhatsApp to ${number}`);
    expect(await state('agents')).toBe('missing');
    await work('agents').getByRole('link', { name: 'the simulator' }).waitFor(APPEARS);

    const simulator = await watchedPage(browser.context, errors);
    await simulator.goto(`${fresh.base}/simulator`);
    const phone = simulator.locator(`section.phone[data-number="${options.agent}"]`);
    await phone.waitFor(APPEARS);
    await phone.getByLabel('New chat with').selectOption(number!);
    await phone.getByLabel('Message', { exact: true }).fill(accept!);
    await phone.getByRole('button', { name: 'Send' }).click();
    await phone.getByText(`You are now an agent of ${options.organization}`).waitFor(APPEARS);
    // live: the guide sees it without a reload
    await becomes('agents', 'done');
    await hasLine('agents', 'fact', `Active: Ana (${options.agent})`);
    expect(await lines('agents', 'missing')).toEqual([]);
    await shot(page, '2-agent-active');
    await next('The website chat');

    // 4. The widget: origins, greeting, hours, sender from the organization's number, to Ana.
    await hasLine('widget', 'missing', 'No widget yet');
    await work('widget').getByLabel('Widget name').fill('Tea room chat');
    await work('widget').getByLabel('Your website (optional)').fill('https://tea.example');
    await work('widget').getByRole('button', { name: 'Create widget' }).click();
    await becomes('widget', 'done');
    await hasLine('widget', 'fact', `“Tea room chat” may be used on https://tea.example, ${fresh.base}`);
    await hasLine('widget', 'fact', 'No greeting (optional)');
    await hasLine('widget', 'fact', 'Agents answer at any hour (no working hours set)');
    await hasLine('widget', 'fact', `Hands over from ${number}`);
    await hasLine('widget', 'fact', 'Hands over to Ana');
    expect(await lines('widget', 'missing')).toEqual([]);
    // the sections' own editor: a greeting saved there shows in the step
    await work('widget').getByLabel('Greeting').fill(`Welcome to ${options.organization}!`);
    await work('widget').getByRole('button', { name: 'Save', exact: true }).click();
    await hasLine('widget', 'fact', `Greets visitors with “Welcome to ${options.organization}!”`);
    await expect(work('widget').getByLabel('Handover sender number').inputValue()).resolves.toBe(number);
    // nobody has written yet
    await hasLine('embed', 'missing', 'No visitor has written yet');
    await hasLine('try', 'missing', 'No visitor answered by an agent yet');
    await next('Embed it on your site');

    // 5. The embed snippet.
    const snippet = await work('embed').locator('pre.snippet').innerText();
    const [, publicKey] = /^<script src="[^"]+\/widget\.js" data-widget="(wpk_[^"]+)" async><\/script>$/.exec(snippet) ?? [];
    expect(publicKey, snippet).toBeDefined();
    await next('Try it as a visitor');

    // 6. Its own page: the visitor asks for a human, Ana answers from her phone.
    const open = work('try').getByRole('link', { name: "Open the widget's page" });
    const href = await open.getAttribute('href');
    expect(href).toBe(`/widgets/${publicKey}/preview`);
    expect(await open.getAttribute('target')).toBe('_blank');
    const site = await watchedPage(browser.context, errors);
    await site.goto(`${fresh.base}${href}`);
    await site.getByRole('heading', { name: options.organization, level: 1 }).waitFor(APPEARS);
    await site.getByRole('button', { name: 'Open chat' }).click();
    const log = site.locator('#switchboard-widget [role=log]');
    await expect.poll(() => log.innerText(), APPEARS).toContain(`Welcome to ${options.organization}!`);
    const input = site.getByRole('textbox', { name: 'Message' });
    await input.fill('Can I bring a dog to afternoon tea?');
    await input.press('Enter');
    await site.getByRole('button', { name: 'Talk to a human' }).first().click();
    await site.getByRole('textbox', { name: 'Your name' }).fill(options.visitor);
    await site.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => log.innerText(), APPEARS).toContain('Connecting you with an agent');

    await becomes('embed', 'done');
    await hasLine('embed', 'fact', /^1 website chat so far/);
    await hasLine('try', 'missing', `${options.visitor} is waiting: an active agent answers from their WhatsApp.`);
    expect(await state('try')).toBe('missing');

    await phone.getByText('🔔 Agent Handover Request').waitFor(APPEARS);
    const notification = await phone.locator('li.theirs', { hasText: 'Agent Handover Request' }).innerText();
    expect(notification).toContain(`👤 USER: ${options.visitor}`);
    expect(notification).toContain('💬 Can I bring a dog to afternoon tea?');
    await phone.getByLabel('Message', { exact: true }).fill('Dogs are welcome on the terrace!');
    await phone.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => log.innerText(), APPEARS).toContain('Dogs are welcome on the terrace!');
    await shot(site, '3-visitor-answered');

    await becomes('try', 'done');
    await hasLine('try', 'fact', new RegExp(`^Ana answered ${options.visitor} \\(#\\d+\\)$`));
    expect(await lines('try', 'missing')).toEqual([]);
    await expect.poll(() => page.getByTestId('guide-progress').innerText(), APPEARS).toBe('All six steps are done: visitors are answered.');
    if (options.viewport) expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, '4-all-done');

    // Reopened later: from another section, and after a reload, the same state from the server.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Conversations', exact: true }).click();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Get started', exact: true }).click();
    await page.getByRole('heading', { name: `Set up ${options.organization}` }).waitFor(APPEARS);
    await page.reload();
    await page.getByRole('heading', { name: `Set up ${options.organization}` }).waitFor(APPEARS);
    for (const name of STEPS) await becomes(name, 'done');
    // nothing missing, so no step is opened by itself
    await expect(page.locator('.guide-work').count()).resolves.toBe(0);
  } finally {
    await browser.close();
  }
}

/** The admin API with the platform key. */
async function asPlatform(method: string, path: string, body?: unknown) {
  const response = await fetch(`${fresh.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${method} ${path} answered ${response.status}`).toBe(true);
  return response.json();
}

/** Signs in with a new key of a new organization; `setUp` gives it something first. */
async function signInAsNewOrganization(name: string, setUp?: (orgId: string) => Promise<unknown>) {
  const { organization } = await asPlatform('POST', '/api/organizations', { name });
  await setUp?.(organization.id);
  const { key } = await asPlatform('POST', `/api/organizations/${organization.id}/api-keys`);
  const browser = await launchChromium();
  const page = await watchedPage(browser.context, errors);
  // the dashboard's own look at the organization's knowledge (the section it lands on never reads it)
  const knowledgeRead = page.waitForResponse((r) => r.url().endsWith(`/api/organizations/${organization.id}/knowledge`));
  await page.goto(`${fresh.base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { browser, page, knowledgeRead };
}

describe('the first-run guide', () => {
  it(
    'takes a new organization from nothing to an answered visitor at desktop width',
    () => walkThrough({ label: 'desktop', organization: 'Harbour Tea Rooms', agent: '+15550100301', visitor: 'Rita' }),
    RUN,
  );

  it(
    'does the same at 390 px',
    () => walkThrough({ label: 'phone', viewport: PHONE, organization: 'Quayside Scones', agent: '+15550100302', visitor: 'Omar' }),
    RUN,
  );

  it(
    'an organization key for an organization with nothing yet lands on its guide; one with a number lands on Conversations',
    async () => {
      const empty = await signInAsNewOrganization('Empty Nest Cafe');
      try {
        await empty.page.getByRole('heading', { name: 'Set up Empty Nest Cafe' }).waitFor(APPEARS);
        expect(new URL(empty.page.url()).pathname).toBe('/dashboard/guide');
        await expect(empty.page.getByTestId('guide-progress').innerText()).resolves.toBe('0 of 6 steps done.');
      } finally {
        await empty.browser.close();
      }

      const started = await signInAsNewOrganization('Busy Bee Bakery', (id) =>
        asPlatform('POST', `/api/organizations/${id}/numbers`, { provider: 'simulator' }),
      );
      try {
        await (await started.knowledgeRead).finished();
        await started.page.getByRole('heading', { name: 'Conversations' }).waitFor(APPEARS);
        expect(new URL(started.page.url()).pathname).not.toBe('/dashboard/guide');
        await expect(started.page.getByRole('heading', { name: 'Set up Busy Bee Bakery' }).count()).resolves.toBe(0);
      } finally {
        await started.browser.close();
      }
    },
    RUN,
  );

  it('no page logged an error', () => {
    expect(errors).toEqual([]);
  });
});
