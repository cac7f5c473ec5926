// The environment's senders become platform numbers at start-up: Twilio's from TWILIO_PHONE_NUMBER,
// Meta's with its phone read from Graph, Whapi's with its phone read from /health — once, whatever
// the number of restarts, and never taking a number an organization holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPlatformNumbers } from '../../../src/services/numbers/platform.js';
import { startFakeMeta, type FakeMeta } from '../../fakes/meta.js';
import { startFakeWhapi, type FakeWhapi } from '../../fakes/whapi.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization } from '../../support/factories.js';

let meta: FakeMeta;
let whapi: FakeWhapi;
beforeAll(async () => {
  [meta, whapi] = await Promise.all([startFakeMeta(), startFakeWhapi({ channelId: 'PLATFORM-CH1', phoneDigits: '14155550177' })]);
});
afterAll(async () => {
  await Promise.all([meta.close(), whapi.close()]);
});

const env = () => ({
  TWILIO_PHONE_NUMBER: 'whatsapp:+14155238886',
  WHATSAPP_ACCESS_TOKEN: meta.accessToken,
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  META_GRAPH_BASE_URL: meta.url,
  WHAPI_TOKEN: whapi.token,
  WHAPI_CHANNEL_ID: 'PLATFORM-CH1',
  WHAPI_BASE_URL: whapi.url,
});

describe('platform numbers from the environment', () => {
  it('are registered once, with the phone each provider reports', async () => {
    const ctx = await makeTestContext({ env: env() });
    try {
      await registerPlatformNumbers(ctx);
      await registerPlatformNumbers(ctx); // a restart
      const rows = await ctx.db.selectFrom('numbers').select(['provider', 'provider_id', 'phone_number', 'organization_id']).orderBy('provider').execute();
      expect(rows).toEqual([
        { provider: 'meta', provider_id: '106540352242922', phone_number: '+15550783881', organization_id: null },
        { provider: 'twilio', provider_id: '+14155238886', phone_number: '+14155238886', organization_id: null },
        { provider: 'whapi', provider_id: 'PLATFORM-CH1', phone_number: '+14155550177', organization_id: null },
      ]);
    } finally {
      await ctx.database.close();
    }
  });

  it('keep a number an organization already holds as theirs, and register without a phone when the provider cannot say', async () => {
    const ctx = await makeTestContext({ env: { ...env(), META_GRAPH_BASE_URL: 'http://127.0.0.1:9' } });
    try {
      const org = await makeOrganization(ctx);
      await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155238886', provider_id: 'PNowned' });
      await registerPlatformNumbers(ctx);
      const twilio = await ctx.db.selectFrom('numbers').selectAll().where('provider', '=', 'twilio').execute();
      expect(twilio).toEqual([expect.objectContaining({ organization_id: org.id, provider_id: 'PNowned' })]);
      const metaRow = await ctx.db.selectFrom('numbers').selectAll().where('provider', '=', 'meta').executeTakeFirstOrThrow();
      expect(metaRow).toMatchObject({ organization_id: null, phone_number: null });
    } finally {
      await ctx.database.close();
    }
  });
});
