import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import {
  addPoolNumber,
  createWidget,
  listPool,
  loadWidget,
  readWidgetSettings,
  removePoolNumber,
  updatePoolNumber,
  updateWidget,
  widgetInput,
} from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber } from '../../support/factories.js';

let ctx: AppContext;
let organizationId: string;

beforeEach(async () => {
  ctx = await makeTestContext();
  organizationId = (await createOrganization(ctx, { name: 'Shop' })).id;
  // Senders are checked when saved: the numbers these tests name are the organization's.
  for (const phone of ['+447700900123', '+15550100001', '+15550100002']) await makeNumber(ctx, { organization_id: organizationId, phone_number: phone });
});
afterEach(async () => {
  await ctx.database.close();
});

describe('widget settings', () => {
  it('normalizes numbers to E.164 and origins to bare origins, with defaults filled in', async () => {
    const input = widgetInput.parse({
      name: 'Site',
      allowedOrigins: ['https://shop.example/', 'http://localhost:5173'],
      agentWhatsappNumbers: ['whatsapp:+1 (555) 010-9001'],
      whatsappNumberPool: [{ number: '+44 7700 900123' }],
    });
    const widget = await createWidget(ctx, organizationId, input);
    expect(widget.publicKey).toMatch(/^wpk_/);
    expect(widget.allowedOrigins).toEqual(['https://shop.example', 'http://localhost:5173']);
    expect(widget.agentWhatsappNumbers).toEqual(['+15550109001']);
    expect(widget.inactivityTimeoutMinutes).toBe(30);
    expect(widget.enableMultipleWhatsappChats).toBe(true);
    // Saved without a display name: numbered after the handover number, which keeps the organization's name.
    expect(widget.whatsappNumberPool).toEqual([{ number: '+447700900123', displayName: 'Shop · 2', isActive: true, notes: null }]);
  });

  it('rejects a number that is not international, an origin with a path and hours that end before they start', () => {
    expect(widgetInput.safeParse({ name: 'x', allowedOrigins: ['*'], agentWhatsappNumbers: ['12'] }).error?.issues[0]?.message).toMatch(/not a phone number/);
    expect(widgetInput.safeParse({ name: 'x', allowedOrigins: ['https://a.example/page'] }).success).toBe(false);
    const hours = { timeZone: 'Europe/Berlin', days: [1], start: '17:00', end: '09:00' };
    expect(widgetInput.safeParse({ name: 'x', allowedOrigins: ['*'], workingHours: hours }).success).toBe(false);
    expect(widgetInput.safeParse({ name: 'x', allowedOrigins: ['*'], workingHours: { ...hours, timeZone: 'Mars/Base' } }).success).toBe(false);
  });

  it('a patch keeps what it does not mention, and a given pool replaces the old one', async () => {
    const created = await createWidget(
      ctx,
      organizationId,
      widgetInput.parse({
        name: 'Site',
        allowedOrigins: ['*'],
        greeting: 'Hi',
        inactivityTimeoutMinutes: 10,
        whatsappNumberPool: [{ number: '+15550100001' }],
      }),
    );
    const updated = await updateWidget(ctx, await loadWidget(ctx, created.id), {
      name: 'Renamed',
      whatsappNumberPool: [{ number: '+15550100002', displayName: 'Two' }],
    });
    expect(updated).toMatchObject({ name: 'Renamed', greeting: 'Hi', inactivityTimeoutMinutes: 10 });
    expect(updated.whatsappNumberPool.map((p) => p.number)).toEqual(['+15550100002']);
    expect(readWidgetSettings(await loadWidget(ctx, created.id)).inactivityTimeoutMinutes).toBe(10);
  });

  it('an unknown organization gets no widget', async () => {
    await expect(createWidget(ctx, 'nope', widgetInput.parse({ name: 'x', allowedOrigins: ['*'] }))).rejects.toThrow('Organization not found.');
  });
});

describe('pool editing', () => {
  it('adds at the end, refuses a repeat, edits and removes by any written form of the number', async () => {
    const created = await createWidget(
      ctx,
      organizationId,
      widgetInput.parse({ name: 'Site', allowedOrigins: ['*'], whatsappNumberPool: [{ number: '+15550100001' }] }),
    );
    const widget = await loadWidget(ctx, created.id);
    await addPoolNumber(ctx, widget, { number: '+15550100002', displayName: 'Second' });
    await expect(addPoolNumber(ctx, widget, { number: '+15550100002' })).rejects.toThrow('already in this widget');
    expect((await listPool(ctx, widget.id)).map((p) => [p.number, p.position])).toEqual([
      ['+15550100001', 0],
      ['+15550100002', 1],
    ]);
    const edited = await updatePoolNumber(ctx, widget, '15550100002', { isActive: false, notes: 'on holiday' });
    expect(edited).toEqual({ number: '+15550100002', displayName: 'Second', isActive: false, notes: 'on holiday' });
    await removePoolNumber(ctx, widget, '+15550100001');
    expect((await listPool(ctx, widget.id)).map((p) => p.number)).toEqual(['+15550100002']);
    await expect(removePoolNumber(ctx, widget, '+15550100001')).rejects.toThrow('not found');
  });
});
