// Unrouted events: a message for a number nobody owns is answered 200, listed for the platform
// administrator, and replayed into the right organization once the number is assigned.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNumber } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;

beforeEach(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1' } });
});
afterEach(async () => {
  await api.server.stop();
});

const simulatedMessage = { from: '+5511987654321', to: '+14155550777', text: 'Is anyone there?', id: 'sim-unrouted-1' };

describe('unrouted events', () => {
  it('lists a message for an unknown number and replays it after the number is assigned', async () => {
    const hook = await api.server.app.inject({ method: 'POST', url: '/api/webhooks/sim', payload: simulatedMessage });
    expect(hook.statusCode).toBe(200);

    const listed = await api.call('GET', '/api/admin/unrouted-events');
    expect(listed.status).toBe(200);
    expect(listed.body.events).toEqual([
      expect.objectContaining({ provider: 'simulator', reason: expect.stringContaining('+14155550777'), receivedAt: expect.any(String) }),
    ]);
    expect(JSON.parse(listed.body.events[0].payload)).toMatchObject({ text: 'Is anyone there?' });
    const id = listed.body.events[0].id;

    const early = await api.call('POST', `/api/admin/unrouted-events/${id}/replay`);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/Assign the number/);

    const org = await api.organizationWithKey('Cedar Shop');
    const number = await makeNumber(api.ctx, { organization_id: org.id, phone_number: '+14155550777' });
    const replayed = await api.call('POST', `/api/admin/unrouted-events/${id}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ ok: true, stored: 1 });
    const message = await api.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'in').executeTakeFirstOrThrow();
    expect(message).toMatchObject({ organization_id: org.id, number_id: number.id, body: 'Is anyone there?' });

    // replayed events leave the default list; a second replay stores nothing twice
    expect((await api.call('GET', '/api/admin/unrouted-events')).body.events).toEqual([]);
    expect((await api.call('POST', `/api/admin/unrouted-events/${id}/replay`)).body).toMatchObject({ stored: 0, duplicates: 1 });
  });

  it('is for the platform key only', async () => {
    const org = await api.organizationWithKey('Dune Shop');
    expect((await api.call('GET', '/api/admin/unrouted-events', { key: org.key })).status).toBe(403);
    expect((await api.call('GET', '/api/admin/unrouted-events', { key: null })).status).toBe(401);
    expect((await api.call('POST', '/api/admin/unrouted-events/1/replay', { key: org.key })).status).toBe(403);
  });

  it('answers 404 for an unknown event and 400 for a bad id', async () => {
    expect((await api.call('POST', '/api/admin/unrouted-events/999/replay')).status).toBe(404);
    const bad = await api.call('POST', '/api/admin/unrouted-events/abc/replay');
    expect(bad.status).toBe(400);
    expect(bad.body.ok).toBe(false);
  });
});
