// Generated bad input — random JSON, provider-shaped payloads with wrong types, form bodies,
// huge strings, odd unicode, truncated bodies, wrong content types — never gets a 5xx or a
// crash: every refusal is a 4xx sentence. Webhook bodies are signed correctly half the time so
// they get past verification into parsing, de-duplication and storage.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { signMeta, signTwilio } from '../fixtures/providers/index.js';
import { makeTestContext } from '../support/context.js';

const secrets = {
  twilioToken: '7c1e4b2a9d3f5e6081a2b3c4d5e6f708',
  metaAppSecret: 'e3b1c44298fc1c149afbf4c8996fb924',
  whapiSecret: 'whapi-fuzz-secret',
  adminKey: 'admin-fuzz-key-0123456789',
};
const PUBLIC_URL = 'http://localhost:3000';
const TWILIO_NUMBER = '+14155550123';
const META_NUMBER_ID = '106540352242922';
const WHAPI_CHANNEL = 'ACMEGEAR-7QK2X';

let server: RunningServer;

beforeAll(async () => {
  // Provider APIs point at a closed local port: a reply the fuzzed input triggers fails fast, offline.
  const nowhere = 'http://127.0.0.1:9';
  const ctx = await makeTestContext({
    env: {
      PUBLIC_URL,
      ADMIN_API_KEY: secrets.adminKey,
      SIMULATOR: '1',
      TWILIO_ACCOUNT_SID: `AC${'a1'.repeat(16)}`,
      TWILIO_AUTH_TOKEN: secrets.twilioToken,
      TWILIO_PHONE_NUMBER: `whatsapp:${TWILIO_NUMBER}`,
      TWILIO_API_BASE_URL: nowhere,
      WHATSAPP_ACCESS_TOKEN: 'meta-token',
      WHATSAPP_APP_SECRET: secrets.metaAppSecret,
      WHATSAPP_PHONE_NUMBER_ID: META_NUMBER_ID,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: 'verify-me',
      META_GRAPH_BASE_URL: nowhere,
      WHAPI_TOKEN: 'whapi-token',
      WHAPI_CHANNEL_ID: WHAPI_CHANNEL,
      WHAPI_WEBHOOK_SECRET: secrets.whapiSecret,
      WHAPI_BASE_URL: nowhere,
    },
  });
  server = await startServer(ctx, { listen: false });
});

afterAll(async () => {
  await server.stop();
});

// ---- generated pieces ----------------------------------------------------------------------

const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // includes lone surrogates
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\u202eevil', '🙂‍↕️👩🏽‍💻', 'ﷺ', '%00', '../../etc/passwd', '#282: hi', '@visitor_: x', '<Response/>'),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)), // huge strings
);
/** A field's right type most of the time, anything else otherwise. */
const maybe = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const digits = fc.oneof(fc.stringMatching(/^\d{8,15}$/), oddText);

