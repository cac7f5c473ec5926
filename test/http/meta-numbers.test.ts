// Seed 004's contract against a fake Graph API: list the business account's numbers, assign one
// per organization (storeId), read and remove it; `{success, …}` envelopes throughout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerToken } from '../fakes/server.js';
import { type FakeMeta, startFakeMeta } from '../fakes/meta.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let meta: FakeMeta;
let api: AdminApi;
const metaEnv = (m: FakeMeta, extra: Record<string, string> = {}) => ({
  WHATSAPP_ACCESS_TOKEN: m.accessToken,
  WHATSAPP_BUSINESS_ACCOUNT_ID: m.wabaId,
  META_GRAPH_BASE_URL: m.url,
  META_GRAPH_API_VERSION: 'v23.0',
  ...extra,
});

beforeAll(async () => {
  meta = await startFakeMeta();
  api = await startAdminApi({ env: metaEnv(meta) });
});
afterAll(async () => {
  await api.server.stop();
  await meta.close();
});
beforeEach(async () => {
  meta.reset();
  await api.ctx.db.deleteFrom('numbers').execute();
});

describe('the business account numbers', () => {
  it("lists the account's numbers in the seed shape from GET /{WABA}/phone_numbers", async () => {
    const res = await api.call('GET', '/api/admin/phone-numbers');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      phoneNumbers: [
        { phoneNumberId: '106540352242922', displayNumber: '+1 555-078-3881', verifiedName: 'Acme Outdoor Gear', verificationStatus: 'VERIFIED' },
        { phoneNumberId: '106540352242923', displayNumber: '+1 555-078-3882', verifiedName: 'Acme Outdoor Gear West', verificationStatus: 'VERIFIED' },
      ],
    });
    expect(meta.requests).toHaveLength(1);
    expect(meta.requests[0]!.method).toBe('GET');
    expect(meta.requests[0]!.path).toBe(`/v23.0/${meta.wabaId}/phone_numbers`);
    expect(bearerToken(meta.requests[0]!)).toBe(meta.accessToken);
  });

  it('assigns a number to an organization, fetching its display number from Meta when omitted', async () => {
    const { id } = await api.organizationWithKey('Store 1');
    const res = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '106540352242922' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, store: { id, whatsappPhoneNumberId: '106540352242922', whatsappDisplayNumber: '+1 555-078-3881' } });
    expect(meta.requests).toHaveLength(1);
    expect(meta.requests[0]!.path).toBe('/v23.0/106540352242922');
    expect(bearerToken(meta.requests[0]!)).toBe(meta.accessToken);

    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ provider: 'meta', provider_id: '106540352242922', phone_number: '+15550783881', connection_id: null });
    expect((await api.call('GET', `/api/admin/stores/${id}/phone-number`)).body).toEqual(res.body);
    expect((await api.call('GET', `/api/organizations/${id}`)).body.organization).toMatchObject({
      whatsappPhoneNumberId: '106540352242922',
      whatsappDisplayNumber: '+1 555-078-3881',
    });

    const removed = await api.call('DELETE', `/api/admin/stores/${id}/phone-number`);
    expect(removed.body).toMatchObject({ success: true });
    expect((await api.call('GET', `/api/admin/stores/${id}/phone-number`)).body).toEqual({
      success: true,
      store: { id, whatsappPhoneNumberId: null, whatsappDisplayNumber: null },
    });
    const again = await api.call('DELETE', `/api/admin/stores/${id}/phone-number`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ success: false, error: expect.stringMatching(/not found/) });
  });

  it('uses a given display number without asking Meta, and replaces the previous assignment', async () => {
    const { id } = await api.organizationWithKey('Store 2');
    await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '106540352242922', displayNumber: '+1234567890' } });
    const res = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '106540352242923', displayNumber: '+15550783882' } });
    expect(res.body.store).toEqual({ id, whatsappPhoneNumberId: '106540352242923', whatsappDisplayNumber: '+15550783882' });
    expect(meta.requests).toHaveLength(0);
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toHaveLength(1);
  });

  it('refuses a number assigned to another organization with 409', async () => {
    const a = await api.organizationWithKey('A');
    const b = await api.organizationWithKey('B');
    await api.call('POST', `/api/admin/stores/${a.id}/phone-number`, { body: { phoneNumberId: '106540352242922', displayNumber: '+15550783881' } });
    const res = await api.call('POST', `/api/admin/stores/${b.id}/phone-number`, { body: { phoneNumberId: '106540352242922', displayNumber: '+15550783881' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ success: false, error: expect.stringMatching(/already assigned to another organization/), code: 'NUMBER_ASSIGNED_ELSEWHERE' });
  });

  it("refuses the platform's own number (the shared trial number) with 409", async () => {
    await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'meta', phoneNumber: '+15550783882', providerId: '106540352242923' } });
    const { id } = await api.organizationWithKey('Grabby');
    const res = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '106540352242923', displayNumber: '+15550783882' } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/assigned to the platform/);
  });

  it("explains Meta's refusals and bad input in the {success:false} envelope", async () => {
    const { id } = await api.organizationWithKey('Store 3');
    const unknown = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '999999999999' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.success).toBe(false);
    expect(unknown.body.error).toMatch(/Meta does not know this .*999999999999/);
    const invalid = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: 'abc' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ success: false, error: expect.stringMatching(/phoneNumberId/) });
    expect((await api.call('GET', '/api/admin/stores/no-such-store/phone-number')).status).toBe(404);
    meta.failNext(1, { status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } });
    const failed = await api.call('GET', '/api/admin/phone-numbers');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ success: false, code: 'PROVIDER_ERROR' });
  });
});

describe('the number limit and configuration', () => {
  it('refuses assignments past META_NUMBER_LIMIT with a clear sentence', async () => {
    const limited = await startAdminApi({ env: metaEnv(meta, { META_NUMBER_LIMIT: '1' }) });
    try {
      const a = await limited.organizationWithKey('A');
      const b = await limited.organizationWithKey('B');
      expect(
        (await limited.call('POST', `/api/admin/stores/${a.id}/phone-number`, { body: { phoneNumberId: '106540352242922', displayNumber: '+15550783881' } }))
          .status,
      ).toBe(200);
      const refused = await limited.call('POST', `/api/admin/stores/${b.id}/phone-number`, {
        body: { phoneNumberId: '106540352242923', displayNumber: '+15550783882' },
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ success: false, code: 'NUMBER_LIMIT_REACHED' });
      expect(refused.body.error).toMatch(/limit is reached: 1 phone numbers/);
      // Replacing A's own number stays possible at the limit.
      expect(
        (await limited.call('POST', `/api/admin/stores/${a.id}/phone-number`, { body: { phoneNumberId: '106540352242923', displayNumber: '+15550783882' } }))
          .status,
      ).toBe(200);
    } finally {
      await limited.server.stop();
    }
  });

  it('says Meta is not configured when there is no token', async () => {
    const bare = await startAdminApi();
    try {
      const res = await bare.call('GET', '/api/admin/phone-numbers');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ success: false, code: 'META_NOT_CONFIGURED' });
    } finally {
      await bare.server.stop();
    }
  });
});
