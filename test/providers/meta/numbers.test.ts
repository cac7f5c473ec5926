// The business account's numbers on the Graph API against the fake (providers.md §2.6): the exact
// request each call makes, its answer in our shape, paging, and each kind of failure classified.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { listMetaBusinessNumbers, lookUpMetaNumber } from '../../../src/providers/meta/numbers.js';
import { ProviderRequestError } from '../../../src/providers/provider.js';
import { type FakeMeta, startFakeMeta } from '../../fakes/meta.js';
import { startFakeServer } from '../../fakes/server.js';

const FIELDS = 'id,display_phone_number,verified_name,code_verification_status,quality_rating,status';

let fake: FakeMeta;
let config: ReturnType<typeof testConfig>;

beforeAll(async () => {
  fake = await startFakeMeta();
  config = testConfig({ META_GRAPH_BASE_URL: fake.url, META_GRAPH_API_VERSION: 'v23.0' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const requestError = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderRequestError);
  return error as ProviderRequestError;
};

describe("listing the business account's numbers", () => {
  it('GETs /{WABA}/phone_numbers with the fields and the Bearer token, answering in our shape', async () => {
    const numbers = await listMetaBusinessNumbers(config, fake.accessToken, fake.wabaId);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe(`/v23.0/${fake.wabaId}/phone_numbers`);
    expect(request!.query).toEqual({ fields: FIELDS });
    expect(request!.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(request!.rawBody).toHaveLength(0);
    expect(numbers).toEqual([
      { phoneNumberId: '106540352242922', displayNumber: '+1 555-078-3881', verifiedName: 'Acme Outdoor Gear', verificationStatus: 'VERIFIED' },
      { phoneNumberId: '106540352242923', displayNumber: '+1 555-078-3882', verifiedName: 'Acme Outdoor Gear West', verificationStatus: 'VERIFIED' },
    ]);
  });

  it('follows paging.next on the Graph origin only, so the token never goes elsewhere', async () => {
    const elsewhere = await startFakeServer([{ method: 'GET', pattern: '/v23.0/stolen', handler: () => ({ status: 200, body: { data: [{ id: '3' }] } }) }]);
    const graph = await startFakeServer([
      {
        method: 'GET',
        pattern: '/v23.0/:waba/phone_numbers',
        handler: () => ({ status: 200, body: { data: [{ id: '1' }], paging: { next: `${graph.url}/v23.0/page-2` } } }),
      },
      {
        method: 'GET',
        pattern: '/v23.0/page-2',
        handler: () => ({ status: 200, body: { data: [{ id: '2' }], paging: { next: `${elsewhere.url}/v23.0/stolen` } } }),
      },
    ]);
    try {
      const numbers = await listMetaBusinessNumbers(testConfig({ META_GRAPH_BASE_URL: graph.url, META_GRAPH_API_VERSION: 'v23.0' }), 'token-1', 'waba-1');
      expect(numbers.map((n) => n.phoneNumberId)).toEqual(['1', '2']);
      expect(graph.requests.map((r) => r.path)).toEqual(['/v23.0/waba-1/phone_numbers', '/v23.0/page-2']);
      expect(graph.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await graph.close();
      await elsewhere.close();
    }
  });
});

describe('looking up one number', () => {
  it('GETs /{phone-number-id} with the fields and the Bearer token', async () => {
    const number = await lookUpMetaNumber(config, fake.accessToken, '106540352242923');
    expect(number).toEqual({
      phoneNumberId: '106540352242923',
      displayNumber: '+1 555-078-3882',
      verifiedName: 'Acme Outdoor Gear West',
      verificationStatus: 'VERIFIED',
    });
    const [request] = fake.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe('/v23.0/106540352242923');
    expect(request!.query).toEqual({ fields: FIELDS });
    expect(request!.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
  });

  it('classifies a refused token, an unknown id, rate limiting, 5xx and no answer', async () => {
    expect(await requestError(lookUpMetaNumber(config, 'wrong-token', '106540352242922'))).toMatchObject({
      kind: 'auth',
      detail: 'Invalid OAuth access token - Cannot parse access token (Graph error 190)',
    });
    expect(await requestError(lookUpMetaNumber(config, fake.accessToken, '999999999999'))).toMatchObject({
      kind: 'unknown',
      detail: expect.stringMatching(/^Unsupported get request.*\(Graph error 100\)$/),
    });
    fake.failNext(1, { status: 429, body: { error: { message: 'Too many calls', code: 80007 } } });
    expect(await requestError(listMetaBusinessNumbers(config, fake.accessToken, fake.wabaId))).toMatchObject({ kind: 'busy' });
    fake.failNext(1, { status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } });
    expect(await requestError(listMetaBusinessNumbers(config, fake.accessToken, fake.wabaId))).toMatchObject({
      kind: 'failed',
      detail: 'An unknown error occurred (Graph error 1)',
    });
    fake.failNext(1, { dropConnection: true });
    expect(await requestError(lookUpMetaNumber(config, fake.accessToken, '106540352242922'))).toMatchObject({ kind: 'unreachable' });
  });
});
