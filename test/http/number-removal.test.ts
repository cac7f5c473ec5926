// Removing any number the organization holds — simulated, bought at Twilio (released there), of its
// own Twilio account, assigned from the platform's Meta business account, a Whapi channel — with
// what happens to widgets and open conversations said first (the preview changes nothing), refused
// while in use unless confirmed, and repeated in the answer. Providers are fakes over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeMeta, startFakeMeta } from '../fakes/meta.js';
import { type FakeTwilio, startFakeTwilio, twilioPlatformEnv } from '../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { makeContact, makeConversation } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const WHAPI_TOKEN = 'own-whapi-token-5f2c9a1e';
let twilio: FakeTwilio;
let meta: FakeMeta;
let whapi: FakeWhapi;
let api: AdminApi;

beforeAll(async () => {
  twilio = await startFakeTwilio();
  meta = await startFakeMeta();
  whapi = await startFakeWhapi({ token: WHAPI_TOKEN });
  api = await startAdminApi({
    env: {
      SIMULATOR: '1',
      WORKER: '0',
      PUBLIC_URL: 'https://switchboard.example.com',
      ...twilioPlatformEnv(twilio),
      WHATSAPP_ACCESS_TOKEN: meta.accessToken,
      WHATSAPP_BUSINESS_ACCOUNT_ID: meta.wabaId,
      META_GRAPH_BASE_URL: meta.url,
      META_GRAPH_API_VERSION: 'v23.0',
      WHAPI_BASE_URL: whapi.url,
    },
  });
});
afterAll(async () => {
  await api.server.stop();
  await Promise.all([twilio.close(), meta.close(), whapi.close()]);
});
beforeEach(() => twilio.reset());

const numbersPath = (orgId: string) => `/api/organizations/${orgId}/numbers`;

async function numberRow(id: string) {
  return api.ctx.db.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
}

async function simulated(orgId: string, key: string): Promise<{ id: string; phoneNumber: string }> {
  const res = await api.call('POST', numbersPath(orgId), { key, body: { provider: 'simulator' } });
  expect(res.status).toBe(201);
  return res.body.number;
}

/** Preview, then remove: the preview changes nothing, the answer repeats its sentence, a second DELETE finds nothing. */
async function previewThenRemove(orgId: string, key: string, numberId: string) {
  const preview = await api.call('GET', `${numbersPath(orgId)}/${numberId}/removal`, { key });
  expect(preview.status).toBe(200);
  expect(await numberRow(numberId)).toBeDefined();
  const removed = await api.call('DELETE', `${numbersPath(orgId)}/${numberId}`, { key });
  expect(removed.status).toBe(200);
  expect(removed.body).toMatchObject({ ok: true, removed: true, summary: preview.body.summary });
  expect(await numberRow(numberId)).toBeUndefined();
  expect((await api.call('DELETE', `${numbersPath(orgId)}/${numberId}`, { key })).status).toBe(404);
  return preview.body;
}

