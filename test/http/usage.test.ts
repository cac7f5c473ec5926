import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminApi, startAdminApi } from './admin-client.js';
import { countTowardPlan } from '../../src/services/tenancy/plans.js';

let api: AdminApi;
beforeEach(async () => {
  api = await startAdminApi();
  api.ctx.clock.set('2026-05-20T10:00:00Z');
});
afterEach(async () => {
  await api.server.stop();
});

describe('GET /api/organizations/:orgId/usage', () => {
  it("answers this month's usage by default and a given month on request", async () => {
    const { id, key } = await api.organizationWithKey('Usage Co', { plan: 'business' });
    const at = api.ctx.clock.now().toISOString();
    const stored = await api.ctx.db
      .insertInto('messages')
      .values({
        organization_id: id,
        direction: 'in',
        author: 'contact',
        audience: 'contact',
        status: 'received',
        provider: 'twilio',
        category: 'service',
        cost: 0.005,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await countTowardPlan(api.ctx.db, { id: stored.id, organization_id: id, created_at: at });
    const res = await api.call('GET', `/api/organizations/${id}/usage`, { key });
    expect(res.status).toBe(200);
    expect(res.body.usage).toMatchObject({
      month: '2026-05',
      plan: 'business',
      planPrice: 50,
      limit: 2000,
      used: 1,
      remaining: 1999,
      messages: { in: { total: 1, service: 1 }, out: { total: 0 } },
      cost: { provider: 0.005, meta: 0, rental: 0, agents: 0, total: 0.005 },
      limitState: 'ok',
      margin: 49.995,
    });
    const april = await api.call('GET', `/api/organizations/${id}/usage?month=2026-04`, { key });
    expect(april.body.usage).toMatchObject({ month: '2026-04', used: 0 });

    const history = await api.call('GET', `/api/organizations/${id}/usage/history?months=3`, { key });
    expect(history.body.months.map((m: { month: string; messagesIn: number }) => [m.month, m.messagesIn])).toEqual([
      ['2026-03', 0],
      ['2026-04', 0],
      ['2026-05', 1],
    ]);
  });

  it('refuses a bad month with a sentence', async () => {
    const { id } = await api.organizationWithKey('Bad month');
    for (const month of ['2026-13', 'May', '2026-5']) {
      const res = await api.call('GET', `/api/organizations/${id}/usage?month=${month}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
      expect(res.body.error).toMatch(/month must be YYYY-MM/);
    }
    expect((await api.call('GET', `/api/organizations/${id}/usage/history?months=99`)).status).toBe(400);
  });
});
