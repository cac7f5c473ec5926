import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/core/secrets.js';

describe('redactUrl', () => {
  it.each([
    ['/api/webhooks/whapi?token=abc&token=def', '/api/webhooks/whapi?token=[redacted]&token=[redacted]'],
    [
      '/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42',
      '/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    ],
    [
      '/x?access_token=EAAG1&key=k&api_key=a&apiKey=b&client_secret=c&signature=d&password=e',
      '/x?access_token=[redacted]&key=[redacted]&api_key=[redacted]&apiKey=[redacted]&client_secret=[redacted]&signature=[redacted]&password=[redacted]',
    ],
    ['/x?hub%2Everify_token=s&Token=t&after=5', '/x?hub%2Everify_token=[redacted]&Token=[redacted]&after=5'],
    ['/x?token=&status=open#token=frag', '/x?token=[redacted]&status=open#token=frag'],
    ['/api/widget/sessions/visitor_1/events?lastEventId=3&token=vst_1', '/api/widget/sessions/visitor_1/events?lastEventId=3&token=[redacted]'],
  ])('%s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('leaves URLs without secrets as they are', () => {
    for (const url of ['/api/organizations', '/api/organizations?status=open&after=12', '/api/webhooks/whapi?tenant=t_acme', '/a=b']) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
