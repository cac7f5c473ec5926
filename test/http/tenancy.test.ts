// The tenancy matrix: every admin endpoint refuses another organization's key (404), a missing or
// unknown key (401), and an organization key on platform routes (403) — and no answer, allowed or
// refused, ever carries a stored credential.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/keys.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { ADMIN_KEY, type AdminApi, startAdminApi } from './admin-client.js';

const SECRETS = {
  metaToken: 'EAAGmetaPlatformToken1234567890',
  metaAppSecret: 'meta-app-secret-0f9e8d7c',
  whapiToken: 'platform-whapi-token-a1b2c3',
  ownWhapiToken: 'own-whapi-token-d4e5f6a7',
};

let twilio: FakeTwilio;
let whapi: FakeWhapi;
let api: AdminApi;
let victim: { id: string; key: string };
let intruder: { id: string; key: string };
let victimKeyId: string;
let victimNumberId: string;
let victimAgentId: string;
let victimConnectionId: string;
const bodies: string[] = [];

beforeAll(async () => {
  twilio = await startFakeTwilio();
  // The gate knows the victim's own token (own tokens are checked at /health before they are kept).
  whapi = await startFakeWhapi({ token: SECRETS.ownWhapiToken, channelId: 'VICTIM-CH' });
  api = await startAdminApi({
    env: {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_ACCESS_TOKEN: SECRETS.metaToken,
      WHATSAPP_APP_SECRET: SECRETS.metaAppSecret,
      WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
      META_GRAPH_BASE_URL: 'http://127.0.0.1:9',
      WHAPI_TOKEN: SECRETS.whapiToken,
      WHAPI_BASE_URL: whapi.url,
    },
  });
  victim = await api.organizationWithKey('Victim');
  intruder = await api.organizationWithKey('Intruder');
  victimKeyId = (await api.call('GET', `/api/organizations/${victim.id}/api-keys`)).body.apiKeys[0].id;
  await api.call('POST', `/api/organizations/${victim.id}/whapi-channel`, {
    body: { channelId: 'VICTIM-CH', displayNumber: '+14155550001', token: SECRETS.ownWhapiToken },
  });
  await api.call('POST', `/api/organizations/${victim.id}/provision-number`, { body: { phoneNumber: '+14155550142' } });
  victimNumberId = (await api.call('GET', `/api/organizations/${victim.id}/numbers`)).body.numbers[0].id;
  victimAgentId = (await api.call('POST', `/api/organizations/${victim.id}/agents`, { body: { name: 'Maya', number: '+15550100101' } })).body.agent.id;
  victimConnectionId = (await api.call('GET', `/api/organizations/${victim.id}/connections`)).body.connections[0].id;
});
afterAll(async () => {
  await api.server.stop();
  await twilio.close();
  await whapi.close();
});

/** Calls and keeps the body for the credential scan. */
async function call(method: string, url: string, key: string | null, body?: unknown) {
  const res = await api.call(method, url, { key, body });
  bodies.push(res.text);
  return res;
}

const orgRoutes = (): Array<[string, string, unknown?]> => [
  ['GET', `/api/organizations/${victim.id}`],
  ['PATCH', `/api/organizations/${victim.id}`, { description: 'defaced' }],
  ['DELETE', `/api/organizations/${victim.id}`],
  ['POST', `/api/organizations/${victim.id}/api-keys`],
  ['GET', `/api/organizations/${victim.id}/api-keys`],
  ['DELETE', `/api/organizations/${victim.id}/api-keys/${victimKeyId}`],
  ['POST', `/api/organizations/${victim.id}/provision-number`, { phoneNumber: '+14155550199' }],
  ['DELETE', `/api/organizations/${victim.id}/provision-number`],
  ['GET', `/api/organizations/${victim.id}/numbers`],
  ['PATCH', `/api/organizations/${victim.id}/numbers/${victimNumberId}`, { senderStatus: 'offline' }],
  ['POST', `/api/organizations/${victim.id}/whapi-channel`, { channelId: 'STOLEN', displayNumber: '+14155550009' }],
  ['GET', `/api/organizations/${victim.id}/whapi-channel`],
  ['DELETE', `/api/organizations/${victim.id}/whapi-channel`],
  ['GET', `/api/organizations/${victim.id}/usage?month=2026-01`],
  ['GET', `/api/organizations/${victim.id}/usage/history`],
  ['GET', `/api/organizations/${victim.id}/agents`],
  ['POST', `/api/organizations/${victim.id}/agents`, { name: 'Mallory', number: '+15550109999' }],
  ['PATCH', `/api/organizations/${victim.id}/agents/${victimAgentId}`, { name: 'Renamed' }],
  ['DELETE', `/api/organizations/${victim.id}/agents/${victimAgentId}`],
  ['GET', `/api/organizations/${victim.id}/connections`],
  ['POST', `/api/organizations/${victim.id}/connections`, { provider: 'whapi', token: SECRETS.ownWhapiToken }],
  ['DELETE', `/api/organizations/${victim.id}/connections/${victimConnectionId}`],
  ['POST', `/api/organizations/${victim.id}/numbers`, { provider: 'simulator' }],
];