describe('removing each kind of number', () => {
  it('deletes a simulated number, which the Release of old answered "Provisioned Twilio number … not found" for', async () => {
    const { id, key } = await api.organizationWithKey('Sim Shop');
    const number = await simulated(id, key);
    const preview = await previewThenRemove(id, key, number.id);
    expect(preview).toMatchObject({ number: { kind: 'simulated', phoneNumber: number.phoneNumber }, widgets: [], closed: [], moved: [], inUse: false });
    expect(preview.summary).toBe(`The simulated number ${number.phoneNumber} is deleted. No widget and no open conversation use ${number.phoneNumber}.`);
    expect(twilio.requests).toHaveLength(0);
  });

  it('releases a bought number at Twilio (the fake sees the DELETE of the IncomingPhoneNumber)', async () => {
    const { id, key } = await api.organizationWithKey('Bay Bakery', { plan: 'starter' });
    expect((await api.call('POST', `/api/organizations/${id}/provision-number`, { body: { phoneNumber: '+14155550142' } })).status).toBe(200);
    const sid = [...twilio.incomingNumbers.keys()][0]!;
    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    const preview = await previewThenRemove(id, key, row.id);
    expect(preview.number.kind).toBe('bought');
    expect(preview.summary).toMatch(/^\+14155550142 is released at Twilio: the platform stops renting it/);
    expect(twilio.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `/2010-04-01/Accounts/${twilio.accountSid}/IncomingPhoneNumbers/${sid}.json`,
    ]);
    expect(twilio.incomingNumbers.size).toBe(0);
  });

  it("forgets a number of the organization's own Twilio account without releasing it there; the connection stays", async () => {
    const { id, key } = await api.organizationWithKey('Own Account Co', { plan: 'starter' });
    const connected = await api.call('POST', `/api/organizations/${id}/connections`, {
      key,
      body: { provider: 'twilio', accountSid: twilio.accountSid, authToken: twilio.authToken },
    });
    expect(connected.status).toBe(201);
    twilio.addIncomingNumber('+14155550177', 'Own line');
    const added = await api.call('POST', numbersPath(id), { key, body: { provider: 'twilio', phoneNumber: '+14155550177' } });
    expect(added.status).toBe(201);
    const preview = await previewThenRemove(id, key, added.body.number.id);
    expect(preview.number.kind).toBe('own account');
    expect(preview.summary).toMatch(/^\+14155550177 stays in your own Twilio account; Switchboard stops using it/);
    expect(twilio.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(twilio.incomingNumbers.size).toBe(1);
    expect((await api.call('GET', `/api/organizations/${id}/connections`, { key })).body.connections).toHaveLength(1);
  });

  it("gives an assigned Meta number back to the platform's business account", async () => {
    const { id, key } = await api.organizationWithKey('Meta Shop');
    const assigned = await api.call('POST', `/api/admin/stores/${id}/phone-number`, { body: { phoneNumberId: '106540352242922' } });
    expect(assigned.status).toBe(200);
    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    const preview = await previewThenRemove(id, key, row.id);
    expect(preview.number.kind).toBe('assigned');
    expect(preview.summary).toMatch(/goes back to the platform's Meta account and is no longer this organization's/);
    expect((await api.call('GET', `/api/admin/stores/${id}/phone-number`)).body.store.whatsappPhoneNumberId).toBeNull();
  });

  it('unassigns a Whapi channel and deletes its own token here', async () => {
    const { id, key } = await api.organizationWithKey('Whapi Shop');
    const assigned = await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
      key,
      body: { channelId: 'ACMEGEAR-7QK2X', displayNumber: '+1 415 555 2671', token: WHAPI_TOKEN },
    });
    expect(assigned.status).toBe(200);
    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    const preview = await previewThenRemove(id, key, row.id);
    expect(preview.number.kind).toBe('whapi channel');
    expect(preview.summary).toMatch(/^Whapi channel ACMEGEAR-7QK2X \(\+14155552671\) is no longer assigned to this organization; its token is deleted here\./);
    expect(await api.ctx.db.selectFrom('connections').select('id').where('organization_id', '=', id).execute()).toEqual([]);
  });
});

