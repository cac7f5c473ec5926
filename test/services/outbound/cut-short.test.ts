// A send cut short by a crash (SPEC §11): the process died during the provider call, leaving the
// message marked as in flight and its job `running`. The next worker takes the job back at once,
// and the re-run asks the provider (Twilio's and Whapi's message lists, Meta's status callbacks
// carrying our reference) before it sends: one accepted reply reaches the customer once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import { claimJobs, drainJobs, reclaimAbandonedJobs } from '../../../src/jobs/queue.js';
import { sendMetaMessage } from '../../../src/providers/meta/outbound.js';
import { providers } from '../../../src/providers/registry.js';
import { sendTwilioMessage } from '../../../src/providers/twilio/outbound.js';
import { sendWhapiMessage } from '../../../src/providers/whapi/outbound.js';
import type { AppContext } from '../../../src/services/context.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { enqueueSend, LIST_SETTLE_MS, SEND_JOB, STATUS_WAIT_MS } from '../../../src/services/outbound/send.js';
import { type FakeMeta, startFakeMeta } from '../../fakes/meta.js';
import type { RecordedRequest } from '../../fakes/server.js';
import { type FakeTwilio, startFakeTwilio } from '../../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../../fakes/whapi.js';
import { signedMetaRequest } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';

const APP_SECRET = 'meta-app-secret';
// The fakes keep what they accepted across tests: each test writes to its own customer.
let customer = 1000;
let CUSTOMER = '';
const TEXT = 'Your table for two is ready at 8pm.';

let twilio: FakeTwilio;
let meta: FakeMeta;
let whapi: FakeWhapi;
let ctx: AppContext & { clock: ManualClock };
let org: Organization;

beforeAll(async () => {
  [twilio, meta, whapi] = await Promise.all([startFakeTwilio(), startFakeMeta(), startFakeWhapi()]);
});
afterAll(async () => {
  await Promise.all([twilio.close(), meta.close(), whapi.close()]);
});
beforeEach(async () => {
  twilio.reset();
  meta.reset();
  whapi.reset();
  ctx = await makeTestContext({
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_ACCESS_TOKEN: meta.accessToken,
      WHATSAPP_APP_SECRET: APP_SECRET,
      META_GRAPH_BASE_URL: meta.url,
      WHAPI_TOKEN: whapi.token,
      WHAPI_BASE_URL: whapi.url,
    },
  });
  org = await makeOrganization(ctx, { plan: 'business' });
  CUSTOMER = `+44794600${customer++}`;
  return () => ctx.database.close();
});

const twilioNumber = () => makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550177', provider_id: `PN${'7'.repeat(32)}` });
const metaNumber = () => makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
const whapiNumber = () => makeNumber(ctx, { organization_id: org.id, provider: 'whapi', phone_number: null, provider_id: whapi.channelId });

const postsTo = (fake: { requests: RecordedRequest[] }, path: string) => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(path));
const message = (id: number) => ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
/** the newest send job */
const sendJob = () => ctx.db.selectFrom('jobs').selectAll().where('kind', '=', SEND_JOB).orderBy('id', 'desc').executeTakeFirstOrThrow();
const acceptedBy = (fake: FakeTwilio) => [...fake.messages.values()].filter((m) => m.to === `whatsapp:${CUSTOMER}`).map((m) => m.sid as string);

/**
 * A reply accepted and then cut short: the job claimed, the call marked, and — when `reached` —
 * the provider holding the message (`reach` makes that call as the dead process did), then the
 * process gone. Returns the message id.
 */
async function cutShort(number: NumberRow, reach?: (reference: string) => Promise<unknown>): Promise<number> {
  await openServiceWindow(ctx, number.id, CUSTOMER);
  const { messageId } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: CUSTOMER, text: TEXT, author: 'bot' });
  expect(await claimJobs(ctx, 1)).toHaveLength(1);
  await ctx.db.updateTable('messages').set({ send_started_at: ctx.clock.now().toISOString() }).where('id', '=', messageId).execute();
  await reach?.(`sb-${messageId}`);
  // The next start: the job is due at once, no lease to wait out.
  expect(await reclaimAbandonedJobs(ctx)).toBe(1);
  expect(await sendJob()).toMatchObject({ status: 'pending', run_at: ctx.clock.now().toISOString() });
  return messageId;
}

