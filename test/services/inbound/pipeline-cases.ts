// The inbound pipeline and outbound sending, written once and run on SQLite (test/services) and
// PostgreSQL (test/postgres): real provider payloads in, rows out; sends over HTTP to the fakes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import { providers } from '../../../src/providers/registry.js';
import type { AppContext } from '../../../src/services/context.js';
import { receiveWebhook, replayUnroutedEvent } from '../../../src/services/inbound/receive.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { reactToInbound } from '../../../src/services/inbound/reaction.js';
import { enqueueSend } from '../../../src/services/outbound/send.js';
import type { ManualClock } from '../../../src/core/clock.js';
import { startFakeTwilio, type FakeTwilio } from '../../fakes/twilio.js';
import { fixtureBytes, signedMetaRequest, signedTwilioRequest, twilioFields, webhookRequest } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { saveConnection } from '../../../src/services/numbers/connections.js';
import { makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';

export interface DatabaseUnderTest {
  url: string;
  drop?: () => Promise<void>;
}

const PUBLIC_URL = 'https://switchboard.example.com';
const APP_SECRET = 'e3b1c44298fc1c149afbf4c8996fb924';
const WHAPI_SECRET = 'whapi-webhook-secret-1';

type Ctx = AppContext & { clock: ManualClock };

export function describePipeline(label: string, database: () => Promise<DatabaseUnderTest>): void {
  describe(`inbound pipeline and sending (${label})`, () => {
    let db: DatabaseUnderTest;
    let twilioFake: FakeTwilio;
    let ctx: Ctx;
    let org: Organization;

    beforeAll(async () => {
      twilioFake = await startFakeTwilio();
    });
    afterAll(async () => {
      await twilioFake.close();
    });

    beforeEach(async () => {
      db = await database();
      twilioFake.reset();
      ctx = await makeTestContext({
        databaseUrl: db.url,
        env: {
          PUBLIC_URL,
          TWILIO_ACCOUNT_SID: twilioFake.accountSid,
          TWILIO_AUTH_TOKEN: twilioFake.authToken,
          TWILIO_API_BASE_URL: twilioFake.url,
          WHATSAPP_APP_SECRET: APP_SECRET,
          WHATSAPP_ACCESS_TOKEN: 'meta-token',
          WHAPI_WEBHOOK_SECRET: WHAPI_SECRET,
          WHAPI_TOKEN: 'whapi-token',
        },
      });
      org = await makeOrganization(ctx);
    });
    afterEach(async () => {
      await ctx.database.close();
      await db.drop?.();
    });

    const twilioNumber = () =>
      makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550123', provider_id: 'PN0123456789abcdef0123456789abcdef' });
    const metaNumber = () => makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
    const whapiNumber = () => makeNumber(ctx, { organization_id: org.id, provider: 'whapi', phone_number: null, provider_id: 'ACMEGEAR-7QK2X' });
    const whapiRequest = (fixture: string) =>
      webhookRequest({
        url: '/api/webhooks/whapi',
        body: fixtureBytes(fixture),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WHAPI_SECRET}` },
      });
    const inbound = () => ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'in').orderBy('id').execute();
    const jobsOf = (kind: string) => ctx.db.selectFrom('jobs').selectAll().where('kind', '=', kind).execute();

    it('stores a Twilio text, answers with empty TwiML, and the reaction creates contact, conversation #1 and the window', async () => {
      const number = await twilioNumber();
      const answer = await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-text.txt', twilioFake.authToken, PUBLIC_URL));
      expect(answer.contentType).toBe('text/xml');
      expect(answer.body).toContain('<Response/>');
      const [message] = await inbound();
      expect(message).toMatchObject({
        organization_id: org.id,
        number_id: number.id,
        provider: 'twilio',
        provider_message_id: 'SM1b2c3d4e5f60718293a4b5c6d7e8f901',
        from_address: '+5511987654321',
        to_address: '+14155550123',
        author: 'contact',
        status: 'received',
        conversation_id: null,
      });
      expect(await jobsOf('inbound.react')).toHaveLength(1);

      await drainJobs(ctx);
      const contact = await ctx.db.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
      expect(contact).toMatchObject({ organization_id: org.id, phone: '+5511987654321', name: 'Maria Souza' });
      const conversation = await ctx.db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
      expect(conversation).toMatchObject({ ref: 1, contact_id: contact.id, number_id: number.id, status: 'bot', channel: 'whatsapp' });
      const attached = await ctx.db.selectFrom('messages').select('conversation_id').where('id', '=', message!.id).executeTakeFirstOrThrow();
      expect(attached.conversation_id).toBe(conversation.id);
      const window = await ctx.db.selectFrom('service_windows').selectAll().executeTakeFirstOrThrow();
      expect(window).toMatchObject({ number_id: number.id, contact_address: '+5511987654321', last_inbound_at: message!.created_at });
    });

    it('stores Twilio media with its type and URL', async () => {
      await twilioNumber();
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-media.txt', twilioFake.authToken, PUBLIC_URL));
      const [message] = await inbound();
      const media = JSON.parse(message!.media!);
      expect(media.type).toBe('image');
      expect(media.url).toContain('/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9');
    });

    it('keeps a copy of an inbound file, fetched with the credentials that never reach the CDN', async () => {
      await twilioNumber();
      const bytes = Buffer.from('\xff\xd8\xff\xe0 a small jpeg', 'latin1');
      const fields = { ...twilioFields('twilio/inbound-media.txt'), MediaUrl0: twilioFake.addMedia(bytes, 'image/jpeg') };
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest(fields, twilioFake.authToken, PUBLIC_URL));
      await drainJobs(ctx);
      const [message] = await inbound();
      const media = JSON.parse(message!.media!);
      expect(media.fileUrl).toMatch(new RegExp(`^${PUBLIC_URL}/api/media/[A-Za-z0-9_-]{16,}$`));
      const copy = await ctx.db.selectFrom('message_media').selectAll().where('message_id', '=', message!.id).executeTakeFirstOrThrow();
      // The row holds the type and the key; the file is in the media store.
      expect(Buffer.from(copy.bytes).length).toBe(0);
      const kept = await ctx.media.get(copy.storage_key!);
      const stored: Buffer[] = [];
      for await (const chunk of kept!.body) stored.push(chunk as Buffer);
      expect(Buffer.concat(stored).equals(bytes)).toBe(true);
      expect(copy.mime_type).toBe('image/jpeg');
      expect(twilioFake.cdnRequests.length).toBeGreaterThan(0);
      expect(twilioFake.cdnRequests.every((r) => r.headers.authorization === undefined)).toBe(true);
    });

    it('stores every message of a batched Meta payload and keeps the entry for an unknown number as unrouted', async () => {
      await metaNumber();
      await receiveWebhook(ctx, providers.meta, signedMetaRequest('meta/batched-multi-entry.json', APP_SECRET));
      const ids = (await inbound()).map((m) => m.provider_message_id);
      expect(ids.sort()).toEqual(
        ['wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQkFUQ0gwMDAwMDAwMDAwMDAwMQA=', 'wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhgUM0JBVENIMDAwMDAwMDAwMDAwMDIA'].sort(),
      );
      const unrouted = await ctx.db.selectFrom('unrouted_events').selectAll().execute();
      expect(unrouted).toHaveLength(1);
      expect(unrouted[0]!.reason).toContain('106540352242923');
    });

    /** An organization holding its own Meta app secret, with one number on that connection. */
    async function ownSecretShop() {
      const signer = await makeOrganization(ctx, { name: 'Own App Shop' });
      const ownSecret = 'own-app-secret-of-the-signer-0000';
      const connection = await saveConnection(ctx, {
        organizationId: signer.id,
        provider: 'meta',
        credentials: { accessToken: 'own-token', businessAccountId: '300000000000001', appSecret: ownSecret },
      });
      const own = await makeNumber(ctx, {
        organization_id: signer.id,
        provider: 'meta',
        phone_number: '+15550001001',
        provider_id: '100000000000001',
        connection_id: connection,
      });
      return { ownSecret, connection, own };
    }

    it("refuses a Meta change signed with one organization's own secret for another organization's number, and its replay", async () => {
      const theirs = await metaNumber();
      const { ownSecret, connection, own } = await ownSecretShop();
      const change = (phoneNumberId: string, id: string) => ({
        field: 'messages',
        value: {
          metadata: { phone_number_id: phoneNumberId },
          messages: [{ from: '16315550199', id, timestamp: '1784034321', type: 'text', text: { body: id } }],
        },
      });
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [change(own.provider_id, 'wamid.own'), change(theirs.provider_id, 'wamid.forged')] }],
      });
      await receiveWebhook(ctx, providers.meta, signedMetaRequest(Buffer.from(body), ownSecret));
      expect((await inbound()).map((m) => [m.provider_message_id, m.number_id])).toEqual([['wamid.own', own.id]]);
      expect(await ctx.db.selectFrom('unrouted_events').selectAll().execute()).toEqual([]);

      const kept = await ctx.db
        .insertInto('unrouted_events')
        .values({ provider: 'meta', reason: 'kept', payload: body, headers: null, received_at: ctx.clock.now().toISOString(), verified_by: connection })
        .returning('id')
        .executeTakeFirstOrThrow();
      await expect(replayUnroutedEvent(ctx, kept.id)).rejects.toMatchObject({ status: 409, code: 'SIGNED_FOR_ANOTHER_NUMBER' });
      expect(await inbound()).toHaveLength(1);
    });

    it('stores a Meta image with its media id and caption', async () => {
      await metaNumber();
      await receiveWebhook(ctx, providers.meta, signedMetaRequest('meta/image.json', APP_SECRET));
      const [message] = await inbound();
      expect(JSON.parse(message!.media!)).toMatchObject({ type: 'image', providerMediaId: '1483579412866145' });
    });

    it("stores a Whapi batch's customer messages and not the channel's own", async () => {
      const number = await whapiNumber();
      await receiveWebhook(ctx, providers.whapi, whapiRequest('whapi/messages-mixed.json'));
      const rows = await inbound();
      expect(rows.map((m) => m.provider_message_id).sort()).toEqual(
        ['PsqRjWan5_eRi84-wAkFnOGqDQ', 'Ks8lQzUv3_pPx12-wAkFnOGqDQ', 'Lq2mR7tY9_aBc34-wAkFnOGqDQ', 'Nn4oT9vA1_cDe56-wAkFnOGqDQ'].sort(),
      );
      expect(rows.every((m) => m.number_id === number.id && m.from_address === '+5511987654321')).toBe(true);
    });

    it('five concurrent deliveries of one message make one row and one reaction', async () => {
      await twilioNumber();
      const deliveries = Array.from({ length: 5 }, () =>
        receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-text.txt', twilioFake.authToken, PUBLIC_URL)),
      );
      await Promise.all(deliveries);
      // and a provider retry later, in another turn
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-text.txt', twilioFake.authToken, PUBLIC_URL));
      expect(await inbound()).toHaveLength(1);
      expect(await jobsOf('inbound.react')).toHaveLength(1);
      await drainJobs(ctx);
      expect(await ctx.db.selectFrom('conversations').selectAll().execute()).toHaveLength(1);
    });

    it('keeps a message for an unknown number as unrouted, and replays it once the number is assigned', async () => {
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-text.txt', twilioFake.authToken, PUBLIC_URL));
      expect(await inbound()).toHaveLength(0);
      const [event] = await ctx.db.selectFrom('unrouted_events').selectAll().execute();
      expect(event!.reason).toContain('+14155550123');
      await expect(replayUnroutedEvent(ctx, event!.id)).rejects.toMatchObject({ status: 409 });

      await twilioNumber();
      const summary = await replayUnroutedEvent(ctx, event!.id);
      expect(summary.stored).toBe(1);
      expect(await inbound()).toHaveLength(1);
      const replayed = await ctx.db.selectFrom('unrouted_events').select('replayed_at').where('id', '=', event!.id).executeTakeFirstOrThrow();
      expect(replayed.replayed_at).not.toBeNull();
    });

    it('keeps a customer message to a platform number unrouted once, however often its reaction runs, and replays it after assignment', async () => {
      const platform = await makeNumber(ctx, { organization_id: null, provider: 'twilio', phone_number: '+14155550123', provider_id: '+14155550123' });
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/inbound-text.txt', twilioFake.authToken, PUBLIC_URL));
      const [message] = await inbound();
      expect(message).toMatchObject({ organization_id: null, number_id: platform.id });
      await drainJobs(ctx);
      // the job runs at least once: a second run keeps nothing twice
      await reactToInbound(ctx, { messageId: message!.id, profileName: 'Maria Souza' });
      const events = await ctx.db.selectFrom('unrouted_events').selectAll().execute();
      expect(events).toEqual([
        expect.objectContaining({ provider: 'twilio', message_id: message!.id, reason: expect.stringContaining('carries handovers only') }),
      ]);
      expect(await ctx.db.selectFrom('conversations').selectAll().execute()).toHaveLength(0);
      await expect(replayUnroutedEvent(ctx, events[0]!.id)).rejects.toMatchObject({ status: 409, code: 'STILL_UNROUTED' });

      await ctx.db.updateTable('numbers').set({ organization_id: org.id }).where('id', '=', platform.id).execute();
      expect(await replayUnroutedEvent(ctx, events[0]!.id)).toMatchObject({ stored: 1, duplicates: 0 });
      await drainJobs(ctx);
      const [conversation] = await ctx.db.selectFrom('conversations').selectAll().execute();
      expect(conversation).toMatchObject({ organization_id: org.id, number_id: platform.id });
      expect(await inbound()).toEqual([expect.objectContaining({ id: message!.id, organization_id: org.id, conversation_id: conversation!.id })]);
      expect(await replayUnroutedEvent(ctx, events[0]!.id)).toMatchObject({ stored: 0, duplicates: 1 });
    });

    it('applies delivery statuses monotonically: a late sent after delivered changes nothing; failed records why', async () => {
      const number = await metaNumber();
      const sent = await outboundRow(ctx, number, 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QjVGQUQ3QjRCNkQ5MjVFNjkA');
      await receiveWebhook(ctx, providers.meta, signedMetaRequest('meta/status-delivered.json', APP_SECRET));
      expect(await statusOf(ctx, sent)).toMatchObject({ status: 'delivered', send_success: 1 });

      const late = fixtureBytes('meta/status-delivered.json').toString('utf8').replace('"status":"delivered"', '"status":"sent"');
      expect(late).toContain('"status":"sent"');
      await receiveWebhook(ctx, providers.meta, signedMetaRequest(Buffer.from(late), APP_SECRET));
      expect(await statusOf(ctx, sent)).toMatchObject({ status: 'delivered' });

      const failing = await outboundRow(ctx, number, 'wamid.HBgLMTYzMTU1NTExODEVAgARGBJDRjE2ODlBQjI0RTQ2MUE2QTQA');
      await receiveWebhook(ctx, providers.meta, signedMetaRequest('meta/status-failed.json', APP_SECRET));
      const failed = await statusOf(ctx, failing);
      expect(failed).toMatchObject({ status: 'failed', send_success: 0 });
      expect(failed.error_code).toBeTruthy();
      expect(failed.send_error).toBeTruthy();
    });

    it("leaves another organization's message as it was when a status signed with one organization's own secret names it", async () => {
      const theirs = await metaNumber();
      const theirMessage = await outboundRow(ctx, theirs, 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QjVGQUQ3QjRCNkQ5MjVFNjkA');
      const { ownSecret, connection, own } = await ownSecretShop();
      const ownMessage = await outboundRow(ctx, own, 'wamid.own-sent-1');
      // Meta's status payload, reported on the signer's own number, naming both messages' ids.
      const delivered = JSON.parse(fixtureBytes('meta/status-delivered.json').toString('utf8'));
      const value = delivered.entry[0].changes[0].value;
      value.metadata.phone_number_id = own.provider_id;
      value.statuses = [
        { ...value.statuses[0], status: 'read' },
        { ...value.statuses[0], id: 'wamid.own-sent-1', status: 'read' },
      ];
      expect((await receiveWebhook(ctx, providers.meta, signedMetaRequest(Buffer.from(JSON.stringify(delivered)), ownSecret))).status).toBe(200);
      expect(await statusOf(ctx, ownMessage)).toMatchObject({ status: 'read' });
      expect(await statusOf(ctx, theirMessage)).toMatchObject({ status: 'sent' });
      expect(await ctx.db.selectFrom('pending_statuses').selectAll().execute()).toEqual([]);
    });

    it('records a Twilio undelivered callback as failed with its error code, and a Whapi delivered status', async () => {
      const twilio = await twilioNumber();
      const twilioSent = await outboundRow(ctx, twilio, 'SM1b2c3d4e5f60718293a4b5c6d7e8f901');
      await receiveWebhook(ctx, providers.twilio, signedTwilioRequest('twilio/status-failed.txt', twilioFake.authToken, PUBLIC_URL));
      expect(await statusOf(ctx, twilioSent)).toMatchObject({ status: 'failed', send_success: 0, error_code: '63016' });

      const whapi = await whapiNumber();
      const whapiSent = await outboundRow(ctx, whapi, 'Mm3nS8uZ0_bCd45-wAkFnOGqDQ');
      await receiveWebhook(ctx, providers.whapi, whapiRequest('whapi/statuses.json'));
      expect(await statusOf(ctx, whapiSent)).toMatchObject({ status: 'delivered', send_success: 1 });
    });

    describe('a status callback that beats the send', () => {
      const SID = 'SM0f1e2d3c4b5a69788796a5b4c3d2e1f0';
      const callback = (status: string, extra: Record<string, string> = {}) =>
        receiveWebhook(
          ctx,
          providers.twilio,
          signedTwilioRequest(
            { ...twilioFields('twilio/status-delivered.txt'), MessageSid: SID, SmsSid: SID, MessageStatus: status, SmsStatus: status, ...extra },
            twilioFake.authToken,
            PUBLIC_URL,
          ),
        );
      const send = async (number: NumberRow) => {
        await openServiceWindow(ctx, number.id, '+5511987654321');
        twilioFake.planMessageSid(SID);
        const { messageId } = await enqueueSend(ctx, {
          organizationId: org.id,
          numberId: number.id,
          to: '+5511987654321',
          text: 'Your parcel is on its way',
          author: 'bot',
        });
        return messageId;
      };

      it('is kept, not dropped, and applied when the send stores the provider id', async () => {
        const number = await twilioNumber();
        const messageId = await send(number);
        await callback('delivered');
        expect(await ctx.db.selectFrom('unrouted_events').selectAll().execute()).toHaveLength(0);
        expect(await statusOf(ctx, messageId)).toMatchObject({ status: 'queued', provider_message_id: null });

        await drainJobs(ctx);
        expect(await statusOf(ctx, messageId)).toMatchObject({ status: 'delivered', send_success: 1, provider_message_id: SID });
        expect(await ctx.db.selectFrom('pending_statuses').selectAll().execute()).toHaveLength(0);
      });

      it('never moves backwards: read, then a late sent, stays read, before and after the send', async () => {
        const number = await twilioNumber();
        const messageId = await send(number);
        await callback('read');
        await callback('sent');
        await drainJobs(ctx);
        expect(await statusOf(ctx, messageId)).toMatchObject({ status: 'read', provider_message_id: SID });
        await callback('sent');
        expect(await statusOf(ctx, messageId)).toMatchObject({ status: 'read' });
        // A stale status for a message we have is not kept for later.
        expect(await ctx.db.selectFrom('pending_statuses').selectAll().execute()).toHaveLength(0);
      });

      it('records an early failure with its error code', async () => {
        const number = await twilioNumber();
        const messageId = await send(number);
        await callback('undelivered', { ErrorCode: '63016' });
        await drainJobs(ctx);
        expect(await statusOf(ctx, messageId)).toMatchObject({ status: 'failed', send_success: 0, error_code: '63016', provider_message_id: SID });
      });
    });

    it('sends exactly once after three 500s from Twilio, retrying with backoff', async () => {
      const number = await twilioNumber();
      await openServiceWindow(ctx, number.id, '+5511987654321');
      twilioFake.failNext(3, { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } }, 'Messages.json');
      const { messageId } = await enqueueSend(ctx, {
        organizationId: org.id,
        numberId: number.id,
        to: '+5511987654321',
        text: 'Your order shipped',
        author: 'bot',
      });
      for (let attempt = 0; attempt < 4; attempt++) {
        await drainJobs(ctx);
        ctx.clock.advance(60_000);
      }
      const creates = twilioFake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
      expect(creates).toHaveLength(4);
      expect([...twilioFake.messages.values()].filter((m) => m.body === 'Your order shipped')).toHaveLength(1);
      expect(creates[3]!.body).toMatchObject({
        To: 'whatsapp:+5511987654321',
        From: 'whatsapp:+14155550123',
        Body: 'Your order shipped',
        StatusCallback: `${PUBLIC_URL}/api/webhooks/twilio`,
      });
      const message = await statusOf(ctx, messageId);
      expect(message).toMatchObject({ status: 'queued', send_success: 1, send_error: null });
      expect(twilioFake.messages.has(message.provider_message_id!)).toBe(true);
    });

    it('does not retry a permanent error and keeps the reason on the message', async () => {
      const number = await twilioNumber();
      await openServiceWindow(ctx, number.id, '+5511987654321');
      twilioFake.failNext(1, { status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 } }, 'Messages.json');
      const { messageId } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: '+5511987654321', text: 'Hello', author: 'bot' });
      await drainJobs(ctx);
      ctx.clock.advance(3_600_000);
      await drainJobs(ctx);
      expect(twilioFake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
      const message = await statusOf(ctx, messageId);
      expect(message).toMatchObject({ status: 'failed', send_success: 0, error_code: '21610' });
      expect(message.send_error).toContain('unsubscribed');
    });

    it('stores a send Twilio answers with a failed message as failed with its error, and does not retry it', async () => {
      const number = await twilioNumber();
      await openServiceWindow(ctx, number.id, '+5511987654321');
      twilioFake.failMessagesTo('whatsapp:+5511987654321', 63016, 'Failed to send freeform message because you are outside the allowed window.');
      const { messageId } = await enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: '+5511987654321', text: 'Too late?', author: 'bot' });
      await drainJobs(ctx);
      ctx.clock.advance(3_600_000);
      await drainJobs(ctx);
      expect(twilioFake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
      const resource = [...twilioFake.messages.values()].find((m) => m.body === 'Too late?');
      expect(resource).toMatchObject({ status: 'failed', error_code: 63016 });
      const message = await statusOf(ctx, messageId);
      expect(message).toMatchObject({ status: 'failed', send_success: 0, error_code: '63016', provider_message_id: resource!.sid });
      expect(message.send_error).toContain('outside the allowed window');
    });

    it('refuses free text outside the 24-hour window before any provider request, and allows a template', async () => {
      const number = await twilioNumber();
      await openServiceWindow(ctx, number.id, '+5511987654321', new Date(ctx.clock.now().getTime() - 25 * 3600_000));
      await expect(
        enqueueSend(ctx, { organizationId: org.id, numberId: number.id, to: '+5511987654321', text: 'Are you there?', author: 'agent' }),
      ).rejects.toMatchObject({ status: 422, code: 'WINDOW_CLOSED' });
      await drainJobs(ctx);
      expect(twilioFake.requests).toHaveLength(0);
      expect(await ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);

      await enqueueSend(ctx, {
        organizationId: org.id,
        numberId: number.id,
        to: '+5511987654321',
        template: { name: 'HX0123456789abcdef0123456789abcdef', variables: ['Maria'] },
        author: 'agent',
      });
      await drainJobs(ctx);
      expect(twilioFake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
    });

    it('sends one message for one idempotency key, however often it is asked', async () => {
      const number = await twilioNumber();
      await openServiceWindow(ctx, number.id, '+5511987654321');
      const request = { organizationId: org.id, numberId: number.id, to: '+5511987654321', text: 'Once', author: 'bot' as const, idempotencyKey: 'order-42' };
      const results = await Promise.all([enqueueSend(ctx, request), enqueueSend(ctx, request), enqueueSend(ctx, request)]);
      expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
      await drainJobs(ctx);
      expect(twilioFake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
    });
  });
}

async function outboundRow(ctx: AppContext, number: NumberRow, providerMessageId: string): Promise<number> {
  const at = ctx.clock.now().toISOString();
  const row = await ctx.db
    .insertInto('messages')
    .values({
      organization_id: number.organization_id,
      direction: 'out',
      author: 'bot',
      audience: 'contact',
      body: 'Hi',
      provider: number.provider,
      provider_message_id: providerMessageId,
      number_id: number.id,
      from_address: number.phone_number,
      to_address: '+16315551181',
      status: 'sent',
      send_success: 1,
      category: 'service',
      cost: 0,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function statusOf(ctx: AppContext, id: number) {
  return ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
