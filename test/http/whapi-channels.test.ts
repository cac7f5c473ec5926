import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsForNumber } from '../../src/services/numbers/connections.js';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { makeContact, makeConversation } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const OWN_TOKEN = 'own-whapi-token-5f2c9a1e';
let api: AdminApi;
let gate: FakeWhapi;
beforeEach(async () => {
  // The gate knows the organizations' own token: an own token is checked at /health before it is kept.
  gate = await startFakeWhapi({ token: OWN_TOKEN });
  api = await startAdminApi({ env: { WHAPI_TOKEN: 'platform-whapi-token-77aa', WHAPI_BASE_URL: gate.url } });
});
afterEach(async () => {
  await api.server.stop();
  await gate.close();
});

describe('Whapi channels', () => {
  it("stores an organization's own token encrypted, sends with it, and never shows it", async () => {
    const { id, key } = await api.organizationWithKey('Chatty');
    const res = await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
      key,
      body: { channelId: 'ACMEGEAR-7QK2X', displayNumber: '+1 415 555 2671', token: OWN_TOKEN },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      channel: {
        channelId: 'ACMEGEAR-7QK2X',
        displayNumber: '+1 415 555 2671',
        phoneNumber: '+14155552671',
        ownToken: true,
        createdAt: api.ctx.clock.now().toISOString(),
      },
    });
    expect(res.text).not.toContain(OWN_TOKEN);
    expect(gate.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);

    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    const stored = await api.ctx.db.selectFrom('connections').selectAll().where('id', '=', row.connection_id!).executeTakeFirstOrThrow();
    expect(stored.credentials_encrypted).not.toContain(OWN_TOKEN);
    expect(await credentialsForNumber(api.ctx, row)).toMatchObject({ token: OWN_TOKEN });

    const read = await api.call('GET', `/api/organizations/${id}/whapi-channel`, { key });
    expect(read.body.channel).toMatchObject({ channelId: 'ACMEGEAR-7QK2X', ownToken: true });
    expect(read.text).not.toContain(OWN_TOKEN);
    expect((await api.call('GET', `/api/organizations/${id}`)).body.organization).toMatchObject({
      whapiChannelId: 'ACMEGEAR-7QK2X',
      whatsappNumber: '+14155552671',
    });

    const removed = await api.call('DELETE', `/api/organizations/${id}/whapi-channel`, { key });
    expect(removed.body.ok).toBe(true);
    expect(await api.ctx.db.selectFrom('connections').selectAll().execute()).toEqual([]);
    expect((await api.call('GET', `/api/organizations/${id}/whapi-channel`, { key })).status).toBe(404);
  });

  it('refuses a token Whapi does not accept, naming its answer, and keeps nothing', async () => {
    const { id, key } = await api.organizationWithKey('Wrong token');
    const res = await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
      key,
      body: { channelId: 'ACMEGEAR-7QK2X', displayNumber: '+14155552671', token: 'not-the-channel-token' },
    });
    expect(res).toMatchObject({
      status: 400,
      body: { ok: false, code: 'CONNECTION_REFUSED', error: 'Whapi refused this token: Unauthorized: The channel token is missing or wrong.' },
    });
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
    expect(await api.ctx.db.selectFrom('connections').selectAll().execute()).toEqual([]);
  });

  it("falls back to the platform's token and refuses a channel assigned elsewhere", async () => {
    const a = await api.organizationWithKey('A');
    const b = await api.organizationWithKey('B');
    const first = await api.call('POST', `/api/organizations/${a.id}/whapi-channel`, { body: { channelId: 'SHARED-1', displayNumber: '+14155550001' } });
    expect(first.body.channel.ownToken).toBe(false);
    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', a.id).executeTakeFirstOrThrow();
    expect(await credentialsForNumber(api.ctx, row)).toMatchObject({ token: 'platform-whapi-token-77aa' });

    const taken = await api.call('POST', `/api/organizations/${b.id}/whapi-channel`, { body: { channelId: 'SHARED-1', displayNumber: '+14155550001' } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ ok: false, code: 'CHANNEL_ASSIGNED_ELSEWHERE' });

    // Re-assigning within the same organization replaces the channel (one row, its own token now).
    const replaced = await api.call('POST', `/api/organizations/${a.id}/whapi-channel`, {
      body: { channelId: gate.channelId, displayNumber: '+14155550002', token: OWN_TOKEN },
    });
    expect(replaced.body.channel).toMatchObject({ channelId: gate.channelId, ownToken: true });
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('provider', '=', 'whapi').execute()).toHaveLength(1);
  });

  it('refuses a token with a line break before any call to Whapi: 400 naming the field', async () => {
    const { id, key } = await api.organizationWithKey('Broken token');
    const before = gate.requests.length;
    for (const token of [`${OWN_TOKEN}\r\nX-Injected: 1`, `own-whapi\ntoken-5f2c`, 'own whapi token']) {
      const res = await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
        key,
        body: { channelId: gate.channelId, displayNumber: '+14155552671', token },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ok: false, error: expect.stringContaining('body/token must be the value as the provider shows it') });
    }
    const twilio = await api.call('POST', `/api/organizations/${id}/connections`, {
      key,
      body: { provider: 'twilio', accountSid: `AC${'a'.repeat(32)}`, authToken: `${'f'.repeat(16)}\r\n${'f'.repeat(16)}` },
    });
    expect(twilio.status).toBe(400);
    expect(twilio.body.error).toContain('body/authToken must be the value');
    expect(gate.requests.length).toBe(before);
    expect(await api.ctx.db.selectFrom('connections').selectAll().execute()).toEqual([]);
  });

  it("refuses a channel id that is not exactly the token's channel, case included", async () => {
    const { id, key } = await api.organizationWithKey('Case shop');
    const lower = gate.channelId.toLowerCase();
    expect(lower).not.toBe(gate.channelId);
    const res = await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
      key,
      body: { channelId: lower, displayNumber: '+14155552671', token: OWN_TOKEN },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ok: false, code: 'CHANNEL_MISMATCH', error: expect.stringContaining(`Whapi channel ${gate.channelId}, not of ${lower}`) });
    expect(await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).execute()).toEqual([]);
    expect(await api.ctx.db.selectFrom('connections').selectAll().execute()).toEqual([]);
  });

  it('asks for a token when the platform has none, and validates the channel id', async () => {
    const bare = await startAdminApi();
    try {
      const { id } = await bare.organizationWithKey('No token');
      const res = await bare.call('POST', `/api/organizations/${id}/whapi-channel`, { body: { channelId: 'CH-1', displayNumber: '+14155550001' } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('WHAPI_TOKEN_REQUIRED');
      const bad = await bare.call('POST', `/api/organizations/${id}/whapi-channel`, { body: { channelId: 'has spaces!', displayNumber: '+1' } });
      expect(bad.status).toBe(400);
    } finally {
      await bare.server.stop();
    }
  });
});

