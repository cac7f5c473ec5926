// The widget in real Chromium, embedded on a page of another origin: a visitor chats with the bot,
// asks for a human, and the agent's WhatsApp reply (a signed Twilio webhook) appears live.
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { seedKnowledge } from '../../src/services/knowledge/training.js';
import { publishVisitorStatus } from '../../src/services/widgets/visitor-outbound.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { startFakeTwilio, type FakeTwilio, twilioPlatformEnv } from '../fakes/twilio.js';
import { signedTwilioRequest } from '../fixtures/providers/index.js';
import { makeTestContext } from '../support/context.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { launchChromium, type LaunchedBrowser } from './support.js';

const AGENT = '+15550109001';
const SENDER = '+14155550123';
// A 1×1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let server: RunningServer;
let twilio: FakeTwilio;
let site: Server;
let siteUrl: string;
let browser: LaunchedBrowser;
let organizationId = '';

/** The shop's own page: hostile styles that must not reach the widget, and a button the widget must not restyle. */
function shopPage(apiUrl: string, publicKey: string): string {
  return `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>* { color: rgb(255, 0, 0) !important; font-size: 40px; } button { background: rgb(0, 0, 255); }</style></head>
<body><h1>Shop</h1><button id="page-button">Buy</button>
<script src="${apiUrl}/widget.js" data-widget="${publicKey}" async></script></body></html>`;
}

beforeAll(async () => {
  // The test embeds the bundle built from the current source.
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../../node_modules/tsx/dist/cli.mjs'), 'scripts/build-web.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
    stdio: 'pipe',
  });
  twilio = await startFakeTwilio();
  // `/?key=…` embeds another widget of the shop.
  site = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(shopPage(server.url, new URL(req.url!, siteUrl).searchParams.get('key') ?? publicKey));
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

  const ctx = await makeTestContext({
    env: { PORT: '0', ...twilioPlatformEnv(twilio) },
  });
  const org = await makeOrganization(ctx, { name: 'Casa Verde' });
  organizationId = org.id;
  const sender = await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: SENDER, provider_id: `PN${'a'.repeat(32)}` });
  await openServiceWindow(ctx, sender.id, AGENT); // the agent wrote to the sender today
  await activateAgents(ctx, org.id, [AGENT]); // and accepted from that phone
  await seedKnowledge(ctx, org.id, [
    { title: 'Shipping', content: 'We ship to Spain, France and Germany. Delivery takes 3 to 5 business days and costs 5 euros.' },
  ]);
  const widget = await createWidget(
    ctx,
    org.id,
    widgetInput.parse({
      name: 'Casa Verde',
      allowedOrigins: [siteUrl],
      greeting: 'Hi! Ask me anything.',
      agentWhatsappNumbers: [AGENT],
      handoverWhatsappNumber: SENDER,
    }),
  );
  publicKey = widget.publicKey;
  // Agents of this one work on no day at all: always outside working hours.
  const closed = await createWidget(
    ctx,
    org.id,
    widgetInput.parse({
      name: 'Night desk',
      allowedOrigins: [siteUrl],
      agentWhatsappNumbers: [AGENT],
      handoverWhatsappNumber: SENDER,
      workingHours: { timeZone: 'UTC', days: [0], start: '00:00', end: '00:01' },
    }),
  );
  closedKey = closed.publicKey;
  server = await startServer(ctx);
  browser = await launchChromium();
}, 120_000);

let publicKey = '';
let closedKey = '';

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await twilio?.close();
  site?.close();
});

/** Text of the widget's message log (Playwright locators reach into open shadow roots). */
const logText = (page: Page) => page.locator('#switchboard-widget [role=log]').innerText();

