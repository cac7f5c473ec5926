// Webhook routes over HTTP (in-process): signatures over the exact bytes, 403 and nothing stored
// when they do not match, Meta's subscription check, auto-detection, and clear 4xx for junk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { buildApp } from '../../src/http/app.js';
import type { Organization } from '../../src/db/schema.js';
import { fixtureBytes, signMeta, signTwilio, twilioFields } from '../fixtures/providers/index.js';
import { makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization } from '../support/factories.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const APP_SECRET = 'e3b1c44298fc1c149afbf4c8996fb924';
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const WHAPI_SECRET = 'whapi-hook-secret';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
let app: App;
let org: Organization;

beforeEach(async () => {
  ctx = await makeTestContext({
    env: {
      PUBLIC_URL,
      SIMULATOR: '1',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: 'verify-me',
      WHAPI_WEBHOOK_SECRET: WHAPI_SECRET,
    },
  });
  app = await buildApp(ctx);
  org = await makeOrganization(ctx);
});
afterEach(async () => {
  await app.close();
  await ctx.database.close();
});

const storedCount = async () => {
  const messages = await ctx.db.selectFrom('messages').select('id').execute();
  const unrouted = await ctx.db.selectFrom('unrouted_events').select('id').execute();
  return messages.length + unrouted.length;
};

function postMeta(body: Buffer, headers: Record<string, string> = {}, url = '/api/webhooks/meta') {
  return app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('POST /api/webhooks/meta', () => {
  it('checks the signature over the exact bytes (unicode escapes kept) and stores the message', async () => {
    await makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
    const body = fixtureBytes('meta/text-unicode-escapes.json');
    const res = await postMeta(body, { 'x-hub-signature-256': signMeta(body, APP_SECRET) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    const [message] = await ctx.db.selectFrom('messages').selectAll().execute();
    expect(message?.provider).toBe('meta');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test asks for any character outside ASCII
    expect(message?.body).toMatch(/[^\x00-\x7f]/);
  });

  it('answers 403 and stores nothing when the signature is missing or wrong', async () => {
    const body = fixtureBytes('meta/text.json');
    const missing = await postMeta(body);
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ ok: false, code: 'INVALID_SIGNATURE' });
    const wrong = await postMeta(body, { 'x-hub-signature-256': signMeta(body, 'another-secret') });
    expect(wrong.statusCode).toBe(403);
    const tampered = Buffer.from(body.toString('utf8').replace('delivery', 'DELIVERY'));
    expect((await postMeta(tampered, { 'x-hub-signature-256': signMeta(body, APP_SECRET) })).statusCode).toBe(403);
    expect(await storedCount()).toBe(0);
  });

  it('keeps a signed body that is not a Meta notification as unrouted and answers 200', async () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":"not-a-list"');
    const res = await postMeta(body, { 'x-hub-signature-256': signMeta(body, APP_SECRET) });
    expect(res.statusCode).toBe(200);
    const [event] = await ctx.db.selectFrom('unrouted_events').selectAll().execute();
    expect(event?.reason).toMatch(/could not be understood/);
    expect(event?.payload).toBe(body.toString('utf8'));
  });
});

describe('GET /api/webhooks/meta (subscription check)', () => {
  it('echoes hub.challenge as plain text when the verify token matches', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('1158201444');
  });

  it('answers 403 for a wrong token or mode', async () => {
    const wrongToken = await app.inject({ method: 'GET', url: '/api/webhooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope' });
    expect(wrongToken.statusCode).toBe(403);
    expect(wrongToken.json()).toMatchObject({ ok: false });
    const wrongMode = await app.inject({ method: 'GET', url: '/api/webhooks/meta?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-me' });
    expect(wrongMode.statusCode).toBe(403);
  });
});

