import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/providers/provider.js';
import { twilio } from '../../../src/providers/twilio/index.js';
import { fixtureBytes, formBody, signTwilio, signedTwilioRequest, twilioFields, webhookRequest } from '../../fixtures/providers/index.js';

const AUTH_TOKEN = '7c1e4b2a9d3f5e6081a2b3c4d5e6f708';
const credentials = { accountSid: 'AC9f1c3e5a7b9d2f4e6a8c0b1d3f5e7a90', authToken: AUTH_TOKEN };
const PUBLIC_URL = 'https://switchboard.example.com';

const parseFixture = (name: string) => twilio.parse(signedTwilioRequest(`twilio/${name}`, AUTH_TOKEN, PUBLIC_URL));

describe('Twilio webhook verification', () => {
  it('accepts a signature over PUBLIC_URL + path + query as received', () => {
    const req = signedTwilioRequest('twilio/inbound-text.txt', AUTH_TOKEN, PUBLIC_URL, '/api/webhooks/twilio?tenant=acme');
    expect(req.url).toBe('/api/webhooks/twilio?tenant=acme');
    expect(twilio.verify(req, credentials, PUBLIC_URL)).toBe(true);
    expect(twilio.verify(req, credentials, `${PUBLIC_URL}/`)).toBe(true);
  });

  it('refuses another token, another public URL, a changed body or no header', () => {
    const req = signedTwilioRequest('twilio/inbound-text.txt', AUTH_TOKEN, PUBLIC_URL);
    expect(twilio.verify(req, { ...credentials, authToken: 'f'.repeat(32) }, PUBLIC_URL)).toBe(false);
    expect(twilio.verify(req, credentials, 'http://localhost:3000')).toBe(false);
    expect(twilio.verify(req, undefined, PUBLIC_URL)).toBe(false);
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('Campinas', 'Santos')) };
    expect(twilio.verify(tampered, credentials, PUBLIC_URL)).toBe(false);
    const unsigned = { ...req, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect(twilio.verify(unsigned, credentials, PUBLIC_URL)).toBe(false);
  });

  it('signs the decoded UTF-8 values (Olá, Vocês) exactly as sent', () => {
    const fields = twilioFields('twilio/inbound-text.txt');
    expect(fields.Body).toBe('Olá! Vocês entregam em Campinas?');
    const req = signedTwilioRequest(fields, AUTH_TOKEN, PUBLIC_URL);
    expect(twilio.verify(req, credentials, PUBLIC_URL)).toBe(true);
  });

  it('verifies and reads GET webhooks by the URL alone; JSON bodies by their bodySHA256', () => {
    const path = '/api/webhooks/twilio?MessageSid=SM1b2c3d4e5f60718293a4b5c6d7e8f901&Body=hi';
    const get = webhookRequest({ method: 'GET', url: path, body: '', headers: { 'x-twilio-signature': signTwilio(PUBLIC_URL + path, {}, AUTH_TOKEN) } });
    expect(twilio.verify(get, credentials, PUBLIC_URL)).toBe(true);
    const getMessage = signedTwilioRequest('twilio/inbound-text.txt', AUTH_TOKEN, PUBLIC_URL);
    const query = getMessage.rawBody.toString();
    const asGet = webhookRequest({ method: 'GET', url: `/api/webhooks/twilio?${query}`, body: '' });
    expect(twilio.parse(asGet)).toEqual(twilio.parse(getMessage));
    const body = '{"event":"x"}';
    const jsonPath = `/api/webhooks/twilio?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const json = webhookRequest({
      url: jsonPath,
      body,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signTwilio(PUBLIC_URL + jsonPath, {}, AUTH_TOKEN) },
    });
    expect(twilio.verify(json, credentials, PUBLIC_URL)).toBe(true);
    expect(twilio.verify({ ...json, rawBody: Buffer.from('{"event":"y"}') }, credentials, PUBLIC_URL)).toBe(false);
  });

  it('recognizes Twilio bodies for the shared endpoint, and hints the number by To or by a status From', () => {
    const inbound = webhookRequest({ url: '/api/webhooks/whatsapp', body: fixtureBytes('twilio/inbound-text.txt') });
    expect(twilio.detect(inbound)).toBe(true);
    expect(twilio.detect(webhookRequest({ url: '/x', body: '{"object":"whatsapp_business_account"}', headers: { 'content-type': 'application/json' } }))).toBe(
      false,
    );
    expect(twilio.routingHint(inbound)).toEqual({ phone: '+14155550123' });
    const status = webhookRequest({ url: '/api/webhooks/twilio', body: fixtureBytes('twilio/status-delivered.txt') });
    expect(twilio.routingHint(status)).toEqual({ phone: '+14155550123' });
  });

  it('answers with empty TwiML as text/xml', () => {
    expect(twilio.ack).toEqual({ contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
  });
});

describe('Twilio webhook parsing', () => {
  it('parses a text message with the profile name and a normalized sender', () => {
    expect(parseFixture('inbound-text.txt')).toEqual([
      {
        kind: 'message',
        provider: 'twilio',
        providerMessageId: 'SM1b2c3d4e5f60718293a4b5c6d7e8f901',
        to: { phone: '+14155550123' },
        from: { phone: '+5511987654321', name: 'Maria Souza' },
        text: 'Olá! Vocês entregam em Campinas?',
      },
    ]);
  });

  it('parses media with its URL, type and caption', () => {
    const [event] = parseFixture('inbound-media.txt');
    expect(event).toMatchObject({
      kind: 'message',
      providerMessageId: 'MM5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a',
      text: 'Is this the right size?',
      media: {
        type: 'image',
        mimeType: 'image/jpeg',
        caption: 'Is this the right size?',
        url: 'https://api.twilio.com/2010-04-01/Accounts/AC9f1c3e5a7b9d2f4e6a8c0b1d3f5e7a90/Messages/MM5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      },
    });
  });

  it('parses a location with its label and address', () => {
    const [event] = parseFixture('inbound-location.txt');
    expect(event).toMatchObject({
      text: null,
      media: { type: 'location', latitude: -22.9068467, longitude: -43.1728965, name: 'Copacabana Palace', address: 'Av. Atlântica, 1702, Rio de Janeiro' },
    });
  });

  it('parses a quick-reply button with its payload and the message replied to', () => {
    const [event] = parseFixture('inbound-button-reply.txt');
    expect(event).toMatchObject({
      text: 'Yes, confirm',
      buttonPayload: 'confirm_order_1042',
      replyToProviderMessageId: 'SM7e6d5c4b3a29180f7e6d5c4b3a291801',
    });
  });

  it('parses status callbacks, mapping undelivered to failed with the error code', () => {
    expect(parseFixture('status-delivered.txt')).toEqual([
      { kind: 'status', provider: 'twilio', providerMessageId: 'SM1b2c3d4e5f60718293a4b5c6d7e8f901', status: 'delivered', to: { phone: '+14155550123' } },
    ]);
    expect(parseFixture('status-failed.txt')[0]).toMatchObject({
      status: 'failed',
      errorCode: '63016',
      errorMessage: 'Failed to send freeform message because you are outside the allowed window.',
    });
  });

  it('maps every Twilio MessageStatus onto the five delivery statuses', () => {
    const expected: Record<string, string> = {
      accepted: 'queued',
      scheduled: 'queued',
      queued: 'queued',
      sending: 'queued',
      sent: 'sent',
      delivered: 'delivered',
      read: 'read',
      failed: 'failed',
      undelivered: 'failed',
      canceled: 'failed',
    };
    const base = twilioFields('twilio/status-delivered.txt');
    for (const [twilioStatus, status] of Object.entries(expected)) {
      const req = webhookRequest({ url: '/api/webhooks/twilio', body: formBody({ ...base, MessageStatus: twilioStatus, SmsStatus: twilioStatus }) });
      expect(twilio.parse(req)[0], twilioStatus).toMatchObject({ kind: 'status', status });
    }
  });

  it('keeps a username sender (no phone) as an external id', () => {
    const fields = { ...twilioFields('twilio/inbound-text.txt'), From: 'whatsapp:US.13491208655302741918' };
    delete (fields as Record<string, string | undefined>).WaId;
    const [event] = twilio.parse(webhookRequest({ url: '/api/webhooks/twilio', body: formBody(fields) }));
    expect(event).toMatchObject({ from: { externalId: 'US.13491208655302741918', name: 'Maria Souza' } });
  });

  it('throws PayloadError for a body without a valid MessageSid, To or From', () => {
    const fields = twilioFields('twilio/inbound-text.txt');
    const parseFields = (f: Record<string, string>) => twilio.parse(webhookRequest({ url: '/api/webhooks/twilio', body: formBody(f) }));
    expect(() => parseFields({ ...fields, MessageSid: 'SM123', SmsSid: 'SM123' })).toThrow(PayloadError);
    expect(() => parseFields({ ...fields, To: '+14155550123' })).toThrow(PayloadError);
    expect(() => parseFields({ ...fields, From: 'whatsapp:<script>', WaId: '' })).toThrow(PayloadError);
    expect(() => twilio.parse(webhookRequest({ url: '/api/webhooks/twilio', body: 'garbage' }))).toThrow(PayloadError);
  });
});
