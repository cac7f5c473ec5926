import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import type { OutboundMessage } from '../../../src/providers/provider.js';
import { whapi } from '../../../src/providers/whapi/index.js';
import { classifyWhapiError } from '../../../src/providers/whapi/outbound.js';
import { startFakeWhapi, type FakeWhapi } from '../../fakes/whapi.js';
import { sendError } from '../support.js';

let fake: FakeWhapi;
let ctx: { config: ReturnType<typeof testConfig> };
let credentials: { token: string };

beforeAll(async () => {
  fake = await startFakeWhapi();
  ctx = { config: testConfig({ WHAPI_BASE_URL: fake.url }) };
  credentials = { token: fake.token };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const message = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ from: { providerNumberId: fake.channelId }, to: '+5511987654321', ...extra });

describe('Whapi send', () => {
  it('posts /messages/text with the channel token, digits as to, and the quoted message', async () => {
    const result = await whapi.send(ctx, credentials, message({ text: 'Claro! Vamos trocar.', replyToProviderMessageId: 'Lq2mR7tY9_aBc34-wAkFnOGqDQ' }));
    expect(result.status).toBe('queued');
    expect(fake.sent.has(result.providerMessageId)).toBe(true);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/messages/text');
    expect(request!.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(request!.body).toEqual({ to: '5511987654321', body: 'Claro! Vamos trocar.', quoted: 'Lq2mR7tY9_aBc34-wAkFnOGqDQ' });
  });

  it('posts media to /messages/{kind} with the link and caption', async () => {
    await whapi.send(
      ctx,
      credentials,
      message({ text: 'Segue a nota', media: { url: 'https://files.example.com/nota.pdf', mimeType: 'application/pdf', filename: 'nota.pdf' } }),
    );
    expect(fake.requests[0]!.path).toBe('/messages/document');
    expect(fake.requests[0]!.body).toEqual({
      to: '5511987654321',
      media: 'https://files.example.com/nota.pdf',
      caption: 'Segue a nota',
      mime_type: 'application/pdf',
      filename: 'nota.pdf',
    });
    await whapi.send(ctx, credentials, message({ media: { url: 'https://files.example.com/p.jpg', type: 'image' } }));
    expect(fake.requests[1]!.path).toBe('/messages/image');
  });

  it('refuses templates and recipients without a phone before any call', async () => {
    expect(await sendError(whapi.send(ctx, credentials, message({ template: { name: 'x', variables: [] } })))).toMatchObject({
      kind: 'permanent',
      code: 'TEMPLATES_UNSUPPORTED',
    });
    expect(await sendError(whapi.send(ctx, credentials, message({ to: 'US.13491208655302741918', text: 'hi' })))).toMatchObject({ code: 'BAD_RECIPIENT' });
    expect(fake.requests).toHaveLength(0);
  });

  it('classifies a bad token (401) as permanent', async () => {
    expect(await sendError(whapi.send(ctx, { token: 'wrong' }, message({ text: 'hi' })))).toMatchObject({ kind: 'permanent', code: '401' });
  });

  it('classifies 429 (with Retry-After), 5xx and network failures as transient', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '5' }, body: { error: { code: 429, message: 'Too many requests' } } });
    fake.failNext(3, { status: 502, body: 'Bad gateway' });
    fake.failNext(1, { dropConnection: true });
    expect(await sendError(whapi.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'transient', retryAfterMs: 5000 });
    for (let i = 0; i < 3; i++) expect((await sendError(whapi.send(ctx, credentials, message({ text: 'hi' })))).kind).toBe('transient');
    expect(await sendError(whapi.send(ctx, credentials, message({ text: 'hi' })))).toMatchObject({ kind: 'transient', code: 'NETWORK' });
    await expect(whapi.send(ctx, credentials, message({ text: 'hi' }))).resolves.toMatchObject({ status: 'queued' });
  });

  it('classifies 400, 401, 403 and 404 as permanent', () => {
    for (const status of [400, 401, 403, 404])
      expect(classifyWhapiError(status, { error: { code: status, message: 'x' } }).kind, String(status)).toBe('permanent');
    expect(classifyWhapiError(404, { error: { code: 404, message: 'Channel not found' } }).message).toContain('Channel not found');
  });
});

describe('Whapi media', () => {
  it('fetches a media id through /media/{id} with the token', async () => {
    const id = fake.addMedia(Buffer.from('OggS'), 'audio/ogg');
    const file = await whapi.fetchMedia!(ctx, credentials, { type: 'audio', providerMediaId: id });
    expect(file).toEqual({ bytes: Buffer.from('OggS'), contentType: 'audio/ogg' });
    expect(fake.requests[0]).toMatchObject({ path: `/media/${id}`, headers: { authorization: `Bearer ${fake.token}` } });
  });
});
