// One secret writes only into its own numbers: an organization that holds its own Meta app secret
// signs a payload whose changes name its own number and another organization's (or a number nobody
// holds yet). Each change is verified against the secret of the number it is routed to; the other
// organization's change is refused alone, stored nowhere, and cannot come back through a replay.
// Delivery statuses name a message by its provider id only: one signed with an organization's own
// secret changes that organization's messages and no other's, on arrival or when kept for later.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NumberRow } from '../../src/db/schema.js';
import { saveConnection } from '../../src/services/numbers/connections.js';
import { applyPendingStatus } from '../../src/services/outbound/pending-statuses.js';
import { signMeta } from '../fixtures/providers/index.js';
import { makeNumber, makeOutboundMessage } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

const PLATFORM_SECRET = 'platform-app-secret-0123456789abcdef';
const OWN_SECRET = 'own-app-secret-of-the-first-shop-000';

let api: AdminApi;
let attacker: { id: string };
let victim: { id: string };
let connectionId: string;
let attackerNumber: NumberRow;
let victimNumber: NumberRow;

beforeEach(async () => {
  api = await startAdminApi({ env: { WHATSAPP_APP_SECRET: PLATFORM_SECRET, WHATSAPP_ACCESS_TOKEN: 'platform-token' } });
  attacker = await api.organizationWithKey('Own App Shop');
  victim = await api.organizationWithKey('Quiet Shop');
  connectionId = await saveConnection(api.ctx, {
    organizationId: attacker.id,
    provider: 'meta',
    credentials: { accessToken: 'own-token', businessAccountId: '300000000000001', appSecret: OWN_SECRET },
  });
  attackerNumber = await makeNumber(api.ctx, {
    organization_id: attacker.id,
    provider: 'meta',
    phone_number: '+15550001001',
    provider_id: '100000000000001',
    connection_id: connectionId,
  });
  victimNumber = await makeNumber(api.ctx, { organization_id: victim.id, provider: 'meta', phone_number: '+15550002002', provider_id: '200000000000002' });
});
afterEach(async () => {
  await api.server.stop();
});

/** One Meta change: a customer's text to `phoneNumberId`. */
function change(phoneNumberId: string, id: string, text: string) {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Made Up' }, wa_id: '16315550199' }],
      messages: [{ from: '16315550199', id, timestamp: '1784034321', type: 'text', text: { body: text } }],
    },
  };
}

const payload = (...changes: Array<{ field: string; value: object }>) =>
  Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '300000000000001', changes }] }));

const post = (body: Buffer, secret: string) =>
  api.server.app.inject({
    method: 'POST',
    url: '/api/webhooks/meta',
    payload: body,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(body, secret) },
  });

const messagesOf = async (organizationId: string | null) =>
  (await api.ctx.db.selectFrom('messages').select(['body', 'organization_id']).execute())
    .filter((m) => m.organization_id === organizationId)
    .map((m) => m.body);
const unroutedEvents = () => api.ctx.db.selectFrom('unrouted_events').selectAll().execute();

describe('a Meta payload with changes for several numbers', () => {
  it("stores the change for the signer's own number and refuses the one for another organization's number", async () => {
    const body = payload(change('100000000000001', 'wamid.own-1', 'A real question'), change('200000000000002', 'wamid.forged-1', 'Forged order'));
    const res = await post(body, OWN_SECRET);
    expect(res.statusCode).toBe(200);
    expect(await messagesOf(attacker.id)).toEqual(['A real question']);
    expect(await messagesOf(victim.id)).toEqual([]);
    const all = await api.ctx.db.selectFrom('messages').select(['body', 'number_id']).execute();
    expect(all.map((m) => m.number_id)).toEqual([attackerNumber.id]);
    expect(await unroutedEvents()).toEqual([]);
  });

  it('answers 403 and stores nothing when no change is for a number the secret verifies', async () => {
    const res = await post(payload(change('200000000000002', 'wamid.forged-2', 'Forged order')), OWN_SECRET);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ ok: false, code: 'INVALID_SIGNATURE' });
    expect(await api.ctx.db.selectFrom('messages').select('id').execute()).toEqual([]);
    expect(await unroutedEvents()).toEqual([]);
  });

  it('still routes a payload signed with the platform secret to every number that secret verifies', async () => {
    const shared = await makeNumber(api.ctx, { organization_id: attacker.id, provider: 'meta', phone_number: '+15550003003', provider_id: '300000000000003' });
    const body = payload(change('200000000000002', 'wamid.platform-1', 'Hello'), change(shared.provider_id, 'wamid.platform-2', 'Hi there'));
    expect((await post(body, PLATFORM_SECRET)).statusCode).toBe(200);
    expect(await messagesOf(victim.id)).toEqual(['Hello']);
    expect(await messagesOf(attacker.id)).toEqual(['Hi there']);
  });

  it('keeps nothing of a change for an unassigned number signed with an organization secret, so assigning it later brings nothing', async () => {
    const body = payload(change('100000000000001', 'wamid.own-3', 'A real question'), change('400000000000004', 'wamid.forged-3', 'Forged later'));
    expect((await post(body, OWN_SECRET)).statusCode).toBe(200);
    expect(await unroutedEvents()).toEqual([]);
    await makeNumber(api.ctx, { organization_id: victim.id, provider: 'meta', phone_number: '+15550004004', provider_id: '400000000000004' });
    expect(await messagesOf(victim.id)).toEqual([]);
  });
});

