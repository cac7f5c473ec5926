// Pool numbers carry distinct display names by default (SPEC §8 "The agent's phone"), so the
// threads on an agent's phone can be told apart; the handover number keeps the organization's name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/services/context.js';
import { numberStats } from '../../../src/services/handover/stats.js';
import { simulatedBusinessNumbers } from '../../../src/services/platform/simulator.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { addPoolNumber, createWidget, loadWidget, removePoolNumber, updateWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber } from '../../support/factories.js';

let ctx: AppContext;
let organizationId: string;
const [HANDOVER, A, B, C, TWILIO_OWN, PLATFORM] = ['+15550100001', '+15550100002', '+15550100003', '+15550100004', '+15550100005', '+15550100006'];

beforeEach(async () => {
  ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
  organizationId = (await createOrganization(ctx, { name: 'Crumb & Co' })).id;
  for (const phone of [HANDOVER, A, B, C]) await makeNumber(ctx, { organization_id: organizationId, phone_number: phone, display_name: 'Crumb & Co' });
  await makeNumber(ctx, { organization_id: organizationId, phone_number: TWILIO_OWN, provider: 'twilio', display_name: 'Crumb & Co' });
  await makeNumber(ctx, { organization_id: null, phone_number: PLATFORM, display_name: 'Platform sender' });
});
afterEach(async () => {
  await ctx.database.close();
});

const displayNames = async () => new Map((await simulatedBusinessNumbers(ctx)).map((b) => [b.number, b.displayName]));

describe('pool display names', () => {
  it('are numbered after the organization when saved without one, distinct within the pool, and applied to simulated numbers', async () => {
    const created = await createWidget(
      ctx,
      organizationId,
      widgetInput.parse({
        name: 'Site',
        allowedOrigins: ['*'],
        handoverWhatsappNumber: HANDOVER,
        whatsappNumberPool: [{ number: A }, { number: B, displayName: 'Front desk' }, { number: TWILIO_OWN }],
      }),
    );
    expect(created.whatsappNumberPool.map((p) => p.displayName)).toEqual(['Crumb & Co · 2', 'Front desk', 'Crumb & Co · 3']);

    // The simulator lets us name a number: its phones show the pool's names; the handover number keeps the organization's.
    const names = await displayNames();
    expect(names.get(A)).toBe('Crumb & Co · 2');
    expect(names.get(B)).toBe('Front desk');
    expect(names.get(HANDOVER)).toBe('Crumb & Co');
    // A Twilio number's name is its sender profile, reviewed by Meta: ours is stored and shown, not applied there.
    const twilio = await ctx.db.selectFrom('numbers').select('display_name').where('phone_number', '=', TWILIO_OWN).executeTakeFirstOrThrow();
    expect(twilio.display_name).toBe('Crumb & Co');

    const widget = await loadWidget(ctx, created.id);
    const stats = await numberStats(ctx, widget.id);
    expect(stats.map((s) => [s.number, s.displayName])).toEqual([
      [A, 'Crumb & Co · 2'],
      [B, 'Front desk'],
      [TWILIO_OWN, 'Crumb & Co · 3'],
      [HANDOVER, 'Crumb & Co'],
    ]);

    // A number added later takes the first free name; one freed by a removal is used again.
    expect((await addPoolNumber(ctx, widget, { number: C })).displayName).toBe('Crumb & Co · 4');
    await removePoolNumber(ctx, widget, A);
    await removePoolNumber(ctx, widget, C);
    expect((await addPoolNumber(ctx, widget, { number: A })).displayName).toBe('Crumb & Co · 2');
  });

  it('never rename a platform number other organizations share', async () => {
    const created = await createWidget(ctx, organizationId, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'] }));
    const updated = await updateWidget(ctx, await loadWidget(ctx, created.id), { whatsappNumberPool: [{ number: PLATFORM }, { number: A }] });
    expect(updated.whatsappNumberPool.map((p) => p.displayName)).toEqual(['Crumb & Co · 2', 'Crumb & Co · 3']);
    const names = await displayNames();
    expect(names.get(PLATFORM)).toBe('Platform sender');
    expect(names.get(A)).toBe('Crumb & Co · 3');
  });
});
