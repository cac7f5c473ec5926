// The operator's `prices` setting reaches the cost stored on each message and the usage report.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { NumberRow } from '../../../src/db/schema.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { providers } from '../../../src/providers/registry.js';
import type { AppContext } from '../../../src/services/context.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { enqueueSend } from '../../../src/services/outbound/send.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { PRICES_SETTING, setPrices, usageReport } from '../../../src/services/tenancy/usage.js';
import { startFakeTwilio, type FakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { signedTwilioRequest, twilioFields } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, openServiceWindow } from '../../support/factories.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const TEMPLATE = { name: 'HX0123456789abcdef0123456789abcdef', variables: ['Maria'] };

let twilio: FakeTwilio;
let ctx: AppContext & { clock: ManualClock };
let orgId: string;
let number: NumberRow;

beforeAll(async () => {
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await twilio.close();
});
beforeEach(async () => {
  twilio.reset();
  ctx = await makeTestContext({
    env: { PUBLIC_URL, ...twilioPlatformEnv(twilio) },
  });
  ctx.clock.set('2026-03-10T09:00:00Z');
  orgId = (await createOrganization(ctx, { name: 'Priced', plan: 'starter' })).id;
  number = await makeNumber(ctx, {
    organization_id: orgId,
    provider: 'twilio',
    phone_number: '+14155550123',
    provider_id: 'PN0123456789abcdef0123456789abcdef',
  });
});
afterEach(async () => {
  await ctx.database.close();
});

const SECOND = {
  MessageSid: 'SM00000000000000000000000000000002',
  SmsMessageSid: 'SM00000000000000000000000000000002',
  SmsSid: 'SM00000000000000000000000000000002',
};
const receive = (fields: Record<string, string> = {}) =>
  receiveWebhook(ctx, providers.twilio, signedTwilioRequest({ ...twilioFields('twilio/inbound-text.txt'), ...fields }, twilio.authToken, PUBLIC_URL));
const sendMarketing = async () => {
  const { messageId } = await enqueueSend(ctx, {
    organizationId: orgId,
    numberId: number.id,
    to: '+5511987654321',
    template: TEMPLATE,
    category: 'marketing',
    author: 'bot',
  });
  await drainJobs(ctx);
  return ctx.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
};
const inboundCosts = async () => (await ctx.db.selectFrom('messages').select('cost').where('direction', '=', 'in').orderBy('id').execute()).map((m) => m.cost);

describe('operator prices', () => {
  it('cost the next webhook and send as soon as they are set (the kept table is replaced)', async () => {
    await receive();
    await drainJobs(ctx);
    await openServiceWindow(ctx, number.id, '+5511987654321');
    expect((await sendMarketing()).cost).toBe(0.03);

    await setPrices(ctx, { providerFee: { twilio: 0.01 }, metaFee: { marketing: 0.05 } });
    const stored = await ctx.db.selectFrom('settings').select('value').where('key', '=', PRICES_SETTING).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.value)).toEqual({ providerFee: { twilio: 0.01 }, metaFee: { marketing: 0.05 } });

    await receive(SECOND);
    expect(await inboundCosts()).toEqual([0.005, 0.01]);
    expect(await sendMarketing()).toMatchObject({ status: 'queued', send_success: 1, cost: 0.06 });
  });

  it('are what the usage report adds up', async () => {
    await setPrices(ctx, { providerFee: { twilio: 0.01 }, metaFee: { marketing: 0.05 }, numberRental: { twilio: 2 } });
    await receive();
    await drainJobs(ctx);
    await openServiceWindow(ctx, number.id, '+5511987654321');
    await sendMarketing();
    const rows = await ctx.db.selectFrom('messages').select(['direction', 'category', 'cost']).orderBy('id').execute();
    // The contact's message, the bot's automatic answer to it, and the marketing template.
    expect(rows).toEqual([
      { direction: 'in', category: 'service', cost: 0.01 },
      { direction: 'out', category: 'service', cost: 0.01 },
      { direction: 'out', category: 'marketing', cost: 0.06 },
    ]);
    const report = await usageReport(ctx, orgId, '2026-03');
    expect(report.messages.in.total).toBe(1);
    expect(report.messages.out).toMatchObject({ service: 1, marketing: 1 });
    expect(report.cost).toEqual({ provider: 0.03, meta: 0.05, rental: 2, agents: 0, total: 2.08 });
    // all three are the customer's: the plan counts them
    expect(report.used).toBe(3);
    expect(report.margin).toBe(12.92);
  });

  it('refuses an override that is not a price table, and keeps the old one', async () => {
    await setPrices(ctx, { providerFee: { twilio: 0.02 } });
    await expect(setPrices(ctx, { providerFee: { twilio: -1 } })).rejects.toMatchObject({ status: 400 });
    await expect(setPrices(ctx, { currency: 'EUR' })).rejects.toMatchObject({ status: 400 });
    await receive();
    expect(await inboundCosts()).toEqual([0.02]);
  });
});
