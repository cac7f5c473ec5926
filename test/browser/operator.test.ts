// The operator's first hour in a real browser, desktop width: a new organization becomes the
// selected one and its first key is its own; it is renamed, described and deleted; the join code
// is shown only on the trial plan with the shared number; usage shows no negative money.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSharedTrialNumber } from '../../src/services/inbound/trial.js';
import { useAllowance } from '../support/factories.js';
import { ADMIN_KEY, type FreshServer, screenshot, startFreshServer, watchedPage, openSection } from './story.js';
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

const section = (name: string) => openSection(page, name);

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
      // it lands on its first-run guide (test/browser/first-run.test.ts); its settings are a click away
      await page.getByRole('heading', { name: 'Set up Harbour Tea Rooms' }).waitFor(APPEARS);
      await expect.poll(selectedName, APPEARS).toBe('Harbour Tea Rooms');
      await section('Organization');
      await page.getByRole('heading', { name: 'Harbour Tea Rooms', exact: true }).waitFor(APPEARS);
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
      // the organization list is read again after the switch: the deleted one leaves it then
      await expect.poll(() => switcher().locator('option').allInnerTexts(), APPEARS).toEqual(['Lantern Lane Bikes']);
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
      // The plan's count is a counter moved as messages are sent (not a count of rows): these eight
      // WhatsApp replies used eight of the allowance.
      await useAllowance(fresh.server.ctx, orgId, 8, at.slice(0, 7));
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

