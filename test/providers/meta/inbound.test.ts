import { describe, expect, it } from 'vitest';
import { meta } from '../../../src/providers/meta/index.js';
import { PayloadError } from '../../../src/providers/provider.js';
import { fixtureBytes, signMeta, signedMetaRequest, webhookRequest } from '../../fixtures/providers/index.js';

const APP_SECRET = 'e3b1c44298fc1c149afbf4c8996fb924';
const credentials = { accessToken: 'unused', appSecret: APP_SECRET };
const parseFixture = (name: string) => meta.parse(signedMetaRequest(`meta/${name}`, APP_SECRET));
const BUSINESS = { providerNumberId: '106540352242922', phone: '+15550783881' };

describe('Meta webhook verification', () => {
  it('matches the worked example of providers.md', () => {
    expect(signMeta('{"hello":"world"}', APP_SECRET)).toBe('sha256=688212cd9a7cb9affa04b19c7ae600a2fc0aede8a654c63d2c566683735e24a0');
    const req = webhookRequest({
      url: '/api/webhooks/meta',
      body: '{"hello":"world"}',
      headers: { 'x-hub-signature-256': 'sha256=688212cd9a7cb9affa04b19c7ae600a2fc0aede8a654c63d2c566683735e24a0' },
    });
    expect(meta.verify(req, credentials)).toBe(true);
  });

  it('verifies the raw bytes: \\uXXXX escapes re-serialized by JSON.stringify no longer match', () => {
    const raw = fixtureBytes('meta/text-unicode-escapes.json');
    expect(raw.toString()).toContain('\\u00bfD\\u00f3nde');
    const req = signedMetaRequest('meta/text-unicode-escapes.json', APP_SECRET);
    expect(meta.verify(req, credentials)).toBe(true);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(reserialized.equals(raw)).toBe(false);
    expect(meta.verify({ ...req, rawBody: reserialized }, credentials)).toBe(false);
  });

  it('refuses a missing header, a header without sha256=, another secret or no secret', () => {
    const req = signedMetaRequest('meta/text.json', APP_SECRET);
    const header = req.headers['x-hub-signature-256']!;
    expect(meta.verify({ ...req, headers: {} }, credentials)).toBe(false);
    expect(meta.verify({ ...req, headers: { 'x-hub-signature-256': header.slice('sha256='.length) } }, credentials)).toBe(false);
    expect(meta.verify(req, { ...credentials, appSecret: 'another-secret' })).toBe(false);
    expect(meta.verify(req, { accessToken: 'x' })).toBe(false);
  });

  it('detects Meta bodies and hints the phone_number_id', () => {
    const req = webhookRequest({ url: '/api/webhooks/whatsapp', body: fixtureBytes('meta/text.json') });
    expect(meta.detect(req)).toBe(true);
    expect(meta.routingHint(req)).toEqual({ providerNumberId: '106540352242922' });
    expect(meta.detect(webhookRequest({ url: '/x', body: 'To=whatsapp%3A%2B1' }))).toBe(false);
  });
});

