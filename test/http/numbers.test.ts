// Seed 002's contract against a fake Twilio speaking the REST API, through the official SDK.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basicAuth } from '../fakes/server.js';
import { type FakeTwilio, startFakeTwilio, twilioPlatformEnv } from '../fakes/twilio.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const PUBLIC_URL = 'https://switchboard.example.com';
let twilio: FakeTwilio;
let api: AdminApi;

beforeAll(async () => {
  twilio = await startFakeTwilio();
  api = await startAdminApi({
    env: { PUBLIC_URL, ...twilioPlatformEnv(twilio) },
  });
});
afterAll(async () => {
  await api.server.stop();
  await twilio.close();
});
beforeEach(() => twilio.reset());

function expectTwilioAuth(index = 0) {
  expect(basicAuth(twilio.requests[index]!)).toEqual({ username: twilio.accountSid, password: twilio.authToken });
}

describe('searching numbers', () => {
  it('answers the seed shape from AvailablePhoneNumbers, asking Twilio for SMS-capable local numbers', async () => {
    const res = await api.call('GET', '/api/organizations/search-numbers?country=US&areaCode=415');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      numbers: [
        { phoneNumber: '+14155550142', friendlyName: 'San Francisco, CA', capabilities: { SMS: true, MMS: true, voice: true } },
        { phoneNumber: '+14155550199', friendlyName: 'San Francisco, CA', capabilities: { SMS: true, MMS: true, voice: true } },
      ],
      total: 2,
    });
    expect(twilio.requests).toHaveLength(1);
    const req = twilio.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/AvailablePhoneNumbers/US/Local.json`);
    expect(req.query).toMatchObject({ AreaCode: '415', SmsEnabled: 'true' });
    expectTwilioAuth();
  });

  it('defaults to the US and searches GB mobile numbers (the SMS-capable kind there)', async () => {
    expect((await api.call('GET', '/api/organizations/search-numbers')).body.total).toBe(3);
    expect(twilio.requests[0]!.path).toContain('/AvailablePhoneNumbers/US/Local.json');
    const gb = await api.call('GET', '/api/organizations/search-numbers?country=gb');
    expect(gb.body.numbers).toEqual([{ phoneNumber: '+447700900123', friendlyName: 'London, ENG', capabilities: { SMS: true, MMS: false, voice: true } }]);
    expect(twilio.requests[1]!.path).toContain('/AvailablePhoneNumbers/GB/Mobile.json');
  });

  it('refuses Rwanda with a sentence pointing at US numbers, without asking Twilio', async () => {
    const res = await api.call('GET', '/api/organizations/search-numbers?country=RW');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ok: false, code: 'COUNTRY_NOT_SUPPORTED' });
    expect(res.body.error).toMatch(/RW/);
    expect(res.body.error).toMatch(/use a US number instead/);
    expect(twilio.requests).toHaveLength(0);
  });

  it('refuses a malformed country or area code', async () => {
    expect((await api.call('GET', '/api/organizations/search-numbers?country=USA')).status).toBe(400);
    const bad = await api.call('GET', '/api/organizations/search-numbers?areaCode=4x5');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/areaCode/);
  });

  it('needs a key', async () => {
    expect((await api.call('GET', '/api/organizations/search-numbers', { key: null })).status).toBe(401);
  });
});

describe('provisioning and releasing', () => {
  it('buys the number with the webhook set, stores it pending, and releases it at Twilio', async () => {
    const { id } = await api.organizationWithKey('Bay Bakery', { plan: 'starter' });
    const res = await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+14155550142' } });
    expect(res.status).toBe(200);
    const sid = [...twilio.incomingNumbers.keys()][0]!;
    expect(sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(res.body).toMatchObject({ ok: true, organization: { id, whatsappNumber: '+14155550142', whatsappNumberSid: sid } });
    expect(res.body.message).toMatch(/provisioned successfully/);
    expect(res.body.message).toMatch(/registered as a WhatsApp sender/);

    const buy = twilio.requests[0]!;
    expect(buy.method).toBe('POST');
    expect(buy.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/IncomingPhoneNumbers.json`);
    expect(buy.body).toMatchObject({
      PhoneNumber: '+14155550142',
      SmsUrl: `${PUBLIC_URL}/api/webhooks/twilio`,
      SmsMethod: 'POST',
      StatusCallback: `${PUBLIC_URL}/api/webhooks/twilio`,
    });
    expectTwilioAuth();

    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      provider: 'twilio',
      provider_id: sid,
      phone_number: '+14155550142',
      sender_status: 'pending',
      is_dedicated: 1,
      is_shared_trial: 0,
    });
    const org = (await api.call('GET', `/api/organizations/${id}`)).body.organization;
    expect(org).toMatchObject({ whatsappNumber: '+14155550142', whatsappNumberSid: sid, senderStatus: 'pending' });

    const second = await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+14155550199' } });
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('Organization already has a WhatsApp number');
    expect(twilio.requests).toHaveLength(1);

    const released = await api.call('DELETE', `/api/organizations/${id}/provision-number`);
    expect(released.body).toEqual({ ok: true, message: 'WhatsApp number released successfully' });
    expect(twilio.requests[1]).toMatchObject({ method: 'DELETE', path: `/2010-04-01/Accounts/${twilio.accountSid}/IncomingPhoneNumbers/${sid}.json` });
    expect(twilio.incomingNumbers.size).toBe(0);
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
    expect((await api.call('DELETE', `/api/organizations/${id}/provision-number`)).status).toBe(404);
  });

  it('explains a number Twilio no longer has (20404) and removes it here', async () => {
    const { id } = await api.organizationWithKey('Gone Grocer');
    await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+14155550199' } });
    twilio.incomingNumbers.clear(); // released in the Twilio Console meanwhile
    const res = await api.call('DELETE', `/api/organizations/${id}/provision-number`);
    expect(res.status).toBe(200);
    expect(res.body.message).toMatch(/already released/);
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
  });

  it("turns Twilio's refusal into a 4xx sentence and stores nothing", async () => {
    const { id } = await api.organizationWithKey('Unlucky');
    const res = await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+19995550000' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Twilio refused buying \+19995550000: .*21422/);
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
  });

  it('answers 502 with a sentence when Twilio fails, and a bad phone number is a 400', async () => {
    const { id } = await api.organizationWithKey('Flaky');
    twilio.failNext(1, { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
    const failed = await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+12125550110' } });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ ok: false, code: 'PROVIDER_ERROR' });
    const bad = await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: 'call me' } });
    expect(bad.status).toBe(400);
  });

  it('lists the numbers with their health and lets the platform record the sender status', async () => {
    const { id, key } = await api.organizationWithKey('Healthy');
    await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+12125550110' } });
    const listed = await api.call('GET', `/api/organizations/${id}/numbers`, { key });
    expect(listed.body.numbers).toHaveLength(1);
    const number = listed.body.numbers[0];
    expect(number).toMatchObject({
      provider: 'twilio',
      phoneNumber: '+12125550110',
      senderStatus: 'pending',
      messagesIn: 0,
      messagesOut: 0,
      failedSends: 0,
      lastSendError: null,
    });
    const now = api.ctx.clock.now().toISOString();
    await api.ctx.db
      .insertInto('messages')
      .values({
        organization_id: id,
        direction: 'out',
        author: 'bot',
        audience: 'contact',
        status: 'failed',
        send_success: 0,
        send_error: 'Twilio error 63016: outside the window',
        number_id: number.id,
        category: 'service',
        cost: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const health = (await api.call('GET', `/api/organizations/${id}/numbers`, { key })).body.numbers[0];
    expect(health).toMatchObject({ messagesOut: 1, failedSends: 1, lastSendError: 'Twilio error 63016: outside the window' });

    expect((await api.call('PATCH', `/api/organizations/${id}/numbers/${number.id}`, { key, body: { senderStatus: 'online' } })).status).toBe(403);
    const online = await api.call('PATCH', `/api/organizations/${id}/numbers/${number.id}`, { body: { senderStatus: 'online' } });
    expect(online.body.number.senderStatus).toBe('online');
    expect((await api.call('GET', `/api/organizations/${id}`)).body.organization.senderStatus).toBe('online');
    await api.call('DELETE', `/api/organizations/${id}/provision-number`);
  });
});