describe('a number in use', () => {
  it('says what happens to widgets and open conversations, refuses without confirm=true, then does exactly that', async () => {
    const { id, key } = await api.organizationWithKey('Busy Bikes', { plan: 'starter' });
    const first = await simulated(id, key);
    const second = await simulated(id, key);
    const widget = await api.call('POST', `/api/organizations/${id}/widgets`, {
      key,
      body: {
        name: 'Website chat',
        allowedOrigins: ['https://x.example'],
        handoverWhatsappNumber: first.phoneNumber,
        whatsappNumberPool: [{ number: first.phoneNumber }],
      },
    });
    expect(widget.status).toBe(201);
    const widgetId = widget.body.widget.id as string;
    // A customer who wrote to the number on WhatsApp, and a widget chat it carries to the agents.
    const customer = await makeContact(api.ctx, { organization_id: id, phone: '+15550177001' });
    const onIt = await makeConversation(api.ctx, { organization_id: id, contact_id: customer.id, number_id: first.id });
    const visitor = await makeContact(api.ctx, { organization_id: id, kind: 'visitor', phone: null, external_id: 'visitor_1' });
    const carried = await makeConversation(api.ctx, {
      organization_id: id,
      contact_id: visitor.id,
      channel: 'widget',
      widget_id: widgetId,
      status: 'agent',
      assigned_whatsapp_number: first.phoneNumber,
      agent_number: '+15550100101',
      handed_over_at: api.ctx.clock.now().toISOString(),
    });

    const preview = await api.call('GET', `${numbersPath(id)}/${first.id}/removal`, { key });
    expect(preview.body).toMatchObject({
      inUse: true,
      closed: [onIt.ref],
      moved: [carried.ref],
      widgets: [
        { id: widgetId, name: 'Website chat', as: 'pool number', handsOverFrom: `the organization's number ${second.phoneNumber}` },
        { id: widgetId, name: 'Website chat', as: 'handover number', handsOverFrom: `the organization's number ${second.phoneNumber}` },
      ],
    });
    const summary = preview.body.summary as string;
    expect(summary).toContain(
      `Widget 'Website chat' uses it as its pool number: it leaves the pool, and it hands over from the organization's number ${second.phoneNumber} instead.`,
    );
    expect(summary).toContain(`1 open chat it carries to the agents (#${carried.ref}) moves to the widget's next number`);
    expect(summary).toContain(`1 open WhatsApp conversation with customers who wrote to it (#${onIt.ref}) is closed without a message`);

    const refused = await api.call('DELETE', `${numbersPath(id)}/${first.id}`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ ok: false, code: 'NUMBER_IN_USE' });
    expect(refused.body.error).toBe(`${summary} Nothing was removed: send the request again with confirm=true to remove it.`);
    expect(await numberRow(first.id)).toBeDefined();
    expect((await api.call('GET', `/api/widgets/${widgetId}`, { key })).body.widget).toMatchObject({
      handoverWhatsappNumber: first.phoneNumber,
      whatsappNumberPool: [{ number: first.phoneNumber }],
    });

    const removed = await api.call('DELETE', `${numbersPath(id)}/${first.id}?confirm=true`, { key });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ removed: true, summary, closed: [onIt.ref], moved: [carried.ref] });
    expect(await numberRow(first.id)).toBeUndefined();
    const after = (await api.call('GET', `/api/widgets/${widgetId}`, { key })).body.widget;
    expect(after).toMatchObject({ handoverWhatsappNumber: null, whatsappNumberPool: [] });
    const conversations = await api.ctx.db
      .selectFrom('conversations')
      .select(['id', 'status', 'assigned_whatsapp_number', 'agent_number'])
      .where('organization_id', '=', id)
      .execute();
    expect(conversations.find((c) => c.id === onIt.id)).toMatchObject({ status: 'closed' });
    // the widget chat waits for an agent again, no longer on the removed number
    const moved = conversations.find((c) => c.id === carried.id)!;
    expect(moved).toMatchObject({ status: 'waiting_agent', agent_number: null });
    expect(moved.assigned_whatsapp_number).not.toBe(first.phoneNumber);
  });

  it('says so when a widget is left with no number to hand over from', async () => {
    const { id, key } = await api.organizationWithKey('Lonely Lamps', { plan: 'starter' });
    const only = await simulated(id, key);
    await api.call('POST', `/api/organizations/${id}/widgets`, {
      key,
      body: { name: 'Shop chat', allowedOrigins: ['*'], handoverWhatsappNumber: only.phoneNumber },
    });
    const preview = await api.call('GET', `${numbersPath(id)}/${only.id}/removal`, { key });
    expect(preview.body.summary).toContain(
      "Widget 'Shop chat' uses it as its handover number: that setting is cleared, and it then has no number to hand over from: visitors asking for a human are told no agent can be reached.",
    );
  });
});

