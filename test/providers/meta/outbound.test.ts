import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { meta } from '../../../src/providers/meta/index.js';
import { classifyMetaError } from '../../../src/providers/meta/outbound.js';
import type { OutboundMessage } from '../../../src/providers/provider.js';
import { graphError, startFakeMeta, type FakeMeta } from '../../fakes/meta.js';
import { sendError } from '../support.js';

let fake: FakeMeta;
let ctx: { config: ReturnType<typeof testConfig> };
let credentials: { accessToken: string };
const PHONE_NUMBER_ID = '106540352242922';

beforeAll(async () => {
  fake = await startFakeMeta();
  ctx = { config: testConfig({ META_GRAPH_BASE_URL: fake.url, META_GRAPH_API_VERSION: 'v23.0' }) };
  credentials = { accessToken: fake.accessToken };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const message = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ from: { providerNumberId: PHONE_NUMBER_ID }, to: '+16315551181', ...extra });

describe('Meta send', () => {
  it('posts text to /{version}/{phone_number_id}/messages with the Bearer token', async () => {
    const result = await meta.send(ctx, credentials, message({ text: 'Sure — please send the new address here.' }));
    expect(result.providerMessageId).toMatch(/^wamid\./);
    expect(result.status).toBe('queued');
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    expect(request!.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16315551181',
      type: 'text',
      text: { preview_url: false, body: 'Sure — please send the new address here.' },
    });
  });

  it('sends a reply to a specific message with context.message_id', async () => {
    await meta.send(ctx, credentials, message({ text: 'Got it', replyToProviderMessageId: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQz' }));
    expect(fake.requests[0]!.body.context).toEqual({ message_id: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQz' });
  });

  it('sends media by link, with the text as caption and a document filename', async () => {
    await meta.send(
      ctx,
      credentials,
      message({ text: 'Your invoice', media: { url: 'https://files.example.com/i.pdf', mimeType: 'application/pdf', filename: 'invoice.pdf' } }),
    );
    expect(fake.requests[0]!.body).toMatchObject({
      type: 'document',
      document: { link: 'https://files.example.com/i.pdf', caption: 'Your invoice', filename: 'invoice.pdf' },
    });
    await meta.send(ctx, credentials, message({ media: { url: 'https://files.example.com/p.jpg', mimeType: 'image/jpeg' } }));
    expect(fake.requests[1]!.body).toMatchObject({ type: 'image', image: { link: 'https://files.example.com/p.jpg' } });
  });

  it('sends a template with its language and body parameters', async () => {
    await meta.send(ctx, credentials, message({ template: { name: 'order_update', language: 'en_US', variables: ['Kerry', '#1042'] } }));
    expect(fake.requests[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16315551181',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Kerry' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
  });

  it('sends to a user known only by BSUID with recipient instead of to', async () => {
    await meta.send(ctx, credentials, message({ to: 'US.13491208655302741918', text: 'Yes, we ship to Canada' }));
    expect(fake.requests[0]!.body).toMatchObject({ recipient: 'US.13491208655302741918' });
    expect(fake.requests[0]!.body.to).toBeUndefined();
  });

  it('classifies a bad token (190) as permanent', async () => {
    const error = await sendError(meta.send(ctx, { accessToken: 'EAAGbad' }, message({ text: 'hi' })));
    expect(error).toMatchObject({ kind: 'permanent', code: '190' });
    expect(error.message).not.toContain('EAAGbad');
  });

  it('classifies 131047 as window_closed', async () => {
    fake.failNext(
      1,
      graphError(
        400,
        131047,
        '(#131047) Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      ),
    );
    const error = await sendError(meta.send(ctx, credentials, message({ text: 'hi' })));
    expect(error).toMatchObject({ kind: 'window_closed', code: '131047' });
    expect(error.message).toContain('more than 24 hours');
  });

  it('retries rate limits and server errors, then sends', async () => {
    fake.failNext(1, { ...graphError(400, 130429, '(#130429) Rate limit hit'), headers: { 'retry-after': '3' } });
    fake.failNext(1, { status: 500, body: 'upstream error' });
    fake.failNext(1, { dropConnection: true });
    expect(await sendError(meta.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'transient', code: '130429', retryAfterMs: 3000 });
    expect(await sendError(meta.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'transient', code: '500' });
    expect(await sendError(meta.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'transient', code: 'NETWORK' });
    const sent = await meta.send(ctx, credentials, message({ text: 'hi' }));
    expect(fake.sent.has(sent.providerMessageId)).toBe(true);
  });

  it('classifies every documented Graph code', () => {
    const kind = (status: number, code: number) => classifyMetaError(status, { error: { code, message: 'x' } }).kind;
    expect(kind(400, 131047)).toBe('window_closed');
    for (const code of [130429, 131056, 4, 80007]) expect(kind(400, code), String(code)).toBe('transient');
    expect(kind(500, 1)).toBe('transient');
    expect(classifyMetaError(503, 'Service Unavailable').kind).toBe('transient');
    expect(classifyMetaError(429, null).kind).toBe('transient');
    for (const code of [190, 100, 131026, 368, 10, 200, 250, 299, 132000]) expect(kind(400, code), String(code)).toBe('permanent');
  });

  it('refuses an unknown phone number id at Meta as permanent (100), and a missing one before any call', async () => {
    expect(await sendError(meta.send(ctx, credentials, { ...message({ text: 'hi' }), from: { providerNumberId: '999999999999' } }))).toMatchObject({
      kind: 'permanent',
      code: '100',
    });
    expect(await sendError(meta.send(ctx, credentials, { ...message({ text: 'hi' }), from: { phone: '+15550783881' } }))).toMatchObject({ code: 'BAD_SENDER' });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('Meta media', () => {
  it('fetches in two steps, both with the Bearer token', async () => {
    const id = fake.addMedia(Buffer.from('%PDF-1.7'), 'application/pdf');
    const file = await meta.fetchMedia!(ctx, credentials, { type: 'document', providerMediaId: id });
    expect(file).toEqual({ bytes: Buffer.from('%PDF-1.7'), contentType: 'application/pdf' });
    expect(fake.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      [`/v23.0/${id}`, `Bearer ${fake.accessToken}`],
      [`/lookaside/whatsapp_business/${id}`, `Bearer ${fake.accessToken}`],
    ]);
  });

  it('answers an unknown media id as a permanent error', async () => {
    expect(await sendError(meta.fetchMedia!(ctx, credentials, { type: 'image', providerMediaId: '123456789' }))).toMatchObject({
      kind: 'permanent',
      code: '100',
    });
  });
});