describe('the shared trial number', () => {
  it("is designated by the platform, one at a time, and never an organization's number", async () => {
    expect((await api.call('GET', '/api/admin/trial-number')).body).toEqual({ ok: true, number: null });
    const set = await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'twilio', phoneNumber: '+1 415 523 8886' } });
    expect(set.status).toBe(200);
    expect(set.body.number).toMatchObject({ provider: 'twilio', phoneNumber: '+14155238886', providerId: '+14155238886' });
    const other = await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'simulator', phoneNumber: '+15550001111' } });
    expect((await api.call('GET', '/api/admin/trial-number')).body.number.id).toBe(other.body.number.id);
    const shared = await api.ctx.db.selectFrom('numbers').select(['phone_number']).where('is_shared_trial', '=', 1).execute();
    expect(shared).toEqual([{ phone_number: '+15550001111' }]);

    const { id } = await api.organizationWithKey('Owner');
    await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+12125550110' } });
    const sid = (await api.call('GET', `/api/organizations/${id}`)).body.organization.whatsappNumberSid;
    const refused = await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'twilio', phoneNumber: '+12125550110', providerId: sid } });
    expect(refused.status).toBe(409);
    expect((await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'twilio', phoneNumber: 'sandbox' } })).status).toBe(400);
    await api.call('DELETE', `/api/organizations/${id}/provision-number`);
  });
});

describe('without Twilio credentials', () => {
  it('says Twilio is not configured', async () => {
    const bare = await startAdminApi();
    try {
      const res = await bare.call('GET', '/api/organizations/search-numbers');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ ok: false, code: 'TWILIO_NOT_CONFIGURED' });
      expect(res.body.error).toMatch(/Twilio is not configured/);
    } finally {
      await bare.server.stop();
    }
  });
});