describe('a Twilio send cut short', () => {
  const reachTwilio = (number: NumberRow) => () =>
    sendTwilioMessage(ctx, { accountSid: twilio.accountSid, authToken: twilio.authToken }, { from: { phone: number.phone_number! }, to: CUSTOMER, text: TEXT });

  it('is found in the Messages list and not sent again', async () => {
    const number = await twilioNumber();
    const id = await cutShort(number, reachTwilio(number));
    const [accepted] = acceptedBy(twilio);
    // The list may lag the send it accepted: it is asked once the earlier call is LIST_SETTLE_MS old.
    await drainJobs(ctx);
    expect(twilio.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    ctx.clock.advance(LIST_SETTLE_MS);
    await drainJobs(ctx);

    expect(postsTo(twilio, '/Messages.json')).toHaveLength(1);
    const [list] = twilio.requests.filter((r) => r.method === 'GET');
    expect(list!.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(list!.query).toMatchObject({ To: `whatsapp:${CUSTOMER}`, From: 'whatsapp:+14155550177' });
    expect(await message(id)).toMatchObject({ status: 'queued', provider_message_id: accepted, send_success: 1 });
    expect(await sendJob()).toMatchObject({ status: 'done' });
  });

  it('is sent once when the call never reached Twilio', async () => {
    const id = await cutShort(await twilioNumber());
    ctx.clock.advance(LIST_SETTLE_MS);
    await drainJobs(ctx);
    expect(postsTo(twilio, '/Messages.json')).toHaveLength(1);
    expect((await message(id)).provider_message_id).toBe(acceptedBy(twilio)[0]);
  });

  it('does not take another reply of ours with the same text for its own', async () => {
    const number = await twilioNumber();
    // An earlier, recorded reply with the same words to the same customer.
    await openServiceWindow(ctx, number.id, CUSTOMER);
    const { messageId: earlier } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: CUSTOMER, text: TEXT, author: 'bot' });
    await drainJobs(ctx);
    const id = await cutShort(number);
    ctx.clock.advance(LIST_SETTLE_MS);
    await drainJobs(ctx);
    expect(postsTo(twilio, '/Messages.json')).toHaveLength(2);
    const [first, second] = acceptedBy(twilio);
    expect((await message(earlier)).provider_message_id).toBe(first);
    expect((await message(id)).provider_message_id).toBe(second);
  });

  it('is not sent again when Twilio answered `queued` and the process died before the job was done', async () => {
    const number = await twilioNumber();
    await openServiceWindow(ctx, number.id, CUSTOMER);
    const { messageId } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: CUSTOMER, text: TEXT, author: 'bot' });
    await drainJobs(ctx);
    expect(await message(messageId)).toMatchObject({ status: 'queued', send_success: 1 });
    // The job row as the kill left it: still running.
    await ctx.db.updateTable('jobs').set({ status: 'running', locked_by: 'gone', locked_at: ctx.clock.now().toISOString() }).execute();
    expect(await reclaimAbandonedJobs(ctx)).toBe(1);
    ctx.clock.advance(LIST_SETTLE_MS);
    await drainJobs(ctx);
    expect(postsTo(twilio, '/Messages.json')).toHaveLength(1);
  });

  it('keeps no mark after Twilio answered an error, so the retry sends without asking', async () => {
    const number = await twilioNumber();
    await openServiceWindow(ctx, number.id, CUSTOMER);
    const { messageId } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: CUSTOMER, text: TEXT, author: 'bot' });
    twilio.failNext(1, { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } }, '/Messages.json');
    await drainJobs(ctx);
    expect((await message(messageId)).send_started_at).toBeNull();
    ctx.clock.advance(60_000);
    await drainJobs(ctx);
    expect(twilio.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    expect(await message(messageId)).toMatchObject({ send_success: 1, provider_message_id: acceptedBy(twilio)[0] });
  });
});

describe('a Whapi send cut short', () => {
  it('is found in the chat’s messages list and not sent again', async () => {
    const id = await cutShort(await whapiNumber(), () => sendWhapiMessage(ctx, { token: whapi.token }, { from: {}, to: CUSTOMER, text: TEXT }));
    const [accepted] = [...whapi.sent].filter(([, m]) => m.body.to === CUSTOMER.slice(1)).map(([wid]) => wid);
    ctx.clock.advance(LIST_SETTLE_MS);
    await drainJobs(ctx);
    expect(postsTo(whapi, '/messages/text')).toHaveLength(1);
    const [list] = whapi.requests.filter((r) => r.method === 'GET');
    expect(list!.path).toBe(`/messages/list/${CUSTOMER.slice(1)}@s.whatsapp.net`);
    expect(list!.query).toMatchObject({ from_me: 'true' });
    expect(await message(id)).toMatchObject({ provider_message_id: accepted, send_success: 1 });
  });
});

describe('a Meta send cut short', () => {
  const statusWebhook = (wamid: string, reference: string) =>
    signedMetaRequest(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                  statuses: [{ id: wamid, status: 'delivered', timestamp: '1784034400', recipient_id: CUSTOMER.slice(1), biz_opaque_callback_data: reference }],
                },
              },
            ],
          },
        ],
      }),
      APP_SECRET,
    );

  it('is recognised by the status callback carrying our reference, and not sent again', async () => {
    let wamid = '';
    const id = await cutShort(await metaNumber(), async (reference) => {
      const sent = await sendMetaMessage(
        ctx,
        { accessToken: meta.accessToken },
        { from: { providerNumberId: '106540352242922' }, to: CUSTOMER, text: TEXT, reference },
      );
      wamid = sent.providerMessageId;
      // Meta calls back while no process knows the id: the status is kept with the reference.
      expect((await receiveWebhook(ctx, providers.meta, statusWebhook(wamid, reference))).status).toBe(200);
    });
    expect(meta.sent.get(wamid)).toMatchObject({ biz_opaque_callback_data: `sb-${id}` });
    await drainJobs(ctx);
    expect(postsTo(meta, '/messages')).toHaveLength(1);
    expect(await message(id)).toMatchObject({ provider_message_id: wamid, status: 'delivered', send_success: 1 });
    expect(await ctx.db.selectFrom('pending_statuses').selectAll().execute()).toHaveLength(0);
  });

  it('waits a bounded time for a callback, then sends once, with our reference', async () => {
    const id = await cutShort(await metaNumber());
    for (let waited = 0; waited < STATUS_WAIT_MS; waited += 5_000) {
      await drainJobs(ctx);
      expect(postsTo(meta, '/messages')).toHaveLength(0);
      ctx.clock.advance(5_000);
    }
    await drainJobs(ctx);
    expect(postsTo(meta, '/messages')).toHaveLength(1);
    expect(postsTo(meta, '/messages')[0]!.body).toMatchObject({ biz_opaque_callback_data: `sb-${id}` });
    expect((await message(id)).provider_message_id).toBe([...meta.sent].find(([, m]) => m.to === CUSTOMER.slice(1))?.[0]);
  });
});
