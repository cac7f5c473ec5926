import fc from 'fast-check';
import sdk from 'twilio';
import { describe, expect, it } from 'vitest';
import { isValidTwilioBodySignature, isValidTwilioSignature, twilioSignature } from '../../../src/providers/twilio/signature.js';
import type { TwilioParams } from '../../../src/providers/twilio/payloads.js';
import { createHash } from 'node:crypto';

// providers.md §1.3 worked example
const TOKEN = '7c1e4b2a9d3f5e6081a2b3c4d5e6f708';
const EXAMPLE_PARAMS = { To: 'whatsapp:+14155550123', From: 'whatsapp:+5511987654321', Body: 'hi' };

describe('Twilio signature', () => {
  it('reproduces the worked example of providers.md', () => {
    expect(twilioSignature(TOKEN, 'https://example.com/twilio', EXAMPLE_PARAMS)).toBe('x51d4xyvunn8C3go754x9i2/ll8=');
    expect(isValidTwilioSignature(TOKEN, 'x51d4xyvunn8C3go754x9i2/ll8=', 'https://example.com/twilio', EXAMPLE_PARAMS)).toBe(true);
  });

  it('accepts the URL with or without the default port; a signed port or scheme must match', () => {
    const signature = twilioSignature(TOKEN, 'https://example.com/twilio', EXAMPLE_PARAMS);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://example.com:443/twilio', EXAMPLE_PARAMS)).toBe(true);
    // the SDK strips any port from the received URL before its first try; so do we
    expect(isValidTwilioSignature(TOKEN, signature, 'https://example.com:8443/twilio', EXAMPLE_PARAMS)).toBe(
      sdk.validateRequest(TOKEN, signature, 'https://example.com:8443/twilio', EXAMPLE_PARAMS),
    );
    expect(isValidTwilioSignature(TOKEN, signature, 'http://example.com/twilio', EXAMPLE_PARAMS)).toBe(false);
    const withPort = twilioSignature(TOKEN, 'http://localhost:3000/api/webhooks/twilio', EXAMPLE_PARAMS);
    expect(isValidTwilioSignature(TOKEN, withPort, 'http://localhost:3000/api/webhooks/twilio', EXAMPLE_PARAMS)).toBe(true);
    expect(isValidTwilioSignature(TOKEN, withPort, 'http://localhost/api/webhooks/twilio', EXAMPLE_PARAMS)).toBe(false);
  });

  it('fails on any changed parameter, a wrong token, or an empty header', () => {
    const signature = twilioSignature(TOKEN, 'https://example.com/twilio', EXAMPLE_PARAMS);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://example.com/twilio', { ...EXAMPLE_PARAMS, Body: 'hi!' })).toBe(false);
    expect(isValidTwilioSignature(TOKEN, signature, 'https://example.com/twilio', { ...EXAMPLE_PARAMS, Extra: '' })).toBe(false);
    expect(isValidTwilioSignature(`${TOKEN.slice(1)}0`, signature, 'https://example.com/twilio', EXAMPLE_PARAMS)).toBe(false);
    expect(isValidTwilioSignature(TOKEN, '', 'https://example.com/twilio', EXAMPLE_PARAMS)).toBe(false);
  });

  const token = fc.stringMatching(/^[0-9a-f]{32}$/);
  const key = fc.oneof(fc.constantFrom('To', 'From', 'Body', 'MediaUrl', 'body', 'ApiVersion', 'a', 'A', 'Z_1'), fc.string({ minLength: 1, maxLength: 8 }));
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constant(''));
  const params: fc.Arbitrary<TwilioParams> = fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 4 })), { maxKeys: 8 });
  const url = fc
    .record({
      scheme: fc.constantFrom('http', 'https'),
      host: fc.constantFrom('example.com', 'hooks.example.org', 'localhost', '127.0.0.1'),
      port: fc.constantFrom('', ':80', ':443', ':3000'),
      path: fc.constantFrom('/api/webhooks/twilio', '/twilio', '/a/b%20c', "/it's", '/caf%C3%A9'),
      query: fc.constantFrom('', '?x=1', '?tenant=t_acme&x=a+b', "?q=it's", '?a=%27', '?name=caf\u00e9'),
    })
    .map((u) => `${u.scheme}://${u.host}${u.port}${u.path}${u.query}`);

  it('computes what the twilio SDK computes for any parameters', () => {
    fc.assert(
      fc.property(token, url, params, (t, u, p) => {
        expect(twilioSignature(t, u, p)).toBe(sdk.getExpectedTwilioSignature(t, u, p));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts and refuses exactly what the SDK validateRequest does, for signatures over related URLs', () => {
    // the signed URL and the received URL differ by port, encoding or not at all
    fc.assert(
      fc.property(token, url, url, params, fc.boolean(), (t, signedUrl, receivedUrl, p, sameUrl) => {
        const received = sameUrl ? signedUrl : receivedUrl;
        const header = sdk.getExpectedTwilioSignature(t, signedUrl, p);
        expect(isValidTwilioSignature(t, header, received, p)).toBe(sdk.validateRequest(t, header, received, p));
      }),
      { numRuns: 1000 },
    );
  });

  it('validates JSON-bodied webhooks by the bodySHA256 in the URL, as the SDK does', () => {
    const body = Buffer.from('{"hello":"wörld"}');
    const hash = createHash('sha256').update(body).digest('hex');
    const signedUrl = `https://example.com/api/webhooks/twilio?bodySHA256=${hash}`;
    const header = sdk.getExpectedTwilioSignature(TOKEN, signedUrl, {});
    expect(isValidTwilioBodySignature(TOKEN, header, signedUrl, body)).toBe(true);
    expect(sdk.validateRequestWithBody(TOKEN, header, signedUrl, body.toString())).toBe(true);
    expect(isValidTwilioBodySignature(TOKEN, header, signedUrl, Buffer.from('{"hello":"world"}'))).toBe(false);
  });
});
