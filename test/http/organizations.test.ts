import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
beforeEach(async () => {
  api = await startAdminApi();
});
afterEach(async () => {
  await api.server.stop();
});

describe('organizations', () => {
  it('creates an organization with a readable join code and the documented fields', async () => {
    const res = await api.call('POST', '/api/organizations', {
      body: { name: 'Lantern Bikes', description: 'Bike shop', businessInfo: 'Open 9–5', plan: 'starter' },
    });
    expect(res.status).toBe(201);
    expect(res.body.ok).toBe(true);
    const org = res.body.organization;
    expect(org).toMatchObject({
      name: 'Lantern Bikes',
      description: 'Bike shop',
      businessInfo: 'Open 9–5',
      plan: 'starter',
      whatsappNumber: null,
      whatsappNumberSid: null,
      whatsappPhoneNumberId: null,
      whatsappDisplayNumber: null,
      senderStatus: null,
      sharedTrialNumber: null,
      createdAt: api.ctx.clock.now().toISOString(),
    });
    expect(org.joinCode).toMatch(/^[a-z]+-[a-z]+$/);
  });

  it('defaults to the trial plan and gives every organization its own join code', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await api.call('POST', '/api/organizations', { body: { name: `Shop ${i}` } });
      expect(res.body.organization.plan).toBe('trial');
      codes.add(res.body.organization.joinCode);
    }
    expect(codes.size).toBe(30);
  });

  it('refuses a missing name and an unknown plan with a sentence', async () => {
    const noName = await api.call('POST', '/api/organizations', { body: { description: 'x' } });
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
    expect(noName.body.error).toMatch(/name/);
    const badPlan = await api.call('POST', '/api/organizations', { body: { name: 'A', plan: 'gold' } });
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.error).toMatch(/plan/);
  });

  it('reads, changes and deletes an organization', async () => {
    const { id } = await api.organizationWithKey('Corner Cafe');
    const read = await api.call('GET', `/api/organizations/${id}`);
    expect(read.body.organization.name).toBe('Corner Cafe');

    api.ctx.clock.advance(60_000);
    const patched = await api.call('PATCH', `/api/organizations/${id}`, { body: { description: 'Coffee', plan: 'business' } });
    expect(patched.status).toBe(200);
    expect(patched.body.organization).toMatchObject({ name: 'Corner Cafe', description: 'Coffee', plan: 'business' });
    expect(patched.body.organization.updatedAt).toBe(api.ctx.clock.now().toISOString());

    const empty = await api.call('PATCH', `/api/organizations/${id}`, { body: {} });
    expect(empty.status).toBe(400);

    const deleted = await api.call('DELETE', `/api/organizations/${id}`);
    expect(deleted.body).toMatchObject({ ok: true });
    expect((await api.call('GET', `/api/organizations/${id}`)).status).toBe(404);
    expect(await api.ctx.db.selectFrom('api_keys').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
  });

  it("shows an organization's numbers in its JSON", async () => {
    const { id } = await api.organizationWithKey('Numbered');
    const now = api.ctx.clock.now().toISOString();
    const base = { organization_id: id, connection_id: null, is_shared_trial: 0 as const, is_dedicated: 1 as const, created_at: now };
    await api.ctx.db
      .insertInto('numbers')
      .values([
        {
          ...base,
          id: 'n1',
          provider: 'twilio',
          phone_number: '+14155550100',
          provider_id: `PN${'a'.repeat(32)}`,
          display_name: null,
          sender_status: 'pending',
        },
        {
          ...base,
          id: 'n2',
          provider: 'meta',
          phone_number: '+15550783881',
          provider_id: '106540352242922',
          display_name: '+1 555-078-3881',
          sender_status: 'online',
        },
      ])
      .execute();
    const org = (await api.call('GET', `/api/organizations/${id}`)).body.organization;
    expect(org).toMatchObject({
      whatsappNumber: '+14155550100',
      whatsappNumberSid: `PN${'a'.repeat(32)}`,
      whatsappPhoneNumberId: '106540352242922',
      whatsappDisplayNumber: '+1 555-078-3881',
      senderStatus: 'pending',
    });
    // A rented Twilio number is released explicitly, never dropped with the organization.
    const refused = await api.call('DELETE', `/api/organizations/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NUMBER_STILL_PROVISIONED');
  });

  it('lets an organization key change its description but not its plan', async () => {
    const { id, key } = await api.organizationWithKey('Self-service');
    expect((await api.call('PATCH', `/api/organizations/${id}`, { key, body: { description: 'mine' } })).status).toBe(200);
    const upgrade = await api.call('PATCH', `/api/organizations/${id}`, { key, body: { plan: 'business' } });
    expect(upgrade.status).toBe(403);
    expect((await api.call('GET', `/api/organizations/${id}`)).body.organization.plan).toBe('trial');
  });
});

describe('trial organizations and the docs', () => {
  it('tell a trial organization which shared number its customers write to', async () => {
    await api.call('PUT', '/api/admin/trial-number', { body: { provider: 'simulator', phoneNumber: '+15550009999' } });
    const trial = await api.organizationWithKey('Trial Co');
    const paid = await api.organizationWithKey('Paid Co', { plan: 'starter' });
    expect((await api.call('GET', `/api/organizations/${trial.id}`)).body.organization.sharedTrialNumber).toBe('+15550009999');
    expect((await api.call('GET', `/api/organizations/${paid.id}`)).body.organization.sharedTrialNumber).toBeNull();
  });

  it('lists the admin routes in the OpenAPI document', async () => {
    const res = await api.call('GET', '/docs/json', { key: null });
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/api/organizations',
      '/api/organizations/{orgId}/api-keys',
      '/api/organizations/search-numbers',
      '/api/admin/stores/{storeId}/phone-number',
      '/api/organizations/{orgId}/usage',
    ]) {
      expect(paths).toContain(path);
    }
  });
});
