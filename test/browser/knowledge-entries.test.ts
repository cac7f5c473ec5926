// The knowledge base's entries in a real browser, at desktop and phone size: an uploaded CSV's
// entries are listed under their document; one answer is edited (marked edited, retrained) and the
// try-it box answers with it; a phrasing learned from a customer's pick is shown and forgotten;
// the edited entry is restored to the document's text.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learnFromPick } from '../../src/services/knowledge/learning.js';
import { ADMIN_KEY, type FreshServer, horizontalOverflow, PHONE, screenshot, startFreshServer, watchedPage } from './story.js';
import { type LaunchedBrowser, launchChromium } from './support.js';

const APPEARS = { timeout: 60_000 };
const STEP = 120_000;
const CSV = [
  'question,answer',
  'Do you deliver bikes?,"Yes, we deliver within 10 km for $15."',
  'Can I pay by card?,"We take all major cards, and cash."',
  'Do you sell helmets?,"Helmets from $30, fitted in the shop."',
].join('\n');
const EDITED = 'Free delivery within 20 km, every day.';

const errors: string[] = [];
/** The server, the browser and its page, started once for the file. */
const world = {} as { fresh: FreshServer; browser: LaunchedBrowser; page: Page };

beforeAll(async () => {
  world.fresh = await startFreshServer();
  world.browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  world.page = await watchedPage(world.browser.context, errors);
}, 180_000);

afterAll(async () => {
  await world.browser?.close();
  await world.fresh?.stop();
});

const entriesCard = () => world.page.locator('section.card').filter({ has: world.page.getByRole('heading', { name: 'Entries', exact: true }) });
const csvDocument = () => entriesCard().getByRole('region', { name: 'bike faq' });
const entry = (question: string) => csvDocument().locator(`[data-testid=entry][data-question="${question}"]`);

async function openKnowledge() {
  const { page } = world;
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Knowledge base', exact: true }).click();
  await page.getByRole('main').waitFor();
}

describe('knowledge entries in the dashboard', () => {
  it(
    'lists an uploaded CSV’s entries, edits an answer that the try-it box then gives, and forgets a learned phrasing (1280×800)',
    async () => {
      const { fresh, page } = world;
      await page.goto(`${fresh.base}/`);
      await page.getByLabel('API key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // the platform key lands on the guide or Organizations: the section links are what every landing has
      await page.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);
      await openKnowledge();
      await page.locator('input[type=file]').setInputFiles({ name: 'bike-faq.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
      await page.getByText('bike-faq.csv uploaded').waitFor(APPEARS);
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page.getByText(/^Trained on \d+ documents/).waitFor(APPEARS);

      await expect.poll(() => csvDocument().getByTestId('entry').count(), APPEARS).toBe(3);
      await expect(csvDocument().getByRole('heading').innerText()).resolves.toContain('3 entries');
      await expect(entry('Do you deliver bikes?').innerText()).resolves.toContain('Yes, we deliver within 10 km for $15.');

      // Edit one answer: saved, retrained, marked edited.
      await entry('Do you deliver bikes?').getByRole('button', { name: 'Edit' }).click();
      // (a label around a textarea is named with its text too)
      const answer = entry('Do you deliver bikes?').getByRole('textbox', { name: /^Answer/ });
      await expect(answer.inputValue()).resolves.toBe('Yes, we deliver within 10 km for $15.');
      await answer.fill(EDITED);
      await entry('Do you deliver bikes?').getByRole('button', { name: 'Save' }).click();
      await entriesCard().getByText('Saved. Retrained: the next question is answered from it.').waitFor(APPEARS);
      await entry('Do you deliver bikes?').locator('.badge.edited').waitFor(APPEARS);
      await expect(entry('Do you deliver bikes?').innerText()).resolves.toContain(EDITED);

      // The try-it box answers from the edit.
      await page.getByLabel('Question', { exact: true }).fill('Do you deliver bikes?');
      await page.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect.poll(() => page.getByTestId('answer').innerText(), APPEARS).toContain(EDITED);

      // A customer's pick taught an entry a phrasing: shown as learned, and forgotten with its ×.
      const csv = await fresh.server.ctx.db
        .selectFrom('knowledge_documents')
        .select(['id', 'organization_id'])
        .where('title', '=', 'bike faq')
        .executeTakeFirstOrThrow();
      expect(await learnFromPick(fresh.server.ctx, csv.organization_id, `${csv.id}#1`, 'do u take visa')).toBe(true);
      // Read again, as an operator coming back to the page.
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Conversations', exact: true }).click();
      // the platform key lands on the guide or Organizations: the section links are what every landing has
      await page.getByRole('navigation', { name: 'Sections' }).waitFor(APPEARS);
      await openKnowledge();
      const learned = entry('Can I pay by card?').getByTestId('learned-phrasings');
      await learned.getByText('do u take visa').waitFor(APPEARS);
      await learned.getByRole('button', { name: 'Forget “do u take visa”' }).click();
      await entriesCard().getByText('Forgotten. Retrained: the next question is answered from it.').waitFor(APPEARS);
      await expect.poll(() => entry('Can I pay by card?').getByTestId('learned-phrasings').count(), APPEARS).toBe(0);
      await screenshot(page, 'knowledge-entries-desktop');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    },
    STEP,
  );

  it(
    'fits a phone (390×844), and restores the edited entry to the document’s text',
    async () => {
      const { page } = world;
      await page.setViewportSize(PHONE);
      await entry('Do you deliver bikes?').locator('.badge.edited').waitFor(APPEARS);
      expect(await horizontalOverflow(page), 'the knowledge page overflows 390 px').toBeLessThanOrEqual(0);
      await screenshot(page, 'knowledge-entries-phone');
      await entry('Do you deliver bikes?').getByRole('button', { name: "Restore the document's text" }).click();
      await entriesCard().getByText("The document's text is back. Retrained: the next question is answered from it.").waitFor(APPEARS);
      await expect.poll(() => entry('Do you deliver bikes?').locator('.badge.edited').count(), APPEARS).toBe(0);
      await expect(entry('Do you deliver bikes?').innerText()).resolves.toContain('Yes, we deliver within 10 km for $15.');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
    },
    STEP,
  );
});