describe('the older one-number routes', () => {
  it('refuse to remove a Whapi channel a widget hands over from, naming the effects and the route that does it', async () => {
    const { id, key } = await api.organizationWithKey('Older Route Shop');
    await api.call('POST', `/api/organizations/${id}/whapi-channel`, {
      key,
      body: { channelId: 'ACMEGEAR-7QK2X', displayNumber: '+1 415 555 2671', token: WHAPI_TOKEN },
    });
    const row = await api.ctx.db.selectFrom('numbers').selectAll().where('organization_id', '=', id).executeTakeFirstOrThrow();
    await api.call('POST', `/api/organizations/${id}/widgets`, {
      key,
      body: { name: 'Shop chat', allowedOrigins: ['*'], handoverWhatsappNumber: row.phone_number },
    });
    const refused = await api.call('DELETE', `/api/organizations/${id}/whapi-channel`, { key });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ ok: false, code: 'NUMBER_IN_USE' });
    expect(refused.body.error).toContain("Widget 'Shop chat' uses it as its handover number");
    expect(refused.body.error).toContain(`DELETE /api/organizations/${id}/numbers/${row.id}?confirm=true`);
    expect(await api.ctx.db.selectFrom('numbers').select('id').where('id', '=', row.id).execute()).toHaveLength(1);
  });
});

describe('whose numbers', () => {
  it("answers 404 for another organization's number, and 409 for a platform number, changing nothing", async () => {
    const owner = await api.organizationWithKey('Owner');
    const other = await api.organizationWithKey('Other');
    const number = await simulated(owner.id, owner.key);
    for (const method of ['GET', 'DELETE'] as const) {
      const path = `${numbersPath(other.id)}/${number.id}${method === 'GET' ? '/removal' : '?confirm=true'}`;
      expect((await api.call(method, path, { key: other.key })).status).toBe(404);
      // and the other organization's key does not reach the owner's path either
      expect((await api.call(method, path.replace(other.id, owner.id), { key: other.key })).status).toBe(404);
    }
    expect(await numberRow(number.id)).toBeDefined();

    await api.ctx.db
      .insertInto('numbers')
      .values({
        id: 'platform-number-1',
        organization_id: null,
        provider: 'simulator',
        phone_number: '+15550119999',
        provider_id: '+15550119999',
        display_name: null,
        connection_id: null,
        sender_status: 'online',
        is_shared_trial: 0,
        is_dedicated: 0,
        created_at: api.ctx.clock.now().toISOString(),
      })
      .execute();
    const platform = await api.call('DELETE', `${numbersPath(owner.id)}/platform-number-1?confirm=true`, { key: owner.key });
    expect(platform.status).toBe(409);
    expect(platform.body).toMatchObject({ code: 'PLATFORM_NUMBER' });
    expect(await numberRow('platform-number-1')).toBeDefined();
  });
});

describe('what the Numbers page may offer', () => {
  it('answers as data what this platform configures, for the platform key and an organization key', async () => {
    const trial = await api.organizationWithKey('Trial Tea');
    const asPlatform = await api.call('GET', `/api/organizations/${trial.id}/number-options`);
    expect(asPlatform.body).toEqual({ ok: true, options: { simulated: true, buyTwilio: true, assignMeta: true, whapiWithoutToken: false } });
    const asOrganization = await api.call('GET', `/api/organizations/${trial.id}/number-options`, { key: trial.key });
    // a trial organization does not buy on the platform's account; Meta's account is the platform's to assign
    expect(asOrganization.body).toEqual({ ok: true, options: { simulated: true, buyTwilio: false, assignMeta: false, whapiWithoutToken: false } });
  });

  it('offers nothing unconfigured, and says so with a 200', async () => {
    const bare = await startAdminApi({ env: { SIMULATOR: '0' } });
    try {
      const { id } = await bare.organizationWithKey('Plain');
      const res = await bare.call('GET', `/api/organizations/${id}/number-options`);
      expect(res.status).toBe(200);
      expect(res.body.options).toEqual({ simulated: false, buyTwilio: false, assignMeta: false, whapiWithoutToken: false });
    } finally {
      await bare.server.stop();
    }
  });
});
