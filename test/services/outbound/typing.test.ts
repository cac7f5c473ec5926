// "Typing…" while the bot composes its answer to a WhatsApp customer (providers-templates.md A2),
// through each provider's fake over HTTP: Meta's read receipt with typing_indicator, Twilio's
// typing indicator, Whapi's presence. Best effort: a provider that refuses it still gets the answer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import type { AppContext } from '../../../src/services/context.js';
import { replyToCustomer } from '../../../src/services/inbound/auto-reply.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { type FakeMeta, startFakeMeta } from '../../fakes/meta.js';
import type { RecordedRequest } from '../../fakes/server.js';
import { type FakeTwilio, startFakeTwilio } from '../../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../../fakes/whapi.js';
import { makeTestContext } from '../../support/context.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';
import { waitFor } from '../../support/wait.js';

const CUSTOMER = '+447946001234';
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
  for (const fake of [twilio, meta, whapi]) fake.reset();
  ctx = await makeTestContext({
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_ACCESS_TOKEN: meta.accessToken,
      WHATSAPP_APP_SECRET: 'meta-app-secret',
      META_GRAPH_BASE_URL: meta.url,
      WHAPI_TOKEN: whapi.token,
      WHAPI_BASE_URL: whapi.url,
    },
  });
  org = await makeOrganization(ctx, { plan: 'business' });
  await seedKnowledge(ctx, org.id, [{ title: 'Hours', content: 'Q: When are you open?\nA: Monday to Saturday, 9am to 6pm.' }]);
  return () => ctx.database.close();
});

/** The customer's message reaches the number and the bot replies, as the inbound job does. */
async function customerAsks(number: NumberRow, providerMessageId: string) {
  const contact = await makeContact(ctx, { organization_id: org.id, phone: CUSTOMER });
  const conversation = await makeConversation(ctx, { organization_id: org.id, contact_id: contact.id, number_id: number.id });
  await openServiceWindow(ctx, number.id, CUSTOMER);
  const inbound = await makeInboundMessage(ctx, number, { from: CUSTOMER, body: 'when are you open?', conversationId: conversation.id });
  await ctx.db.updateTable('messages').set({ provider_message_id: providerMessageId }).where('id', '=', inbound.id).execute();
  await replyToCustomer(ctx, conversation, { ...inbound, provider_message_id: providerMessageId });
  await drainJobs(ctx);
  const reply = await ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversation.id)
    .where('author', '=', 'bot')
    .executeTakeFirstOrThrow();
  return reply;
}

const requestsTo = (fake: { requests: RecordedRequest[] }, method: string, path: string) =>
  fake.requests.filter((r) => r.method === method && r.path.endsWith(path));

describe('the typing indicator while the bot answers', () => {
  it('Meta: a read receipt of the customer’s message with typing_indicator, then the answer', async () => {
    const number = await makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
    const wamid = 'wamid.HBgLMTU1NTAxMDkwMDIVAgASGBQzQUFCQ0RFRjAxMjM0NTY3ODkA';
    const reply = await customerAsks(number, wamid);
    const typing = () => meta.requests.filter((r) => r.method === 'POST' && r.body?.status === 'read');
    await waitFor(() => typing().length === 1, { what: 'the typing indicator at Meta' });
    expect(typing()[0]!.path).toMatch(/^\/v\d+\.\d+\/106540352242922\/messages$/);
    expect(typing()[0]!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } });
    expect(typing()[0]!.headers.authorization).toBe(`Bearer ${meta.accessToken}`);
    expect(reply).toMatchObject({ body: 'Monday to Saturday, 9am to 6pm.', status: 'queued' });
  });

  it('Twilio: the typing indicator for the customer’s message SID on the whatsapp channel', async () => {
    const number = await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550177', provider_id: `PN${'7'.repeat(32)}` });
    const sid = `SM${'ab12'.repeat(8)}`;
    const reply = await customerAsks(number, sid);
    await waitFor(() => requestsTo(twilio, 'POST', '/v2/Indicators/Typing.json').length === 1, { what: 'the typing indicator at Twilio' });
    const [typing] = requestsTo(twilio, 'POST', '/v2/Indicators/Typing.json');
    expect(typing!.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    expect(typing!.body).toEqual({ channel: 'whatsapp', messageId: sid });
    expect(reply.body).toBe('Monday to Saturday, 9am to 6pm.');
  });

  it('Whapi: the chat’s presence set to typing', async () => {
    const number = await makeNumber(ctx, { organization_id: org.id, provider: 'whapi', phone_number: null, provider_id: whapi.channelId });
    const reply = await customerAsks(number, 'p.w30M7fgwWD4XwHu.g4CA-gBgTwl0rVw');
    await waitFor(() => requestsTo(whapi, 'PUT', '/presences/447946001234@s.whatsapp.net').length === 1, { what: 'the presence at Whapi' });
    const [presence] = requestsTo(whapi, 'PUT', '/presences/447946001234@s.whatsapp.net');
    expect(presence!.body).toEqual({ presence: 'typing' });
    expect(presence!.headers.authorization).toBe(`Bearer ${whapi.token}`);
    expect(reply.body).toBe('Monday to Saturday, 9am to 6pm.');
  });

  it('answers all the same when the provider refuses the indicator', async () => {
    const number = await makeNumber(ctx, { organization_id: org.id, provider: 'whapi', phone_number: null, provider_id: whapi.channelId });
    whapi.failNext(1, { status: 500 }, '/presences/');
    const reply = await customerAsks(number, 'p.x30M7fgwWD4XwHu.g4CA-gBgTwl0rVw');
    await waitFor(() => requestsTo(whapi, 'PUT', '/presences/447946001234@s.whatsapp.net').length === 1, { what: 'the refused presence' });
    expect(reply.body).toBe('Monday to Saturday, 9am to 6pm.');
    await waitFor(() => requestsTo(whapi, 'POST', '/messages/text').length === 1, { what: 'the answer at Whapi' });
    expect(requestsTo(whapi, 'POST', '/messages/text')[0]!.body).toMatchObject({ to: '447946001234', body: 'Monday to Saturday, 9am to 6pm.' });
  });
});