describe('sending from a Whapi channel', () => {
  it('refuses a template at once with 422 naming Whapi, storing no message and calling no one', async () => {
    const whapi = await startFakeWhapi();
    const withGate = await startAdminApi({ env: { WHAPI_TOKEN: whapi.token, WHAPI_BASE_URL: whapi.url } });
    try {
      const { id, key } = await withGate.organizationWithKey('Templated');
      // Without its own token the channel sends with WHAPI_TOKEN: the platform key assigns it.
      await withGate.call('POST', `/api/organizations/${id}/whapi-channel`, { body: { channelId: whapi.channelId, displayNumber: '+14155552671' } });
      const number = await withGate.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
      const contact = await makeContact(withGate.ctx, { organization_id: id, phone: '+5511987654321' });
      const conversation = await makeConversation(withGate.ctx, { organization_id: id, contact_id: contact.id, number_id: number.id });

      const refused = await withGate.call('POST', `/api/conversations/${conversation.id}/messages`, {
        key,
        body: { template: 'order_update', variables: ['Maria'] },
      });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ ok: false, code: 'TEMPLATES_UNSUPPORTED' });
      expect(refused.body.error).toMatch(/^Whapi numbers cannot send message templates.*send text instead\.$/);
      expect(await withGate.ctx.db.selectFrom('messages').selectAll().execute()).toEqual([]);
      expect(await withGate.ctx.db.selectFrom('jobs').selectAll().execute()).toEqual([]);

      // The same conversation's text does reach the gate, so the silence above is the refusal's.
      const sent = await withGate.call('POST', `/api/conversations/${conversation.id}/messages`, { key, body: { text: 'Your order is on its way' } });
      expect(sent.status).toBe(201);
      await waitFor(() => whapi.requests.length > 0, { what: 'the text send at the Whapi gate' });
      expect(whapi.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /messages/text']);
    } finally {
      await withGate.server.stop();
      await whapi.close();
    }
  });
});
