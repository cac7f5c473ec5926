// Twilio's number calls against the fake REST API (providers.md §1.5): the exact request each one
// makes, its answer in our shape, and each kind of failure classified.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../src/config.js';
import { ProviderRequestError } from '../../../src/providers/provider.js';
import { buyTwilioNumber, releaseTwilioNumber, searchTwilioNumbers } from '../../../src/providers/twilio/numbers.js';
import { startFakeTwilio, type FakeTwilio } from '../../fakes/twilio.js';

let fake: FakeTwilio;
let config: ReturnType<typeof testConfig>;
let credentials: { accountSid: string; authToken: string };
let basic: string;

beforeAll(async () => {
  fake = await startFakeTwilio();
  config = testConfig({ TWILIO_API_BASE_URL: fake.url });
  credentials = { accountSid: fake.accountSid, authToken: fake.authToken };
  basic = `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`;
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.incomingNumbers.clear();
});

const requestError = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderRequestError);
  return error as ProviderRequestError;
};

describe('searching Twilio numbers', () => {
  it('asks for SMS-enabled local numbers of the area code with Basic auth, answering in our shape', async () => {
    const found = await searchTwilioNumbers(config, credentials, { country: 'US', areaCode: '415', limit: 5 });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/AvailablePhoneNumbers/US/Local.json`);
    expect(request!.query).toEqual({ SmsEnabled: 'true', AreaCode: '415', PageSize: '5' });
    expect(request!.headers.authorization).toBe(basic);
    expect(request!.rawBody).toHaveLength(0);
    expect(found).toEqual([
      { phoneNumber: '+14155550142', friendlyName: 'San Francisco, CA', capabilities: { SMS: true, MMS: true, voice: true } },
      { phoneNumber: '+14155550199', friendlyName: 'San Francisco, CA', capabilities: { SMS: true, MMS: true, voice: true } },
    ]);
  });

  it("asks for GB's mobile numbers", async () => {
    const found = await searchTwilioNumbers(config, credentials, { country: 'GB', limit: 20 });
    expect(fake.requests[0]!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/AvailablePhoneNumbers/GB/Mobile.json`);
    expect(fake.requests[0]!.query).toEqual({ SmsEnabled: 'true', PageSize: '20' });
    expect(found).toEqual([{ phoneNumber: '+447700900123', friendlyName: 'London, ENG', capabilities: { SMS: true, MMS: false, voice: true } }]);
  });
});

describe('buying and releasing a Twilio number', () => {
  it('buys with messages and status callbacks pointed at the webhook, and releases by SID', async () => {
    const webhookUrl = 'https://sb.example.com/api/webhooks/twilio';
    const bought = await buyTwilioNumber(config, credentials, { phoneNumber: '+14155550142', friendlyName: 'Switchboard: Acme', webhookUrl });
    expect(bought).toEqual({ sid: expect.stringMatching(/^PN[0-9a-f]{32}$/), phoneNumber: '+14155550142', friendlyName: 'Switchboard: Acme' });
    const [buy] = fake.requests;
    expect(buy!.method).toBe('POST');
    expect(buy!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json`);
    expect(buy!.headers.authorization).toBe(basic);
    expect(buy!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(buy!.body).toEqual({
      PhoneNumber: '+14155550142',
      FriendlyName: 'Switchboard: Acme',
      SmsUrl: webhookUrl,
      SmsMethod: 'POST',
      StatusCallback: webhookUrl,
      StatusCallbackMethod: 'POST',
    });

    expect(await releaseTwilioNumber(config, credentials, bought.sid)).toEqual({ alreadyGone: false });
    const release = fake.requests[1]!;
    expect(release.method).toBe('DELETE');
    expect(release.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers/${bought.sid}.json`);
    expect(release.headers.authorization).toBe(basic);
    expect(fake.incomingNumbers.size).toBe(0);
    // Twilio's 404 (20404) for a number it no longer has is an answer, not a failure.
    expect(await releaseTwilioNumber(config, credentials, bought.sid)).toEqual({ alreadyGone: true });
  });

  it('classifies refused credentials, a refused purchase, rate limiting, 5xx and no answer', async () => {
    expect(await requestError(searchTwilioNumbers(config, { ...credentials, authToken: 'wrong' }, { country: 'US', limit: 1 }))).toMatchObject({
      kind: 'auth',
      detail: 'Authenticate (Twilio error 20003)',
    });
    expect(
      await requestError(buyTwilioNumber(config, credentials, { phoneNumber: '+19995550100', friendlyName: 'x', webhookUrl: 'https://sb.example.com/h' })),
    ).toMatchObject({
      kind: 'rejected',
      detail: 'Phone number +19995550100 is not available. (Twilio error 21422)',
    });
    fake.failNext(1, { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    expect(await requestError(searchTwilioNumbers(config, credentials, { country: 'US', limit: 1 }))).toMatchObject({ kind: 'busy' });
    fake.failNext(1, { status: 503, body: { code: 20500, message: 'Internal Server Error', status: 503 } });
    expect(await requestError(releaseTwilioNumber(config, credentials, `PN${'0'.repeat(32)}`))).toMatchObject({ kind: 'failed' });
    fake.failNext(1, { dropConnection: true });
    expect(await requestError(searchTwilioNumbers(config, credentials, { country: 'CA', limit: 1 }))).toMatchObject({ kind: 'unreachable' });
  });
});
