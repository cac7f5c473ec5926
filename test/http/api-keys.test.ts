import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/core/keys.js';
import { startServer } from '../../src/server.js';
import { ensureAdminKey } from '../../src/services/tenancy/admin-key.js';
import { makeTestContext } from '../support/context.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
beforeEach(async () => {
  api = await startAdminApi();
});
afterEach(async () => {
  await api.server.stop();
});

describe('organization API keys', () => {
  it('shows a new key once, stores only its hash, and lists keys without key material', async () => {
    const { id } = await api.organizationWithKey('Keys Inc');
    const issued = await api.call('POST', `/api/organizations/${id}/api-keys`);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ ok: true, apiKey: { id: expect.any(String), createdAt: api.ctx.clock.now().toISOString() } });
    const key: string = issued.body.key;
    expect(key).toMatch(/^sb_org_[A-Za-z0-9_-]{30,}$/);

    const stored = await api.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', issued.body.apiKey.id).executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(hashSecret(key));
    expect(JSON.stringify(stored)).not.toContain(key);

    const list = await api.call('GET', `/api/organizations/${id}/api-keys`);
    expect(list.body.apiKeys).toHaveLength(2);
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(stored.key_hash);
    expect(list.body.apiKeys[1]).toEqual({
      id: issued.body.apiKey.id,
      organizationId: id,
      prefix: key.slice(0, 11),
      name: null,
      createdAt: stored.created_at,
      revokedAt: null,
    });
  });

  it('may carry the name of the person it stands for (who signs inbox replies); a blank or long name is refused or dropped', async () => {
    const { id } = await api.organizationWithKey('Named Keys');
    const named = await api.call('POST', `/api/organizations/${id}/api-keys`, { body: { name: '  Sam  ' } });
    expect(named).toMatchObject({ status: 201, body: { apiKey: { name: 'Sam' } } });
    const blank = await api.call('POST', `/api/organizations/${id}/api-keys`, { body: { name: '   ' } });
    expect(blank.body.apiKey.name).toBeNull();
    expect((await api.call('POST', `/api/organizations/${id}/api-keys`, { body: { name: 'x'.repeat(81) } })).status).toBe(400);
    expect((await api.call('POST', `/api/organizations/${id}/api-keys`, { body: { name: 'Sam', admin: true } })).status).toBe(400);
    const list = await api.call('GET', `/api/organizations/${id}/api-keys`);
    expect(list.body.apiKeys.map((k: { name: string | null }) => k.name)).toEqual([null, 'Sam', null]);
  });

  it('lets a key act for its organization until it is revoked', async () => {
    const { id, key } = await api.organizationWithKey('Revokers');
    expect((await api.call('GET', `/api/organizations/${id}`, { key })).status).toBe(200);
    const keyId = (await api.call('GET', `/api/organizations/${id}/api-keys`)).body.apiKeys[0].id;

    api.ctx.clock.advance(1000);
    const revoked = await api.call('DELETE', `/api/organizations/${id}/api-keys/${keyId}`);
    expect(revoked.body).toMatchObject({ ok: true, apiKey: { id: keyId, revokedAt: api.ctx.clock.now().toISOString() } });

    const after = await api.call('GET', `/api/organizations/${id}`, { key });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    // Revoking again changes nothing; an unknown key id is a 404.
    expect((await api.call('DELETE', `/api/organizations/${id}/api-keys/${keyId}`)).body.apiKey.revokedAt).toBe(revoked.body.apiKey.revokedAt);
    expect((await api.call('DELETE', `/api/organizations/${id}/api-keys/nope`)).status).toBe(404);
  });

  it("cannot revoke another organization's key through its own path", async () => {
    const a = await api.organizationWithKey('A');
    const b = await api.organizationWithKey('B');
    const bKeyId = (await api.call('GET', `/api/organizations/${b.id}/api-keys`)).body.apiKeys[0].id;
    const res = await api.call('DELETE', `/api/organizations/${a.id}/api-keys/${bKeyId}`, { key: a.key });
    expect(res.status).toBe(404);
    expect((await api.call('GET', `/api/organizations/${b.id}`, { key: b.key })).status).toBe(200);
  });
});

describe('the generated platform key', () => {
  it('is generated once when ADMIN_API_KEY is unset, stored hashed, and works', async () => {
    const ctx = await makeTestContext();
    const server = await startServer(ctx, { listen: false });
    try {
      const key = server.generatedAdminKey!;
      expect(key).toMatch(/^sb_admin_/);
      const stored = await ctx.db.selectFrom('settings').select('value').where('key', '=', 'admin_key_hash').executeTakeFirstOrThrow();
      expect(stored.value).toBe(hashSecret(key));
      const res = await server.app.inject({ method: 'POST', url: '/api/organizations', headers: { authorization: `Bearer ${key}` }, payload: { name: 'X' } });
      expect(res.statusCode).toBe(201);
      expect(await ensureAdminKey(ctx)).toEqual({});
    } finally {
      await server.stop();
    }
  });

  it('is not generated when ADMIN_API_KEY is set', async () => {
    expect(api.server.generatedAdminKey).toBeUndefined();
  });
});
