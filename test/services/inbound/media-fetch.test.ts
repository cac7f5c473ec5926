// Inbound media is fetched only from the provider's media hosts, with credentials only to those,
// and never from a private or loopback address unless MEDIA_FETCH_ALLOW_PRIVATE is on (SPEC §11).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { ProviderSendError } from '../../../src/providers/provider.js';
import { providers } from '../../../src/providers/registry.js';
import type { AppContext } from '../../../src/services/context.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { type FakeServer, startFakeServer } from '../../fakes/server.js';
import { type FakeTwilio, startFakeTwilio } from '../../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../../fakes/whapi.js';
import { signedTwilioRequest, twilioFields } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization } from '../../support/factories.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const MEDIA_PATH =
  '/2010-04-01/Accounts/AC9f1c3e5a7b9d2f4e6a8c0b1d3f5e7a90/Messages/MM5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** A local server that answers any GET with a small file and counts who asked. */
let target: FakeServer;
let twilioFake: FakeTwilio;
let ctx: AppContext | undefined;
/** The media requests a server received (the bot's reply to the customer is a POST to the same API). */
const mediaRequests = (server: FakeServer) => server.requests.filter((r) => r.method === 'GET');

beforeAll(async () => {
  twilioFake = await startFakeTwilio();
  target = await startFakeServer([{ method: 'GET', pattern: '/:a/:b/:c/:d/:e/:f/:g', handler: () => ({ status: 200, body: 'secret internal file' }) }]);
});
afterAll(async () => {
  await twilioFake.close();
  await target.close();
});
beforeEach(() => {
  twilioFake.reset();
  target.reset();
});
afterEach(async () => {
  await ctx?.database.close();
  ctx = undefined;
});

/** A Twilio organization's number, and a signed webhook whose MediaUrl0 is `mediaUrl`; jobs drained. */
async function receiveTwilioMedia(env: Record<string, string>, mediaUrl: string) {
  ctx = await makeTestContext({
    env: { PUBLIC_URL, TWILIO_ACCOUNT_SID: twilioFake.accountSid, TWILIO_AUTH_TOKEN: twilioFake.authToken, TWILIO_API_BASE_URL: twilioFake.url, ...env },
  });
  const org = await makeOrganization(ctx);
  await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550123', provider_id: 'PN0123456789abcdef0123456789abcdef' });
  const fields = { ...twilioFields('twilio/inbound-media.txt'), MediaUrl0: mediaUrl };
  const answer = await receiveWebhook(ctx, providers.twilio, signedTwilioRequest(fields, twilioFake.authToken, PUBLIC_URL));
  expect(answer.status).toBe(200);
  await drainJobs(ctx);
  const message = await ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'in').executeTakeFirstOrThrow();
  const job = await ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'inbound.media').executeTakeFirstOrThrow();
  return { message, media: JSON.parse(message.media!), job };
}