const metaMessage = fc.record(
  {
    from: maybe(digits),
    id: maybe(fc.oneof(fc.constant('wamid.fuzz'), fc.stringMatching(/^wamid\.[A-Za-z0-9]{1,20}$/), oddText)),
    timestamp: maybe(fc.oneof(fc.integer().map(String), oddText)),
    type: maybe(fc.constantFrom('text', 'image', 'document', 'audio', 'location', 'contacts', 'interactive', 'button', 'reaction', 'unsupported', 'zzz')),
    text: maybe(fc.record({ body: maybe(oddText) })),
    image: maybe(fc.record({ id: maybe(oddText), mime_type: maybe(oddText), caption: maybe(oddText) })),
    location: maybe(fc.record({ latitude: maybe(fc.double()), longitude: maybe(fc.double()) })),
    context: maybe(fc.record({ id: maybe(oddText), from: maybe(digits) })),
  },
  { requiredKeys: [] },
);
const metaStatus = fc.record(
  {
    id: maybe(oddText),
    status: maybe(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'bogus')),
    recipient_id: maybe(digits),
    timestamp: maybe(oddText),
    errors: maybe(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const metaPayload = fc.record(
  {
    object: maybe(fc.constant('whatsapp_business_account')),
    entry: maybe(
      fc.array(
        fc.record({
          id: maybe(oddText),
          changes: maybe(
            fc.array(
              fc.record({
                field: maybe(fc.constant('messages')),
                value: maybe(
                  fc.record(
                    {
                      messaging_product: maybe(fc.constant('whatsapp')),
                      metadata: maybe(
                        fc.record({ display_phone_number: maybe(digits), phone_number_id: maybe(fc.oneof(fc.constant(META_NUMBER_ID), oddText)) }),
                      ),
                      contacts: maybe(fc.array(fc.record({ profile: maybe(fc.record({ name: maybe(oddText) })), wa_id: maybe(digits) }), { maxLength: 2 })),
                      messages: maybe(fc.array(metaMessage, { maxLength: 3 })),
                      statuses: maybe(fc.array(metaStatus, { maxLength: 3 })),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              }),
              { maxLength: 2 },
            ),
          ),
        }),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);
const whapiPayload = fc.record(
  {
    messages: maybe(
      fc.array(
        fc.record(
          {
            id: maybe(oddText),
            from_me: maybe(fc.boolean()),
            type: maybe(fc.constantFrom('text', 'image', 'voice', 'reply', 'x')),
            chat_id: maybe(oddText),
            timestamp: maybe(fc.integer()),
            text: maybe(fc.record({ body: maybe(oddText) })),
            from: maybe(digits),
            from_name: maybe(oddText),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    ),
    statuses: maybe(fc.array(metaStatus, { maxLength: 2 })),
    event: maybe(fc.record({ type: maybe(oddText), event: maybe(oddText) })),
    channel_id: maybe(fc.oneof(fc.constant(WHAPI_CHANNEL), oddText)),
  },
  { requiredKeys: [] },
);
const twilioFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'MessageSid',
      'SmsSid',
      'AccountSid',
      'From',
      'To',
      'Body',
      'NumMedia',
      'MediaUrl0',
      'MediaContentType0',
      'ProfileName',
      'WaId',
      'MessageType',
      'MessageStatus',
      'ErrorCode',
      'OriginalRepliedMessageSid',
      'Latitude',
      'Longitude',
      'ButtonPayload',
    ),
    oddText,
  ),
  fc.oneof(oddText, fc.constantFrom(`whatsapp:${TWILIO_NUMBER}`, 'whatsapp:+5511987654321', 'SM0123456789abcdef0123456789abcdef', '1', '-1', 'NaN')),
  { maxKeys: 10 },
);

interface Body {
  contentType: string | undefined;
  payload: string;
}
const jsonBody = (value: fc.Arbitrary<unknown>) => value.map((v): Body => ({ contentType: 'application/json', payload: JSON.stringify(v) ?? 'null' }));
const formBody = twilioFields.map((fields): Body => ({ contentType: 'application/x-www-form-urlencoded', payload: new URLSearchParams(fields).toString() }));
const randomJson = jsonBody(fc.jsonValue({ maxDepth: 4 }));

/** Any body, possibly cut short or sent under the wrong content type. */
function mangled(body: fc.Arbitrary<Body>): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 4, arbitrary: body },
    { weight: 1, arbitrary: fc.tuple(body, fc.nat()).map(([b, n]) => ({ ...b, payload: b.payload.slice(0, n % (b.payload.length + 1)) })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          body,
          fc.constantFrom(
            undefined,
            'text/plain',
            'application/xml',
            'multipart/form-data',
            'application/octet-stream',
            'application/json; charset=latin1',
            'application/x-www-form-urlencoded',
            'application/json',
            'image/png; x=")',
          ),
        )
        .map(([b, contentType]) => ({ ...b, contentType })),
    },
  );
}

// ---- requests ------------------------------------------------------------------------------

function signedHeaders(provider: string, url: string, body: Body): Record<string, string> {
  if (provider === 'twilio') {
    return { 'x-twilio-signature': signTwilio(PUBLIC_URL + url, Object.fromEntries(new URLSearchParams(body.payload)), secrets.twilioToken) };
  }
  if (provider === 'meta') return { 'x-hub-signature-256': signMeta(body.payload, secrets.metaAppSecret) };
  if (provider === 'whapi') return { authorization: `Bearer ${secrets.whapiSecret}` };
  return {};
}

const webhookRequest = fc
  .record({
    provider: fc.constantFrom('twilio', 'meta', 'whapi', 'whatsapp', 'sim'),
    signed: fc.boolean(),
    badSignature: fc.oneof(fc.constant(undefined), oddText),
  })
  .chain(({ provider, signed, badSignature }) => {
    const shaped = {
      twilio: formBody,
      meta: jsonBody(metaPayload),
      whapi: jsonBody(whapiPayload),
      whatsapp: fc.oneof(formBody, jsonBody(metaPayload), jsonBody(whapiPayload)),
      sim: randomJson,
    };
    return mangled(fc.oneof({ weight: 3, arbitrary: shaped[provider as keyof typeof shaped] }, { weight: 1, arbitrary: randomJson })).map((body) => {
      const url = `/api/webhooks/${provider}`;
      const headers = signed
        ? signedHeaders(provider === 'whatsapp' ? (body.contentType?.includes('form') ? 'twilio' : 'meta') : provider, url, body)
        : badSignature === undefined
          ? {}
          : { 'x-twilio-signature': badSignature, 'x-hub-signature-256': badSignature, authorization: badSignature };
      return { method: 'POST' as const, url, body, headers };
    });
  });

const pathPiece = fc.oneof(
  fc.uuid(),
  fc.constantFrom('visitor_abc', 'pk_test', '1', '-1', '9'.repeat(30), '%FF', '%C0%AF', '%'),
  oddText.map((s) => encodeURIComponent(s.slice(0, 300).replace(/[\ud800-\udfff]/g, '?'))),
);
const apiRequest = fc
  .record({
    template: fc.constantFrom(
      'POST /api/organizations',
      'POST /api/organizations/:id/widgets',
      'POST /api/organizations/:id/numbers/provision',
      'POST /api/organizations/:id/knowledge',
      'PATCH /api/organizations/:id',
      'PATCH /api/widgets/:id',
      'POST /api/widget/:id/sessions',
      'POST /api/widget/sessions/:id/messages',
      'POST /api/widget/sessions/:id/handover',
      'POST /api/admin/unrouted-events/:id/replay',
      'GET /api/webhooks/meta',
    ),
    id: pathPiece,
    auth: fc.constantFrom('admin', 'none', 'garbage'),
    query: fc.dictionary(
      fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge', 'month', 'token', 'limit'),
      oddText.map((s) => s.slice(0, 500)),
      { maxKeys: 3 },
    ),
    body: mangled(
      fc.oneof(
        randomJson,
        formBody,
        jsonBody(
          fc.dictionary(
            fc.constantFrom('name', 'plan', 'text', 'allowedOrigins', 'greeting', 'visitorName', 'agentWhatsappNumbers', 'whatsappNumberPool'),
            fc.jsonValue({ maxDepth: 2 }),
          ),
        ),
      ),
    ),
  })
  .map(({ template, id, auth, query, body }) => {
    const [method, path] = template.split(' ') as ['POST' | 'PATCH' | 'GET', string];
    const search = new URLSearchParams(query).toString();
    const url = path.replace(':id', id) + (search ? `?${search}` : '');
    const headers: Record<string, string> =
      auth === 'admin' ? { authorization: `Bearer ${secrets.adminKey}` } : auth === 'garbage' ? { authorization: 'Bearer \u00ff\u00fe' } : {};
    return { method, url, body, headers };
  });

async function send(request: { method: 'POST' | 'PATCH' | 'GET'; url: string; body: Body; headers: Record<string, string> }) {
  const headers = { ...request.headers, ...(request.body.contentType ? { 'content-type': request.body.contentType } : {}) };
  const response = await server.app.inject({
    method: request.method,
    url: request.url,
    headers,
    ...(request.method === 'GET' ? {} : { payload: request.body.payload }),
  });
  expect(response.statusCode, `${request.method} ${request.url} → ${response.statusCode} ${response.body.slice(0, 300)}`).toBeLessThan(500);
  if (response.statusCode >= 400) {
    const answer = response.json() as { ok: unknown; error: unknown; code: unknown };
    expect(answer.ok).toBe(false);
    expect(typeof answer.error === 'string' && answer.error.length > 0).toBe(true);
    expect(typeof answer.code).toBe('string');
  }
  for (const secret of Object.values(secrets)) expect(response.body).not.toContain(secret);
  expect(response.body).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
}

describe('generated bad input', () => {
  it('never answers a webhook with a 5xx (6,000 generated webhooks)', async () => {
    await fc.assert(fc.asyncProperty(webhookRequest, send), { numRuns: 6_000, seed: 20261122 });
  }, 240_000);

  it('never answers the admin or visitor API with a 5xx (4,000 generated requests)', async () => {
    await fc.assert(fc.asyncProperty(apiRequest, send), { numRuns: 4_000, seed: 7 });
  }, 240_000);

  it('is still healthy afterwards', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
  });
});