const platformRoutes = (): Array<[string, string, unknown?]> => [
  ['POST', '/api/organizations', { name: 'Sneaky' }],
  ['GET', '/api/admin/phone-numbers'],
  ['POST', `/api/admin/stores/${intruder.id}/phone-number`, { phoneNumberId: '106540352242922', displayNumber: '+15550783881' }],
  ['GET', `/api/admin/stores/${intruder.id}/phone-number`],
  ['DELETE', `/api/admin/stores/${intruder.id}/phone-number`],
  ['GET', '/api/admin/trial-number'],
  ['PUT', '/api/admin/trial-number', { provider: 'simulator', phoneNumber: '+15550001111' }],
];

describe('tenancy', () => {
  it("answers 404 to another organization's key on every organization route, and changes nothing", async () => {
    const before = await api.ctx.db.selectFrom('numbers').selectAll().orderBy('id').execute();
    for (const [method, url, body] of orgRoutes()) {
      const res = await call(method, url, intruder.key, body);
      expect({ method, url, status: res.status }).toEqual({ method, url, status: 404 });
      expect(res.body).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    }
    expect(await api.ctx.db.selectFrom('numbers').selectAll().orderBy('id').execute()).toEqual(before);
    expect(twilio.requests.filter((r) => r.method !== 'GET' && r.path.includes('IncomingPhoneNumbers/'))).toEqual([]);
    const victimNow = await call('GET', `/api/organizations/${victim.id}`, victim.key);
    expect(victimNow.body.organization.description).toBeNull();
    expect((await call('GET', `/api/organizations/${victim.id}/api-keys`, ADMIN_KEY)).body.apiKeys[0].revokedAt).toBeNull();
  });

  it('answers 401 without a key or with an unknown one, on every route', async () => {
    for (const [method, url, body] of [...orgRoutes(), ...platformRoutes(), ['GET', '/api/organizations'] as [string, string]]) {
      for (const key of [null, 'sb_org_not-a-real-key', `${ADMIN_KEY}x`]) {
        const res = await call(method, url, key, body);
        expect({ method, url, key, status: res.status }).toEqual({ method, url, key, status: 401 });
        expect(res.body.error).toMatch(/key/i);
      }
    }
  });

  it('checks the key before the body: no key and a bad body is still a 401', async () => {
    for (const [method, url] of [
      ['POST', '/api/organizations'],
      ['POST', `/api/organizations/${victim.id}/provision-number`],
      ['POST', `/api/admin/stores/${victim.id}/phone-number`],
    ]) {
      const res = await call(method!, url!, null, { unexpected: ['not', 'a', 'valid', 'body'] });
      expect({ url, status: res.status }).toEqual({ url, status: 401 });
    }
  });

  it('answers 403 to an organization key on platform routes', async () => {
    for (const [method, url, body] of platformRoutes()) {
      const res = await call(method, url, intruder.key, body);
      expect({ method, url, status: res.status }).toEqual({ method, url, status: 403 });
      expect(res.body.error).toMatch(/platform administrator key/);
    }
  });

  it('lists only its own organization to an organization key', async () => {
    const res = await call('GET', '/api/organizations', intruder.key);
    expect(res.body.organizations.map((o: { id: string }) => o.id)).toEqual([intruder.id]);
    const all = await call('GET', '/api/organizations', ADMIN_KEY);
    expect(all.body.organizations).toHaveLength(2);
  });

  it('never returns a stored credential, a key hash or the admin key', async () => {
    // Also every allowed read with the platform key and the victim's own key.
    for (const key of [ADMIN_KEY, victim.key]) {
      for (const [method, url] of orgRoutes().filter(([m]) => m === 'GET')) await call(method, url, key);
      await call('GET', '/api/organizations', key);
    }
    const keyHashes = (await api.ctx.db.selectFrom('api_keys').select('key_hash').execute()).map((r) => r.key_hash);
    const encrypted = (await api.ctx.db.selectFrom('connections').select('credentials_encrypted').execute()).map((r) => r.credentials_encrypted);
    expect(encrypted).toHaveLength(1);
    const forbidden = [...Object.values(SECRETS), twilio.authToken, ADMIN_KEY, hashSecret(ADMIN_KEY), victim.key, intruder.key, ...keyHashes, ...encrypted];
    expect(bodies.length).toBeGreaterThan(100);
    for (const text of bodies) for (const secret of forbidden) expect(text.includes(secret), `a response contains ${secret.slice(0, 6)}…`).toBe(false);
  });
});