describe('inbound media fetch', () => {
  it('never requests a loopback address while MEDIA_FETCH_ALLOW_PRIVATE is off, even on the configured API host', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const base = target.url.replace('127.0.0.1', host);
      const { media, job } = await receiveTwilioMedia({ MEDIA_FETCH_ALLOW_PRIVATE: '0', TWILIO_API_BASE_URL: base }, `${base}${MEDIA_PATH}`);
      expect(mediaRequests(target)).toHaveLength(0);
      // Failed for good on the first attempt, with the reason; the message keeps its media as received.
      expect(job).toMatchObject({ status: 'failed', attempts: 1 });
      expect(job.last_error).toMatch(/^Twilio media was not fetched: (127\.0\.0\.1|localhost) is a private address \((127\.0\.0\.1|::1)\)\.$/);
      expect(media).toEqual({ type: 'image', url: `${base}${MEDIA_PATH}`, mimeType: 'image/jpeg', caption: 'Is this the right size?' });
      await ctx!.database.close();
      ctx = undefined;
    }
  });

  it('refuses a host that is not one of the provider media hosts: nothing is requested, no credentials leave', async () => {
    for (const url of [`${target.url.replace('127.0.0.1', 'localhost')}${MEDIA_PATH}`, `https://media.example.net${MEDIA_PATH}`, `file:///etc/passwd`]) {
      const { job } = await receiveTwilioMedia({}, url);
      expect(job.status).toBe('failed');
      expect(job.last_error).toMatch(/^Twilio media was not fetched: .* (not one of its media hosts|not fetched)\.$/);
      await ctx!.database.close();
      ctx = undefined;
    }
    expect(mediaRequests(target)).toHaveLength(0);
    expect(mediaRequests(twilioFake)).toHaveLength(0);
  });

  it('fetches a Twilio media URL on the API host with Basic auth when private addresses are allowed', async () => {
    const url = twilioFake.addMedia(Buffer.from('JPEGDATA'), 'image/jpeg');
    const { media, job } = await receiveTwilioMedia({ MEDIA_FETCH_ALLOW_PRIVATE: '1' }, url);
    expect(job.status).toBe('done');
    expect(media.fileUrl).toMatch(/\/api\/media\//);
    const basic = `Basic ${Buffer.from(`${twilioFake.accountSid}:${twilioFake.authToken}`).toString('base64')}`;
    expect(twilioFake.requests[0]!.headers.authorization).toBe(basic);
    expect(twilioFake.cdnRequests[0]!.headers.authorization).toBeUndefined();
  });

  it('does not follow a redirect off the provider media hosts', async () => {
    const elsewhere = `${target.url.replace('127.0.0.1', 'localhost')}${MEDIA_PATH}`;
    const api = await startFakeServer([{ method: 'GET', pattern: MEDIA_PATH, handler: () => ({ status: 302, headers: { location: elsewhere } }) }]);
    try {
      const { job } = await receiveTwilioMedia({ TWILIO_API_BASE_URL: api.url }, `${api.url}${MEDIA_PATH}`);
      expect(mediaRequests(api)).toHaveLength(1);
      expect(mediaRequests(target)).toHaveLength(0);
      expect(job).toMatchObject({ status: 'failed', attempts: 1 });
      expect(job.last_error).toContain('is not one of its media hosts');
    } finally {
      await api.close();
    }
  });
});

describe('Meta and Whapi media hosts', () => {
  let whapiFake: FakeWhapi;
  beforeAll(async () => {
    whapiFake = await startFakeWhapi();
  });
  afterAll(() => whapiFake.close());

  it('refuses a Graph media URL that points outside Meta, sending it no token', async () => {
    const graph = await startFakeServer([
      {
        method: 'GET',
        pattern: '/v23.0/:id',
        handler: () => ({ status: 200, body: { url: `${target.url.replace('127.0.0.1', 'localhost')}${MEDIA_PATH}`, mime_type: 'image/jpeg' } }),
      },
    ]);
    try {
      const config = testConfig({ META_GRAPH_BASE_URL: graph.url });
      const error = await providers.meta.fetchMedia!({ config }, { accessToken: 'meta-token' } as never, {
        type: 'image',
        providerMediaId: '1483579412866145',
      }).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderSendError);
      expect(error).toMatchObject({ kind: 'permanent', code: 'MEDIA_REFUSED' });
      expect(graph.requests).toHaveLength(1);
      expect(mediaRequests(target)).toHaveLength(0);
    } finally {
      await graph.close();
    }
  });

  it('fetches a Whapi media whose link is elsewhere by its id on Whapi, never the link', async () => {
    const config = testConfig({ WHAPI_BASE_URL: whapiFake.url });
    const id = whapiFake.addMedia(Buffer.from('OggS'), 'audio/ogg');
    const link = `${target.url.replace('127.0.0.1', 'localhost')}${MEDIA_PATH}`;
    const file = await providers.whapi.fetchMedia!({ config }, { token: whapiFake.token } as never, { type: 'audio', url: link, providerMediaId: id });
    expect(file.bytes.toString()).toBe('OggS');
    expect(mediaRequests(target)).toHaveLength(0);
    expect(whapiFake.requests[0]).toMatchObject({ path: `/media/${id}` });
  });
});