/** A 1×1 PNG: a real picture for the browser to draw. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const MAYA = '+15550100101';
const TOM = '+15550100102';

async function json(method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY) {
  const res = await fetch(`${fresh.base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${answer.error}`);
  return answer;
}

describe('the agent’s day', () => {
  let visitor: { sessionId: string; token: string };
  let handover: { conversationRef: number; assignedWhatsappNumber: string };
  const asVisitor = (method: string, path: string, body?: unknown) =>
    fetch(`${fresh.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${visitor.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, any>>);

  it(
    'the inbox opens a handed-over conversation at its newest message, notices apart, each agent’s path shown',
    async () => {
      const demo = fresh.server.demo!;
      // Maya never wrote to the shop's numbers and the widget names no template of its own: only the managed one reaches her.
      await fresh.server.ctx.db.deleteFrom('service_windows').where('contact_address', '=', MAYA).execute();
      await json('PATCH', `/api/widgets/${demo.widgetId}`, { handoverTemplate: null });
      visitor = (await json('POST', `/api/widget/${demo.widgetPublicKey}/sessions`, { visitorName: 'Ana' }, null)) as typeof visitor;
      await asVisitor('POST', `/api/widget/sessions/${visitor.sessionId}/messages`, { text: 'My chain broke on the river path.' });
      handover = (await asVisitor('POST', `/api/widget/sessions/${visitor.sessionId}/handover`)) as typeof handover;
      expect(handover).toMatchObject({ ok: true, conversationRef: expect.any(Number) });
      for (let i = 1; i <= 16; i++)
        await asVisitor('POST', `/api/widget/sessions/${visitor.sessionId}/messages`, { text: `Detail number ${i} of my trouble.` });

      await switcher().selectOption({ label: 'Lantern Lane Bikes' });
      await section('Conversations');
      const item = page.getByRole('button', { name: new RegExp(`^#${handover.conversationRef} Ana`) });
      await item.waitFor(APPEARS);
      await expect.poll(() => item.locator('.unread').innerText(), APPEARS).toMatch(/^\d+$/);
      await item.click();
      const thread = page.getByRole('region', { name: `Conversation #${handover.conversationRef}` });
      // Maya never wrote to these numbers: the path is chosen before sending, so her notification went
      // as the handover template (the simulator's is approved at once), and nothing free-form was sent
      // to her to fail; the inbox names each agent's path while the visitor waits.
      const mayaOutcome = thread.getByTestId('agent-outcomes').locator('li').filter({ hasText: 'Maya' });
      await mayaOutcome.waitFor(APPEARS);
      await expect(mayaOutcome.innerText()).resolves.toMatch(/notified \(template from \+\d+\)/);
      await expect(thread.locator('li.notice.failed').count()).resolves.toBe(0);
      // Tom's notification went out: a notice too, not a bubble the visitor saw
      await thread
        .locator('li.notice:not(.failed)')
        .filter({ hasText: `To agent Tom (agent) (${TOM}) on WhatsApp` })
        .first()
        .waitFor(APPEARS);
      await expect(thread.locator('li.msg').filter({ hasText: 'Agent Handover Request' }).count()).resolves.toBe(0);
      await expect(thread.getByTestId('assignee').innerText()).resolves.toBe('waiting for an agent');
      // opened at the newest message
      await thread.locator('li.msg').filter({ hasText: 'Detail number 16' }).waitFor(APPEARS);
      const scroll = await thread
        .locator('ol.messages')
        .evaluate((el) => ({ overflow: el.scrollHeight > el.clientHeight, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight }));
      expect(scroll.overflow).toBe(true);
      expect(scroll.fromBottom).toBeLessThan(10);
      // read once shown
      await expect.poll(() => item.locator('.unread').count(), APPEARS).toBe(0);
      await screenshot(page, 'operator-inbox-agent-paths');
      // hiding the agents' side leaves what the visitor saw
      await thread.getByLabel('Show what went to and from the agents’ WhatsApp').uncheck();
      await expect(thread.locator('li.notice').count()).resolves.toBe(0);
      await thread.getByLabel('Show what went to and from the agents’ WhatsApp').check();
    },
    STEP,
  );

  it(
    'the simulator shows the template an agent outside the window got; the agent attaches a photo, which the visitor gets and the phone shows as a picture',
    async () => {
      const sim = await browser.context.newPage();
      sim.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} (simulator)`));
      sim.on('pageerror', (e) => errors.push(`pageerror: ${e.message} (simulator)`));
      await sim.goto(`${fresh.base}/simulator`);
      const maya = sim.locator(`section.phone[data-number="${MAYA}"]`);
      await maya.getByLabel('New chat with').selectOption(handover.assignedWhatsappNumber);
      // Her window with this number is closed: the template reached her phone, and nothing failed there.
      await maya.locator('li').filter({ hasText: 'switchboard_handover_request' }).first().waitFor(APPEARS);
      await expect(maya.locator('li.failed').count()).resolves.toBe(0);

      const tom = sim.locator(`section.phone[data-number="${TOM}"]`);
      await tom.getByLabel('New chat with').selectOption(handover.assignedWhatsappNumber);
      await tom.locator('li').filter({ hasText: 'Agent Handover Request' }).first().waitFor(APPEARS);
      await tom.getByLabel('Attach a file').setInputFiles({ name: 'chain.png', mimeType: 'image/png', buffer: PIXEL });
      const photo = tom.locator('li.mine img.photo');
      await photo.waitFor(APPEARS);
      await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), APPEARS).toBe(1);
      await expect
        .poll(async () => {
          const history = await asVisitor('GET', `/api/widget/sessions/${visitor.sessionId}/messages`);
          return history.messages.some((m: { author: string; media?: { type?: string } }) => m.author === 'agent' && m.media?.type === 'image');
        }, APPEARS)
        .toBe(true);
      await screenshot(sim, 'operator-simulator-template-and-photo');

      // the first agent to answer takes the conversation: the inbox names him
      await page.reload();
      await page.getByRole('button', { name: new RegExp(`^#${handover.conversationRef} Ana`) }).click();
      await expect.poll(() => page.getByTestId('assignee').innerText(), APPEARS).toBe(`Tom (agent) (${TOM})`);
      // his photo in the thread is the visitor's bubble from him, by name
      await page.locator('li.msg.agent .who', { hasText: 'Agent Tom (agent)' }).first().waitFor(APPEARS);
      await sim.close();
    },
    STEP,
  );

  it(
    'a reply from the inbox with *bold* and _italic_ shows on the customer’s phone as WhatsApp draws it',
    async () => {
      const sim = await browser.context.newPage();
      sim.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} (simulator)`));
      await sim.goto(`${fresh.base}/simulator`);
      const demo = fresh.server.demo!;
      const sam = sim.locator(`section.phone[data-number="${demo.customerNumber}"]`);
      await sam.getByLabel('New chat with').selectOption(demo.businessNumber);
      await sam.getByLabel('Message').fill('Is my bike ready?');
      await sam.getByRole('button', { name: 'Send' }).click();

      const item = page.getByRole('button', { name: /Sam Rivera/ }).first();
      await item.waitFor(APPEARS);
      await item.click();
      await page.getByLabel('Reply').fill('Yes: your bike is *ready* and _polished_.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const reply = sam.locator('li.theirs').filter({ hasText: 'your bike is' });
      await reply.waitFor(APPEARS);
      await expect(reply.locator('strong').innerText()).resolves.toBe('ready');
      await expect(reply.locator('em').innerText()).resolves.toBe('polished');
      await expect(reply.innerText()).resolves.not.toContain('*');
      await screenshot(sim, 'operator-simulator-bold');
      await sim.close();
    },
    STEP,
  );
});

describe('the widget editor', () => {
  it(
    'sets every widget setting, and the preview page shows that widget of that organization',
    async () => {
      await switcher().selectOption({ label: 'Kettle Corner' });
      await section('Widgets');
      await page.getByLabel('New widget').fill('Kettle chat');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('heading', { name: 'Settings' }).waitFor(APPEARS);
      await page.getByLabel('Title shown in the chat').fill('Kettle Corner tea desk');
      await page.getByLabel('Main colour').fill('#7b2d26');
      await page.getByLabel('Text colour on it').fill('#fff8e7');
      await page.getByLabel('Greeting').fill('Hello from the kettle!');
      await page.getByLabel('Agents answer only during working hours').check();
      await page.getByLabel('Time zone').selectOption('UTC');
      // a day that is neither today nor tomorrow (UTC): the widget is surely offline now
      const day = (new Date().getUTCDay() + 3) % 7;
      const names = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
      const days = page.getByRole('group', { name: 'Working days' });
      for (const [i, name] of names.entries()) await days.getByLabel(name, { exact: true }).setChecked(i === day);
      await page.getByLabel('From', { exact: true }).fill('08:30');
      await page.getByLabel('Until', { exact: true }).fill('16:00');
      await page.getByLabel(/^Offline message/).fill('We are out picking tea leaves.');
      await page.getByLabel('Inactivity timeout (minutes)').fill('45');
      await page.getByLabel('An agent may carry several chats at once').uncheck();
      await page.getByLabel(/send an approved template/).check();
      await page.getByLabel('Template name').fill('tea_handover');
      await page.getByLabel('Language').fill('en_GB');
      await page.getByLabel(/^Variables/).fill('{ref}, {name}');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.').waitFor(APPEARS);
      await screenshot(page, 'operator-widget-editor');

      const orgId = await switcher().inputValue();
      const { widgets } = await json('GET', `/api/organizations/${orgId}/widgets`);
      expect(widgets).toHaveLength(1);
      expect(widgets[0]).toMatchObject({
        name: 'Kettle chat',
        title: 'Kettle Corner tea desk',
        colors: { primary: '#7b2d26', text: '#fff8e7' },
        greeting: 'Hello from the kettle!',
        workingHours: { timeZone: 'UTC', days: [day], start: '08:30', end: '16:00' },
        offlineMessage: 'We are out picking tea leaves.',
        inactivityTimeoutMinutes: 45,
        enableMultipleWhatsappChats: false,
        handoverTemplate: { name: 'tea_handover', language: 'en_GB', variables: ['{ref}', '{name}'] },
      });

      // the preview is this widget on a page of this organization
      const preview = page.frameLocator('iframe.preview');
      await preview.getByRole('heading', { name: 'Kettle Corner', level: 1 }).waitFor(APPEARS);
      await expect(preview.locator('body').innerText()).resolves.not.toContain('Lantern Lane');
      // Chromium does not draw an iframe scrolled out of view, so a click there would wait forever
      await page.locator('iframe.preview').scrollIntoViewIfNeeded();
      await preview.getByRole('button', { name: 'Open chat' }).click();
      await preview.getByRole('heading', { name: 'Kettle Corner tea desk' }).waitFor(APPEARS);
      const header = preview.locator('#switchboard-widget header');
      await expect(header.evaluate((h) => getComputedStyle(h).backgroundColor)).resolves.toBe('rgb(123, 45, 38)');
      await preview.locator('#switchboard-widget .m.bot', { hasText: 'Hello from the kettle!' }).waitFor(APPEARS);
      // offline: the labelled email field is offered with the offline message
      const email = preview.getByRole('textbox', { name: 'Your email address' });
      await email.waitFor(APPEARS);
      await expect(preview.locator('#sb-email-note').innerText()).resolves.toBe('We are out picking tea leaves.');
      await email.fill('ana@example.com');
      await preview.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => email.isHidden(), APPEARS).toBe(true);
      await screenshot(page, 'operator-widget-preview');
      // the address is on the visitor's contact, which the inbox shows on their conversation
      const contact = await fresh.server.ctx.db.selectFrom('contacts').select('email').where('organization_id', '=', orgId).executeTakeFirstOrThrow();
      expect(contact.email).toBe('ana@example.com');
    },
    STEP,
  );

  it(
    'keeps notes on pool numbers',
    async () => {
      await switcher().selectOption({ label: 'Lantern Lane Bikes' });
      await section('Widgets');
      const notes = page.getByLabel('Notes');
      await notes.first().waitFor(APPEARS);
      await notes.first().fill('Front desk, mornings');
      await page.getByRole('button', { name: 'Save pool' }).click();
      await expect
        .poll(async () => (await json('GET', `/api/widgets/${fresh.server.demo!.widgetId}`)).widget.whatsappNumberPool[0].notes, APPEARS)
        .toBe('Front desk, mornings');
    },
    STEP,
  );
});

describe('no console errors', () => {
  it('no page logged an error', () => {
    expect(errors).toEqual([]);
  });
});