describe('Meta webhook parsing', () => {
  it('parses a text message with profile name, wa_id as E.164 and the timestamp', () => {
    expect(parseFixture('text.json')).toEqual([
      {
        kind: 'message',
        provider: 'meta',
        providerMessageId: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTdCRjE5NjU3MDlGQ0E1RDQ4MwA=',
        to: BUSINESS,
        from: { phone: '+16315551181', name: 'Kerry Fisher' },
        text: 'Hi, I need to change my delivery address',
        timestamp: new Date(1784034321 * 1000),
      },
    ]);
  });

  it('decodes \\u escapes, including a surrogate pair, into the text and name', () => {
    const [event] = parseFixture('text-unicode-escapes.json');
    expect(event).toMatchObject({ text: '¿Dónde está mi pedido? 📦 — gracias', from: { phone: '+5491123456789', name: 'Zoë Müller-Ñúñez' } });
  });

  it('parses image and document media by id, with caption, filename and reply context', () => {
    expect(parseFixture('image.json')[0]).toMatchObject({
      text: 'The box arrived damaged',
      media: { type: 'image', providerMediaId: '1483579412866145', mimeType: 'image/jpeg', caption: 'The box arrived damaged' },
      replyToProviderMessageId: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QjVGQUQ3QjRCNkQ5MjVFNjkA',
    });
    expect(parseFixture('document.json')[0]).toMatchObject({
      text: null,
      media: { type: 'document', providerMediaId: '902134567812345', mimeType: 'application/pdf', filename: 'invoice-1042.pdf' },
    });
  });

  it('parses a location', () => {
    expect(parseFixture('location.json')[0]).toMatchObject({
      text: null,
      media: { type: 'location', latitude: 37.483307, longitude: -122.148981, name: 'Meta HQ', address: '1 Hacker Way, Menlo Park, CA 94025' },
    });
  });

  it('parses interactive button replies and template quick replies with their payloads', () => {
    expect(parseFixture('interactive-button-reply.json')[0]).toMatchObject({ text: 'Talk to a person', buttonPayload: 'talk_to_human' });
    expect(parseFixture('template-button.json')[0]).toMatchObject({
      text: 'Confirm',
      buttonPayload: 'confirm_order_1042',
      replyToProviderMessageId: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBJDRjE2ODlBQjI0RTQ2MUE2QTQA',
    });
  });

  it('keeps a user known only by username as an external id with the profile name', () => {
    expect(parseFixture('username-no-phone.json')[0]).toMatchObject({
      from: { externalId: 'US.13491208655302741918', name: 'Kai' },
      text: 'Do you ship to Canada?',
    });
  });

  it('parses statuses, with the error code of a failure', () => {
    expect(parseFixture('status-delivered.json')).toEqual([
      {
        kind: 'status',
        provider: 'meta',
        providerMessageId: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QjVGQUQ3QjRCNkQ5MjVFNjkA',
        status: 'delivered',
        to: BUSINESS,
        timestamp: new Date(1784034400 * 1000),
      },
    ]);
    expect(parseFixture('status-failed.json')[0]).toMatchObject({
      status: 'failed',
      errorCode: '131047',
      errorMessage: 'Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    });
  });

  it('parses every entry, change, message and status of a batched payload', () => {
    const events = parseFixture('batched-multi-entry.json');
    expect(events.map((e) => [e.kind, e.kind === 'typing' ? '' : e.providerMessageId, e.to?.providerNumberId])).toEqual([
      ['message', 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQkFUQ0gwMDAwMDAwMDAwMDAwMQA=', '106540352242922'],
      ['message', 'wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhgUM0JBVENIMDAwMDAwMDAwMDAwMDIA', '106540352242922'],
      ['status', 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QjVGQUQ3QjRCNkQ5MjVFNjkA', '106540352242922'],
      ['message', 'wamid.HBgMNDQ3OTExMTIzNDU2FQIAEhgUM0JBVENIMDAwMDAwMDAwMDAwMDMA', '106540352242923'],
    ]);
    // the Brazilian 8-digit wa_id is read as the 9-digit mobile
    expect(events[1]).toMatchObject({ from: { phone: '+5511987654321', name: 'Ana Lima' }, text: 'Oi, tudo bem?' });
    expect(events[2]).toMatchObject({ status: 'read' });
    expect(events[3]).toMatchObject({ text: '👍', media: { type: 'reaction' }, from: { phone: '+447911123456', name: 'Sam Reed' } });
  });

  it('throws PayloadError for bodies it cannot read', () => {
    const parse = (body: string) => meta.parse(webhookRequest({ url: '/api/webhooks/meta', body }));
    expect(() => parse('not json')).toThrow(PayloadError);
    expect(() => parse('{"object":"whatsapp_business_account"}')).toThrow(PayloadError);
    expect(() => parse('{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"wamid.x"}]}}]}]}')).toThrow(PayloadError);
    expect(() =>
      parse(
        '{"entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1065"},"messages":[{"id":"wamid.abcd","from":"<>","type":"text"}]}}]}]}',
      ),
    ).toThrow(PayloadError);
  });

  it('ignores changes of other fields', () => {
    expect(
      meta.parse(webhookRequest({ url: '/x', body: '{"entry":[{"changes":[{"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}}]}]}' })),
    ).toEqual([]);
  });
});