async function agentReplies(text: string) {
  const request = signedTwilioRequest(
    {
      MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
      AccountSid: twilio.accountSid,
      From: `whatsapp:${AGENT}`,
      To: `whatsapp:${SENDER}`,
      Body: text,
      NumMedia: '0',
      ProfileName: 'Sam',
      WaId: AGENT.slice(1),
      MessageType: 'text',
    },
    twilio.authToken,
    server.ctx.config.publicUrl,
  );
  // A connection of its own each time (the test drops the server's connections at one point).
  const status = await new Promise<number>((done, fail) => {
    const req = httpRequest(server.url + request.url, { method: 'POST', headers: request.headers, agent: false }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end(request.rawBody);
  });
  expect(status).toBe(200);
}

describe('website widget in Chromium', () => {
  it('chats with the bot, hands over to a human, and shows the agent reply live', async () => {
    const page = await browser.context.newPage();
    await page.goto(siteUrl);
    const bubble = page.getByRole('button', { name: 'Open chat' });
    await bubble.waitFor();

    // Styles stay on their side of the shadow root, both ways.
    expect(await page.locator('#page-button').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(0, 0, 255)');
    expect(await bubble.evaluate((b) => getComputedStyle(b).fontSize)).toBe('15px');

    // Keyboard: open with Enter, the message box gets focus, Enter sends.
    await bubble.focus();
    await page.keyboard.press('Enter');
    const input = page.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => input.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    const log = page.getByRole('log');
    expect(await log.getAttribute('aria-live')).toBe('polite');
    expect(await input.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).fontSize])).toEqual(['rgb(27, 31, 35)', '15px']);
    await expect.poll(() => logText(page)).toContain('Hi! Ask me anything.');

    await page.keyboard.type('Do you ship to Spain?');
    await page.keyboard.press('Enter');
    await expect.poll(() => logText(page), { timeout: 20_000 }).toMatch(/Assistant[\s:]+[\s\S]*Spain[\s\S]*business days/);
    // Who wrote is said for screen readers too.
    expect(await log.locator('.m.visitor .who').first().textContent()).toBe('You');

    // Within working hours the email field is not offered.
    expect(await page.getByRole('textbox', { name: 'Your email address' }).isHidden()).toBe(true);
    // Before the first handover the visitor is asked for a name (optional).
    await page.getByRole('button', { name: 'Talk to a human' }).first().click();
    const name = page.getByRole('textbox', { name: 'Your name' });
    await name.waitFor();
    await expect.poll(() => name.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await name.fill('Ana');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => logText(page), { timeout: 20_000 }).toContain('Connecting you with an agent');
    expect(await name.isHidden()).toBe(true);
    await waitFor(() => [...twilio.messages.values()].some((m) => m.to === `whatsapp:${AGENT}` && String(m.body).includes('👤 USER: Ana\n')), {
      what: "the handover notification on the agent's WhatsApp",
    });
    const conversation = await server.ctx.db.selectFrom('conversations').select('ref').executeTakeFirstOrThrow();
    const session = await server.ctx.db.selectFrom('widget_sessions').select('id').executeTakeFirstOrThrow();

    // Typing, where the provider reports it, shows until the agent's message arrives.
    await publishVisitorStatus(server.ctx, session.id, { agentTyping: true });
    await expect.poll(() => page.locator('#switchboard-widget .typing').innerText()).toBe('Agent is typing…');

    await agentReplies(`#${conversation.ref}: Hello, I am Sam. Which city in Spain?`);
    await expect.poll(() => logText(page), { timeout: 20_000 }).toContain('Hello, I am Sam. Which city in Spain?');
    expect(await log.locator('.m.agent .who').last().innerText()).toBe('Agent');
    expect(await page.locator('#switchboard-widget .typing').innerText()).toBe('');
    expect(await page.locator('#switchboard-widget .status').innerText()).toBe('An agent is with you');

    // The visitor's next message reaches the agent's phone, not the bot.
    await input.fill('Madrid, please');
    await page.keyboard.press('Enter');
    await waitFor(() => [...twilio.messages.values()].some((m) => m.to === `whatsapp:${AGENT}` && String(m.body).endsWith('Madrid, please')), {
      what: 'the forwarded visitor message',
    });

    // A file the visitor attaches reaches the agent as media the provider can fetch.
    await page.locator('#switchboard-widget input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await expect.poll(() => page.locator('#switchboard-widget .m.visitor img').count()).toBe(1);
    await waitFor(
      () => [...twilio.requests].some((r) => r.path.endsWith('/Messages.json') && String(r.body?.MediaUrl ?? '').includes('/api/widget/uploads/')),
      {
        what: 'the attachment sent to the agent',
      },
    );

    // Escape closes and gives focus back to the bubble.
    await page.keyboard.press('Escape');
    expect(await page.locator('#switchboard-widget .panel').isHidden()).toBe(true);
    await expect.poll(() => bubble.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);

    // A reload keeps the session: the history comes back, and new replies still arrive live.
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect.poll(() => logText(page), { timeout: 20_000 }).toContain('Hello, I am Sam.');
    await agentReplies(`#${conversation.ref}: Madrid is fine, it ships tomorrow.`);
    await expect.poll(() => logText(page), { timeout: 20_000 }).toContain('Madrid is fine, it ships tomorrow.');

    // The server drops the connection; a reply sent meanwhile arrives after the widget reconnects by itself.
    const reconnects: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/events')) reconnects.push(r.headers()['last-event-id'] ?? new URL(r.url()).searchParams.get('lastEventId') ?? '');
    });
    server.app.server.closeAllConnections();
    await agentReplies(`#${conversation.ref}: Your parcel number is 4471.`);
    await expect.poll(() => logText(page), { timeout: 20_000 }).toContain('Your parcel number is 4471.');
    expect(reconnects.length).toBeGreaterThan(0);
    expect(reconnects.every((id) => Number(id) > 0)).toBe(true);
    await page.close();
  }, 120_000);

  it('outside working hours says when agents are back and keeps the email the visitor leaves', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${siteUrl}/?key=${closedKey}`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect.poll(() => page.locator('#switchboard-widget .status').innerText()).toBe('Our team is away right now');
    const email = page.getByRole('textbox', { name: 'Your email address' });
    await email.waitFor();
    expect(await page.locator('#sb-email-note').innerText()).toContain('back Sunday at 00:00 (UTC)');
    await email.fill('ana@example.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => logText(page)).toContain('we will write to you by email');
    const contacts = await server.ctx.db.selectFrom('contacts').select('email').where('email', '=', 'ana@example.com').execute();
    expect(contacts).toHaveLength(1);
    await page.close();
  }, 60_000);

  it('offers close passages as quick-reply buttons; a click sends the title and the bot answers from it', async () => {
    await seedKnowledge(server.ctx, organizationId, [
      { title: 'Opening hours', content: 'Q: What are your opening hours?\nA: Monday to Saturday, 9am to 6pm.' },
      { title: 'Holiday hours', content: 'Q: What are your holiday hours?\nA: On public holidays we open from 10am to 4pm.' },
    ]);
    const page = await browser.context.newPage();
    await page.goto(siteUrl);
    // A visitor of their own: the first test's conversation is with an agent.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('are you open today?');
    await page.keyboard.press('Enter');
    const choices = page.getByRole('group', { name: 'Suggested questions' }).last();
    const holiday = choices.getByRole('button', { name: 'What are your holiday hours?' });
    await holiday.waitFor({ timeout: 20_000 });
    await expect(choices.getByRole('button', { name: 'What are your opening hours?' }).count()).resolves.toBe(1);
    // The person is offered beside the choices.
    await expect(page.locator('.m.bot').last().getByRole('button', { name: 'Talk to a human' }).count()).resolves.toBe(1);
    await holiday.click();
    await expect.poll(() => page.locator('.m.visitor').last().innerText(), { timeout: 20_000 }).toContain('What are your holiday hours?');
    await expect.poll(() => page.locator('.m.bot').last().innerText(), { timeout: 20_000 }).toContain('On public holidays we open from 10am to 4pm.');
    await page.close();
  }, 60_000);

  it('fills a phone-sized screen', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ reducedMotion: 'reduce' }); // no opening animation to wait for
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const box = await page.locator('#switchboard-widget .panel').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    await page.close();
  }, 60_000);
});
