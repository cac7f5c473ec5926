import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import type { OutboundMessage } from '../../../src/providers/provider.js';
import { classifyTwilioError } from '../../../src/providers/twilio/outbound.js';
import { twilio } from '../../../src/providers/twilio/index.js';
import { startFakeTwilio, type FakeTwilio } from '../../fakes/twilio.js';
import { sendError } from '../support.js';

let fake: FakeTwilio;
let ctx: { config: ReturnType<typeof testConfig> };
let credentials: { accountSid: string; authToken: string };

beforeAll(async () => {
  fake = await startFakeTwilio();
  ctx = { config: testConfig({ TWILIO_API_BASE_URL: fake.url }) };
  credentials = { accountSid: fake.accountSid, authToken: fake.authToken };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const message = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ from: { phone: '+14155550123' }, to: '+5511987654321', ...extra });

describe('Twilio send', () => {
  it('creates a message with Basic auth, whatsapp: addresses, body and status callback', async () => {
    const result = await twilio.send(
      ctx,
      credentials,
      message({ text: 'Olá! Sim, entregamos.', statusCallbackUrl: 'https://sb.example.com/api/webhooks/twilio' }),
    );
    expect(result.status).toBe('queued');
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.body).toEqual({
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155550123',
      Body: 'Olá! Sim, entregamos.',
      StatusCallback: 'https://sb.example.com/api/webhooks/twilio',
    });
  });

  it('sends media as MediaUrl with the text as Body', async () => {
    const result = await twilio.send(
      ctx,
      credentials,
      message({ text: 'Your invoice', media: { url: 'https://files.example.com/invoice.pdf', mimeType: 'application/pdf' } }),
    );
    expect(result.providerMessageId).toMatch(/^MM/);
    expect(fake.requests[0]!.body).toEqual({
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155550123',
      Body: 'Your invoice',
      MediaUrl: 'https://files.example.com/invoice.pdf',
    });
  });

  it('sends a template as ContentSid with positional ContentVariables and no Body', async () => {
    const sid = `HX${'ab'.repeat(16)}`;
    await twilio.send(ctx, credentials, message({ template: { name: sid, variables: ['Maria', '#1042'] } }));
    expect(fake.requests[0]!.body).toEqual({
      To: 'whatsapp:+5511987654321',
      From: 'whatsapp:+14155550123',
      ContentSid: sid,
      ContentVariables: '{"1":"Maria","2":"#1042"}',
    });
  });

  it('refuses before calling Twilio: a template named other than by Content SID, no content, a bad recipient', async () => {
    expect((await sendError(twilio.send(ctx, credentials, message({ template: { name: 'order_update', variables: [] } })))).kind).toBe('permanent');
    expect((await sendError(twilio.send(ctx, credentials, message()))).code).toBe('EMPTY_MESSAGE');
    expect((await sendError(twilio.send(ctx, credentials, message({ to: 'not a number!', text: 'x' })))).code).toBe('BAD_RECIPIENT');
    expect(fake.requests).toHaveLength(0);
  });

  it('classifies Twilio 21211 (bad To, answered by the fake) as permanent', async () => {
    // the fake, like Twilio, answers 400 21211 for a To that is not a whatsapp:+E164 address
    const error = await sendError(twilio.send(ctx, credentials, { ...message({ text: 'hi' }), to: 'US.13491208655302741918' }));
    expect(error).toMatchObject({ kind: 'permanent', code: '21211' });
    expect(error.message).toMatch(/21211/);
  });

  it('classifies bad credentials (20003) as permanent and never puts the token in the message', async () => {
    const error = await sendError(twilio.send(ctx, { ...credentials, authToken: 'wrong-token-value' }, message({ text: 'hi' })));
    expect(error).toMatchObject({ kind: 'permanent', code: '20003' });
    expect(error.message).not.toContain('wrong-token-value');
  });

  it('classifies 429 as transient with the Retry-After wait', async () => {
    fake.failNext(1, {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 },
    });
    const error = await sendError(twilio.send(ctx, credentials, message({ text: 'hi' })));
    expect(error).toMatchObject({ kind: 'transient', code: '20429', retryAfterMs: 7000 });
  });

  it('classifies 5xx and a dropped connection as transient, and succeeds once Twilio recovers', async () => {
    fake.failNext(1, { status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } });
    fake.failNext(1, { dropConnection: true });
    expect((await sendError(twilio.send(ctx, credentials, message({ text: 'hi' })))).kind).toBe('transient');
    expect((await sendError(twilio.send(ctx, credentials, message({ text: 'hi' })))).kind).toBe('transient');
    const sent = await twilio.send(ctx, credentials, message({ text: 'hi' }));
    expect(fake.messages.has(sent.providerMessageId)).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('classifies 63016 as window_closed', async () => {
    fake.failNext(1, { status: 400, body: { code: 63016, message: 'Outside the allowed window', status: 400 } });
    expect(await sendError(twilio.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'window_closed', code: '63016' });
  });

  it('classifies every documented code', () => {
    const rest = (status: number, code: number) => Object.assign(new Error(`error ${code}`), { status, code });
    expect(classifyTwilioError(rest(400, 63016)).kind).toBe('window_closed');
    expect(classifyTwilioError(rest(400, 131047)).kind).toBe('window_closed');
    expect(classifyTwilioError(rest(429, 20429), '2').retryAfterMs).toBe(2000);
    expect(classifyTwilioError(rest(500, 20500)).kind).toBe('transient');
    expect(classifyTwilioError(rest(400, 21211)).kind).toBe('permanent');
    expect(classifyTwilioError(rest(401, 20003)).kind).toBe('permanent');
    expect(classifyTwilioError(rest(404, 20404)).kind).toBe('permanent');
    expect(classifyTwilioError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('transient');
  });
});

describe('Twilio media', () => {
  it('fetches with Basic auth and follows the redirect without sending credentials to the CDN', async () => {
    const url = fake.addMedia(Buffer.from('JPEGDATA'), 'image/jpeg');
    const file = await twilio.fetchMedia(ctx, credentials, { type: 'image', url });
    expect(file.bytes.toString()).toBe('JPEGDATA');
    expect(file.contentType).toBe('image/jpeg');
    expect(fake.requests[0]!.headers.authorization).toMatch(/^Basic /);
    expect(fake.cdnRequests).toHaveLength(1);
    expect(fake.cdnRequests[0]!.headers.authorization).toBeUndefined();
  });

  it('never fetches, nor sends the credentials to, a media URL outside the Twilio media hosts', async () => {
    const url = fake.addMedia(Buffer.from('x'), 'image/png');
    const cdnUrl = new URL(url);
    const elsewhere = `http://localhost:${cdnUrl.port}${cdnUrl.pathname}`;
    expect(await sendError(twilio.fetchMedia(ctx, credentials, { type: 'image', url: elsewhere }))).toMatchObject({
      kind: 'permanent',
      code: 'MEDIA_REFUSED',
      message: `Twilio media was not fetched: localhost:${cdnUrl.port} is not one of its media hosts.`,
    });
    expect(fake.requests).toHaveLength(0);
  });
});
