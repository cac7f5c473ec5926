// The fakes themselves: they must answer what the real APIs answer, or other suites prove nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { twilioClient } from '../../src/providers/twilio/client.js';
import { startFakeMeta, type FakeMeta } from './meta.js';
import { startFakeTwilio, type FakeTwilio } from './twilio.js';
import { startFakeWhapi, type FakeWhapi } from './whapi.js';

describe('fake Twilio, driven by the official SDK', () => {
  let fake: FakeTwilio;
  let client: ReturnType<typeof twilioClient>['client'];
  beforeAll(async () => {
    fake = await startFakeTwilio();
    client = twilioClient(testConfig({ TWILIO_API_BASE_URL: fake.url }), { accountSid: fake.accountSid, authToken: fake.authToken }).client;
  });
  afterAll(() => fake.close());

  it('searches, buys and releases numbers with the documented shapes', async () => {
    const found = await client.availablePhoneNumbers('US').local.list({ areaCode: 415, limit: 5 });
    expect(found.map((n) => n.phoneNumber)).toEqual(['+14155550142', '+14155550199']);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/2010-04-01/Accounts/${fake.accountSid}/AvailablePhoneNumbers/US/Local.json`,
      query: { AreaCode: '415', PageSize: '5' },
    });

    const bought = await client.incomingPhoneNumbers.create({
      phoneNumber: '+14155550142',
      smsUrl: 'https://sb.example.com/api/webhooks/twilio',
      statusCallback: 'https://sb.example.com/api/webhooks/twilio',
    });
    expect(bought.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(bought.smsUrl).toBe('https://sb.example.com/api/webhooks/twilio');
    expect(bought.statusCallback).toBe('https://sb.example.com/api/webhooks/twilio');
    expect(fake.requests.at(-1)!.body).toEqual({
      PhoneNumber: '+14155550142',
      SmsUrl: 'https://sb.example.com/api/webhooks/twilio',
      StatusCallback: 'https://sb.example.com/api/webhooks/twilio',
    });
    await expect(client.incomingPhoneNumbers.create({ phoneNumber: '+14155550142' })).rejects.toMatchObject({ status: 400, code: 21422 });

    await expect(client.incomingPhoneNumbers(bought.sid).remove()).resolves.toBe(true);
    await expect(client.incomingPhoneNumbers(bought.sid).remove()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('answers a country it cannot serve with Twilio error 20404', async () => {
    await expect(client.availablePhoneNumbers('RW').local.list({ limit: 5 })).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('refuses wrong credentials with 20003', async () => {
    const stranger = twilioClient(testConfig({ TWILIO_API_BASE_URL: fake.url }), { accountSid: fake.accountSid, authToken: 'nope' }).client;
    await expect(stranger.availablePhoneNumbers('US').local.list({ limit: 1 })).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it('fails only the requests a path filter names', async () => {
    fake.failNext(1, { status: 500, body: { code: 20500, message: 'Internal', status: 500 } }, '/Messages.json');
    await expect(client.availablePhoneNumbers('CA').local.list({ limit: 1 })).resolves.toHaveLength(1);
    await expect(client.messages.create({ to: 'whatsapp:+5511987654321', from: 'whatsapp:+14155550123', body: 'x' })).rejects.toMatchObject({ status: 500 });
    await expect(client.messages.create({ to: 'whatsapp:+5511987654321', from: 'whatsapp:+14155550123', body: 'x' })).resolves.toMatchObject({
      status: 'queued',
    });
  });
});

describe('fake Meta Graph', () => {
  let fake: FakeMeta;
  beforeAll(async () => {
    fake = await startFakeMeta();
  });
  afterAll(() => fake.close());
  const get = (path: string, token = fake.accessToken) => fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("lists the WABA's phone numbers and reads one", async () => {
    const list = await (await get(`/v23.0/${fake.wabaId}/phone_numbers`)).json();
    expect(list.data[0]).toMatchObject({
      id: '106540352242922',
      display_phone_number: '+1 555-078-3881',
      verified_name: 'Acme Outdoor Gear',
      code_verification_status: 'VERIFIED',
    });
    const one = await (await get('/v23.0/106540352242923')).json();
    expect(one).toMatchObject({ id: '106540352242923', display_phone_number: '+1 555-078-3882' });
  });

  it('answers 190 to a bad token and 100 to an unknown object', async () => {
    const bad = await get(`/v23.0/${fake.wabaId}/phone_numbers`, 'wrong');
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe(190);
    const unknown = await get('/v23.0/42424242424');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.code).toBe(100);
  });
});

describe('fake Whapi', () => {
  let fake: FakeWhapi;
  beforeAll(async () => {
    fake = await startFakeWhapi();
  });
  afterAll(() => fake.close());

  it('reports channel health behind the token', async () => {
    const ok = await fetch(`${fake.url}/health`, { headers: { authorization: `Bearer ${fake.token}` } });
    expect(await ok.json()).toMatchObject({ status: { text: 'AUTH' } });
    expect((await fetch(`${fake.url}/health`)).status).toBe(401);
  });
});