describe('POST /api/webhooks/twilio', () => {
  const path = '/api/webhooks/twilio';

  it('verifies against PUBLIC_URL + path and answers empty TwiML', async () => {
    await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: '+14155550123', provider_id: `PN${'b'.repeat(32)}` });
    const res = await app.inject({
      method: 'POST',
      url: path,
      payload: fixtureBytes('twilio/inbound-text.txt'),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio(PUBLIC_URL + path, twilioFields('twilio/inbound-text.txt'), AUTH_TOKEN),
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toContain('<Response/>');
    expect(await ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(1);
  });

  it("uses the auth token of the organization's own connection for its number", async () => {
    const { saveConnection } = await import('../../src/services/numbers/connections.js');
    const ownToken = 'f'.repeat(32);
    const connectionId = await saveConnection(ctx, {
      organizationId: org.id,
      provider: 'twilio',
      credentials: { accountSid: `AC${'c'.repeat(32)}`, authToken: ownToken },
    });
    await makeNumber(ctx, {
      organization_id: org.id,
      provider: 'twilio',
      phone_number: '+14155550123',
      provider_id: `PN${'b'.repeat(32)}`,
      connection_id: connectionId,
    });
    const send = (token: string) =>
      app.inject({
        method: 'POST',
        url: path,
        payload: fixtureBytes('twilio/inbound-text.txt'),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilio(PUBLIC_URL + path, twilioFields('twilio/inbound-text.txt'), token),
        },
      });
    expect((await send(AUTH_TOKEN)).statusCode).toBe(403);
    expect((await send(ownToken)).statusCode).toBe(200);
  });

  it('answers 403 and stores nothing for a bad signature', async () => {
    const res = await app.inject({
      method: 'POST',
      url: path,
      payload: fixtureBytes('twilio/inbound-text.txt'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90LXRoZS1yaWdodC1vbmU=' },
    });
    expect(res.statusCode).toBe(403);
    expect(await storedCount()).toBe(0);
  });
});

describe('POST /api/webhooks/whapi', () => {
  it('accepts the webhook secret as a bearer token, refuses anything else', async () => {
    await makeNumber(ctx, { organization_id: org.id, provider: 'whapi', phone_number: null, provider_id: 'ACMEGEAR-7QK2X' });
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/webhooks/whapi',
        payload: fixtureBytes('whapi/messages-text.json'),
        headers: { 'content-type': 'application/json', ...headers },
      });
    expect((await post({})).statusCode).toBe(403);
    expect((await post({ authorization: 'Bearer wrong' })).statusCode).toBe(403);
    expect(await storedCount()).toBe(0);
    const ok = await post({ authorization: `Bearer ${WHAPI_SECRET}` });
    expect(ok.statusCode).toBe(200);
    expect(await ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(1);
  });
});

describe('POST /api/webhooks/whatsapp (auto-detect)', () => {
  it('recognizes a signed Meta payload by its shape', async () => {
    await makeNumber(ctx, { organization_id: org.id, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
    const body = fixtureBytes('meta/text.json');
    const res = await postMeta(body, { 'x-hub-signature-256': signMeta(body, APP_SECRET) }, '/api/webhooks/whatsapp');
    expect(res.statusCode).toBe(200);
    expect((await ctx.db.selectFrom('messages').select('provider').executeTakeFirstOrThrow()).provider).toBe('meta');
  });

  it('answers 400 with a sentence for a body of no known shape', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/webhooks/whatsapp', payload: 'hello there', headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ok: false, code: 'UNKNOWN_WEBHOOK_FORMAT' });
    expect(await storedCount()).toBe(0);
  });
});

describe('POST /api/webhooks/sim', () => {
  it('stores a simulated customer message for a simulator number', async () => {
    const number = await makeNumber(ctx, { organization_id: org.id });
    const res = await app.inject({ method: 'POST', url: '/api/webhooks/sim', payload: { from: '+5511987654321', to: number.phone_number, text: 'Oi' } });
    expect(res.statusCode).toBe(200);
    expect(await ctx.db.selectFrom('messages').selectAll().executeTakeFirstOrThrow()).toMatchObject({
      provider: 'simulator',
      body: 'Oi',
      number_id: number.id,
    });
  });

  it.each([
    ['not JSON', '{"from": ', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['a JSON array', '[1,2]', 'application/json'],
    ['no sender', '{"to":"+14155550123","text":"x"}', 'application/json'],
  ])('answers 400 with a sentence for %s, never 500', async (_label, payload, contentType) => {
    const res = await app.inject({ method: 'POST', url: '/api/webhooks/sim', payload, headers: { 'content-type': contentType } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(/\w+.*\./);
    expect(await storedCount()).toBe(0);
  });

  it('does not exist when the simulator is off', async () => {
    const prod = await makeTestContext({ env: { SIMULATOR: '0', WHATSAPP_ACCESS_TOKEN: 't' } });
    const prodApp = await buildApp(prod);
    const res = await prodApp.inject({ method: 'POST', url: '/api/webhooks/sim', payload: { from: '+5511987654321', to: '+14155550123', text: 'x' } });
    expect(res.statusCode).toBe(404);
    await prodApp.close();
    await prod.database.close();
  });
});

describe('odd but signed payloads', () => {
  it('answers 200 and keeps a Meta payload whose number id is not a string', async () => {
    const body = Buffer.from(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '', changes: [{ field: 'messages', value: { metadata: { display_phone_number: [], phone_number_id: [] } } }] }],
      }),
    );
    for (const url of ['/api/webhooks/meta', '/api/webhooks/whatsapp']) {
      const res = await postMeta(body, { 'x-hub-signature-256': signMeta(body, APP_SECRET) }, url);
      expect(res.statusCode).toBeLessThan(500);
    }
    expect(await ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(0);
  });

  it('keeps a Whapi status whose message id is not text as unrouted, answering 200', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/webhooks/whapi',
      payload: '{"statuses":[{"id":{},"status":"sent"}],"channel_id":{}}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WHAPI_SECRET}` },
    });
    expect(res.statusCode).toBe(200);
    expect(await ctx.db.selectFrom('unrouted_events').selectAll().execute()).toHaveLength(1);
  });
});