describe('replaying an unrouted Meta event', () => {
  async function kept(body: Buffer, verifiedBy: string | null): Promise<number> {
    const row = await api.ctx.db
      .insertInto('unrouted_events')
      .values({
        provider: 'meta',
        reason: 'No number is assigned.',
        payload: body.toString('utf8'),
        headers: JSON.stringify({ contentType: 'application/json', url: '/api/webhooks/meta' }),
        received_at: new Date().toISOString(),
        verified_by: verifiedBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('remembers the platform secret that verified an event for an unassigned number, and replays it into that number once assigned', async () => {
    const body = payload(change('500000000000005', 'wamid.wait-1', 'Anyone there?'));
    expect((await post(body, PLATFORM_SECRET)).statusCode).toBe(200);
    const [event] = (await api.call('GET', '/api/admin/unrouted-events')).body.events;
    expect(event).toMatchObject({ verifiedBy: 'platform' });
    await makeNumber(api.ctx, { organization_id: victim.id, provider: 'meta', phone_number: '+15550005005', provider_id: '500000000000005' });
    const replayed = await api.call('POST', `/api/admin/unrouted-events/${event.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(await messagesOf(victim.id)).toEqual(['Anyone there?']);
  });

  it("refuses with a sentence to replay an event verified by one organization's secret into another organization's number", async () => {
    const id = await kept(payload(change('100000000000001', 'wamid.own-4', 'Mine'), change('200000000000002', 'wamid.forged-4', 'Forged')), connectionId);
    const refused = await api.call('POST', `/api/admin/unrouted-events/${id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ ok: false, code: 'SIGNED_FOR_ANOTHER_NUMBER' });
    expect(refused.body.error).toContain(`the secret of connection ${connectionId}`);
    expect(refused.body.error).toContain('+15550002002');
    expect(await api.ctx.db.selectFrom('messages').select('id').execute()).toEqual([]);
    expect((await api.call('GET', '/api/admin/unrouted-events')).body.events).toHaveLength(1);
  });

  it("replays an event verified by an organization's own secret into that organization's number only", async () => {
    const id = await kept(payload(change('100000000000001', 'wamid.own-5', 'Mine again')), connectionId);
    expect((await api.call('POST', `/api/admin/unrouted-events/${id}/replay`)).status).toBe(200);
    expect(await messagesOf(attacker.id)).toEqual(['Mine again']);
    // an event kept before the secret was recorded counts as the platform's: not into the own-secret number
    const legacy = await kept(payload(change('100000000000001', 'wamid.own-6', 'Old')), null);
    expect((await api.call('POST', `/api/admin/unrouted-events/${legacy}/replay`)).status).toBe(409);
  });
});

describe('a delivery status naming a message by its provider id', () => {
  /** One Meta status change reported on `phoneNumberId` for the message `wamid`. */
  const statusChange = (phoneNumberId: string, wamid: string, status: string) => ({
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
      statuses: [
        {
          id: wamid,
          status,
          timestamp: '1784034400',
          recipient_id: '16315550199',
          ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable' }] } : {}),
        },
      ],
    },
  });

  async function sentFrom(number: NumberRow, wamid: string) {
    const message = await makeOutboundMessage(api.ctx, number, { to: '+16315550199' });
    await api.ctx.db.updateTable('messages').set({ provider_message_id: wamid }).where('id', '=', message.id).execute();
    return message.id;
  }
  const statusOf = async (id: number) =>
    (await api.ctx.db.selectFrom('messages').select(['status', 'send_error']).where('id', '=', id).executeTakeFirstOrThrow()).status;

  it("changes the signer's own message, and leaves another organization's message as it was", async () => {
    const own = await sentFrom(attackerNumber, 'wamid.out-own');
    const theirs = await sentFrom(victimNumber, 'wamid.out-theirs');
    const body = payload(statusChange('100000000000001', 'wamid.out-own', 'read'), statusChange('100000000000001', 'wamid.out-theirs', 'failed'));
    expect((await post(body, OWN_SECRET)).statusCode).toBe(200);
    expect(await statusOf(own)).toBe('read');
    expect(await statusOf(theirs)).toBe('sent');
    // nothing kept to be applied later either: the message with that id exists
    expect(await api.ctx.db.selectFrom('pending_statuses').selectAll().execute()).toEqual([]);
  });

  it("is applied to any number's message when the platform's secret signed it", async () => {
    const theirs = await sentFrom(victimNumber, 'wamid.out-platform');
    expect((await post(payload(statusChange('200000000000002', 'wamid.out-platform', 'delivered')), PLATFORM_SECRET)).statusCode).toBe(200);
    expect(await statusOf(theirs)).toBe('delivered');
  });

  it('kept before its send stored the id, applies only to a message its signer may change', async () => {
    // Both arrive before any send stored these ids: kept, with whose secret verified them.
    const early = payload(statusChange('100000000000001', 'wamid.later-own', 'read'), statusChange('100000000000001', 'wamid.later-theirs', 'failed'));
    expect((await post(early, OWN_SECRET)).statusCode).toBe(200);
    const kept = await api.ctx.db.selectFrom('pending_statuses').select(['provider_message_id', 'verified_by']).orderBy('provider_message_id').execute();
    expect(kept).toEqual([
      { provider_message_id: 'wamid.later-own', verified_by: connectionId },
      { provider_message_id: 'wamid.later-theirs', verified_by: connectionId },
    ]);
    const own = await sentFrom(attackerNumber, 'wamid.later-own');
    const theirs = await sentFrom(victimNumber, 'wamid.later-theirs');
    const at = new Date().toISOString();
    const apply = (id: number) =>
      api.ctx.db.transaction().execute(async (trx) => {
        const sent = await trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return applyPendingStatus(trx, api.ctx.database.dialect, sent, at);
      });
    expect(await apply(own)).toMatchObject({ status: 'read' });
    expect(await apply(theirs)).toBeUndefined();
    expect(await statusOf(theirs)).toBe('sent');
    expect(await api.ctx.db.selectFrom('pending_statuses').selectAll().execute()).toEqual([]);
  });
});
