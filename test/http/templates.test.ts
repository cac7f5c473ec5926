// GET /api/admin/templates and GET /api/organizations/:orgId/templates: the review of each
// account's handover template; an organization sees its own connections' and the platform's only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERS } from '../../src/http/answers.js';
import { saveConnection } from '../../src/services/numbers/connections.js';
import { makeNumber } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
let shop: { id: string; key: string };
let other: { id: string; key: string };

beforeAll(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1', WORKER: '0', ANSWER_BY_MEANING: '0' } });
  shop = await api.organizationWithKey('Template Shop');
  other = await api.organizationWithKey('Other Shop');
  const now = '2026-12-01T10:00:00.000Z';
  const template = (id: string, over: Record<string, unknown>) => ({
    id,
    provider: 'twilio',
    account_key: 'platform',
    connection_id: null,
    organization_id: null,
    account_ref: 'AC5a5a',
    provider_template_id: `HX${'ab'.repeat(16)}`,
    name: 'switchboard_handover_request_v1',
    language: 'en',
    status: 'approved',
    rejection_reason: null,
    created_at: now,
    updated_at: now,
    ...over,
  });
  const shopConnection = await saveConnection(api.ctx, {
    organizationId: shop.id,
    provider: 'meta',
    credentials: { accessToken: 'EAAGsecret-token', businessAccountId: '102290129340398' },
  });
  const otherConnection = await saveConnection(api.ctx, {
    organizationId: other.id,
    provider: 'meta',
    credentials: { accessToken: 'EAAGother-token', businessAccountId: '209990001112223' },
  });
  await api.ctx.db
    .insertInto('handover_templates')
    .values([
      template('t-platform', {}),
      template('t-shop', {
        provider: 'meta',
        account_key: shopConnection,
        connection_id: shopConnection,
        organization_id: shop.id,
        account_ref: '102290129340398',
        status: 'rejected',
        rejection_reason: 'INVALID_FORMAT',
      }),
      template('t-other', {
        provider: 'meta',
        account_key: otherConnection,
        connection_id: otherConnection,
        organization_id: other.id,
        account_ref: '209990001112223',
        status: 'pending',
      }),
    ])
    .execute();
});
afterAll(async () => {
  await api?.server.stop();
});

const ids = (body: { templates: Array<{ id: string }> }) => body.templates.map((t) => t.id).sort();

describe('the handover templates', () => {
  it('the platform key sees every account, in the documented shape', async () => {
    const res = await api.call('GET', '/api/admin/templates');
    expect(res.status).toBe(200);
    expect(ANSWERS['GET /api/admin/templates']![200]!.safeParse(res.body).success).toBe(true);
    expect(ids(res.body)).toEqual(['t-other', 't-platform', 't-shop']);
    expect(res.body.templates.find((t: { id: string }) => t.id === 't-shop')).toEqual({
      id: 't-shop',
      provider: 'meta',
      account: 'Own Meta account (102290129340398)',
      name: 'switchboard_handover_request_v1',
      language: 'en',
      status: 'rejected',
      rejectionReason: 'INVALID_FORMAT',
      updatedAt: '2026-12-01T10:00:00.000Z',
    });
    expect(res.text).not.toContain('EAAG');
    expect((await api.call('GET', '/api/admin/templates', { key: shop.key })).status).toBe(403);
  });

  it("an organization sees its own connection's and the platform's, never another organization's", async () => {
    const res = await api.call('GET', `/api/organizations/${shop.id}/templates`, { key: shop.key });
    expect(res.status).toBe(200);
    expect(ANSWERS['GET /api/organizations/:orgId/templates']![200]!.safeParse(res.body).success).toBe(true);
    expect(ids(res.body)).toEqual(['t-platform', 't-shop']);
    expect(res.body.templates.find((t: { id: string }) => t.id === 't-platform').account).toBe("The platform's Twilio account");
    expect(ids((await api.call('GET', `/api/organizations/${other.id}/templates`, { key: other.key })).body)).toEqual(['t-other', 't-platform']);
    const across = await api.call('GET', `/api/organizations/${other.id}/templates`, { key: shop.key });
    expect(across.status).toBe(404);
    expect(across.text).not.toContain('t-other');
    expect((await api.call('GET', `/api/organizations/${shop.id}/templates`, { key: null })).status).toBe(401);
  });

  it('a widget saved with a pool number asks for its account’s template once', async () => {
    const pool = await makeNumber(api.ctx, { organization_id: shop.id });
    const widget = { name: 'Help', allowedOrigins: ['*'], whatsappNumberPool: [{ number: pool.phone_number }] };
    expect((await api.call('POST', `/api/organizations/${shop.id}/widgets`, { key: shop.key, body: widget })).status).toBe(201);
    expect((await api.call('POST', `/api/organizations/${shop.id}/widgets`, { key: shop.key, body: widget })).status).toBe(201);
    const simulator = await api.ctx.db.selectFrom('handover_templates').selectAll().where('provider', '=', 'simulator').execute();
    expect(simulator).toMatchObject([{ account_key: 'platform', status: 'pending', provider_template_id: null }]);
    const jobs = await api.ctx.db.selectFrom('jobs').select('kind').where('kind', '=', 'template.create').execute();
    expect(jobs).toHaveLength(1);
  });
});
