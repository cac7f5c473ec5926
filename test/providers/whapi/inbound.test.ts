import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../../src/providers/provider.js';
import { whapi } from '../../../src/providers/whapi/index.js';
import { fixtureBytes, webhookRequest } from '../../fixtures/providers/index.js';

const SECRET = 'whsec-3f9a1c7e5b2d4f6a8c0e';
const credentials = { token: 'unused', webhookSecret: SECRET };
const request = (fixture: string, options: { url?: string; headers?: Record<string, string> } = {}) =>
  webhookRequest({
    url: options.url ?? '/api/webhooks/whapi',
    body: fixtureBytes(`whapi/${fixture}`),
    headers: { 'content-type': 'application/json', ...options.headers },
  });

describe('Whapi webhook verification', () => {
  it('accepts the secret as a Bearer header, an X-Webhook-Token header or ?token=', () => {
    expect(whapi.verify(request('messages-text.json', { headers: { authorization: `Bearer ${SECRET}` } }), credentials)).toBe(true);
    expect(whapi.verify(request('messages-text.json', { headers: { 'x-webhook-token': SECRET } }), credentials)).toBe(true);
    expect(whapi.verify(request('messages-text.json', { url: `/api/webhooks/whapi?token=${SECRET}` }), credentials)).toBe(true);
  });

  it('refuses a wrong or missing secret, and everything when none is configured', () => {
    expect(whapi.verify(request('messages-text.json', { headers: { authorization: 'Bearer nope' } }), credentials)).toBe(false);
    expect(whapi.verify(request('messages-text.json', { headers: { authorization: SECRET } }), credentials)).toBe(false);
    expect(whapi.verify(request('messages-text.json', { url: '/api/webhooks/whapi?token=' }), credentials)).toBe(false);
    expect(whapi.verify(request('messages-text.json'), credentials)).toBe(false);
    expect(whapi.verify(request('messages-text.json', { headers: { authorization: 'Bearer ' } }), { token: 't' })).toBe(false);
  });

  it('detects Whapi bodies and routes by channel_id', () => {
    expect(whapi.detect(request('messages-text.json'))).toBe(true);
    expect(whapi.detect(request('statuses.json'))).toBe(true);
    expect(whapi.detect(webhookRequest({ url: '/x', body: fixtureBytes('meta/text.json') }))).toBe(false);
    expect(whapi.routingHint(request('messages-text.json'))).toEqual({ providerNumberId: 'ACMEGEAR-7QK2X' });
  });

  it('has no service window', () => {
    expect(whapi.hasServiceWindow).toBe(false);
  });
});

describe('Whapi webhook parsing', () => {
  it('parses the text message of providers.md', () => {
    expect(whapi.parse(request('messages-text.json'))).toEqual([
      {
        kind: 'message',
        provider: 'whapi',
        providerMessageId: 'p.w30M7fgwWD4XwHu.g4CA-gBgTwl0rVw',
        to: { providerNumberId: 'ACMEGEAR-7QK2X' },
        from: { phone: '+14155552671', name: 'John' },
        text: 'Hello!',
        timestamp: new Date(1712995245 * 1000),
      },
    ]);
  });

  it('parses image, voice, a quoted reply and a location; skips our own and group messages', () => {
    const events = whapi.parse(request('messages-mixed.json'));
    expect(events.map((e) => (e.kind === 'typing' ? '' : e.providerMessageId))).toEqual([
      'PsqRjWan5_eRi84-wAkFnOGqDQ',
      'Ks8lQzUv3_pPx12-wAkFnOGqDQ',
      'Lq2mR7tY9_aBc34-wAkFnOGqDQ',
      'Nn4oT9vA1_cDe56-wAkFnOGqDQ',
    ]);
    expect(events[0]).toMatchObject({
      from: { phone: '+5511987654321', name: 'Maria Souza' },
      text: 'Meu pedido chegou assim',
      media: {
        type: 'image',
        url: 'https://s3.eu-central-1.wasabisys.com/in-files/ACMEGEAR-7QK2X/jpeg-4a9e0c2b1f3d5e7a9c0b.jpeg',
        providerMediaId: 'jpeg-4a9e0c2b1f3d5e7a9c0b',
        mimeType: 'image/jpeg',
        caption: 'Meu pedido chegou assim',
      },
    });
    expect(events[1]).toMatchObject({ text: null, media: { type: 'audio', mimeType: 'audio/ogg; codecs=opus' } });
    expect(events[2]).toMatchObject({ text: 'Podem trocar?', replyToProviderMessageId: 'Mm3nS8uZ0_bCd45-wAkFnOGqDQ' });
    expect(events[3]).toMatchObject({
      media: { type: 'location', latitude: -23.5613991, longitude: -46.6565712, name: 'MASP', address: 'Av. Paulista, 1578, São Paulo' },
    });
  });

  it('parses statuses with error codes and ignores deletions', () => {
    expect(whapi.parse(request('statuses.json'))).toEqual([
      {
        kind: 'status',
        provider: 'whapi',
        providerMessageId: 'Mm3nS8uZ0_bCd45-wAkFnOGqDQ',
        status: 'delivered',
        to: { providerNumberId: 'ACMEGEAR-7QK2X' },
        timestamp: new Date(1712995360 * 1000),
      },
      {
        kind: 'status',
        provider: 'whapi',
        providerMessageId: 'Oo5pU0wB2_dEf67-wAkFnOGqDQ',
        status: 'failed',
        to: { providerNumberId: 'ACMEGEAR-7QK2X' },
        errorCode: '470',
        errorMessage: 'Failed to send: The recipient is not on WhatsApp',
        timestamp: new Date(1712995361 * 1000),
      },
    ]);
  });

  it('throws PayloadError for what it cannot read', () => {
    const parse = (body: string) => whapi.parse(webhookRequest({ url: '/api/webhooks/whapi', body }));
    expect(() => parse('[]')).toThrow(PayloadError);
    expect(() => parse('{"messages":[]}')).toThrow(PayloadError);
    expect(() => parse('{"channel_id":"C-1","messages":[{"from_me":false,"type":"text","from":"14155552671"}]}')).toThrow(PayloadError);
    expect(() => parse('{"channel_id":"C-1","messages":[{"id":"abcdef","from_me":false,"type":"text","from":"hello"}]}')).toThrow(PayloadError);
  });
});
