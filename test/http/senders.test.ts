// Numbers operators actually have, over the HTTP edge and the provider fakes: senders checked when a
// widget is saved (seed 001's pool of numbers "in the same Twilio account" becomes platform numbers),
// an organization's own Twilio account with its own signature token, Meta's business account,
// simulated numbers, the trial number carrying a handover, and the two platform-key permissions.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decrypt } from '../../src/core/crypto.js';
import { type FakeMeta, startFakeMeta } from '../fakes/meta.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { fixtureBytes, signMeta } from '../fixtures/providers/index.js';
import { type Edge, MAYA, SANDBOX, startEdge, TOM } from './handover-support.js';

let twilio: FakeTwilio;
let meta: FakeMeta;
let whapi: FakeWhapi;
let edge: Edge;

beforeAll(async () => {
  [twilio, meta, whapi] = await Promise.all([startFakeTwilio(), startFakeMeta(), startFakeWhapi()]);
});
afterAll(async () => {
  await Promise.all([twilio.close(), meta.close(), whapi.close()]);
});
beforeEach(() => {
  twilio.reset();
  twilio.messages.clear();
  twilio.incomingNumbers.clear();
});
afterEach(async () => {
  await edge?.server.stop();
});

const META_ENV = () => ({ WHATSAPP_ACCESS_TOKEN: meta.accessToken, WHATSAPP_BUSINESS_ACCOUNT_ID: meta.wabaId, META_GRAPH_BASE_URL: meta.url });

async function acceptAll(orgId: string, key: string, sendTo: string, agents: string[], authToken?: string) {
  const { body } = await edge.call('GET', `/api/organizations/${orgId}/agents`, { key });
  for (const agent of agents) expect(await edge.twilioInbound(agent, sendTo, body.agentInvitation.text, { authToken })).toBe(200);
  await edge.drain();
}

describe('senders are checked when a widget is saved', () => {
  it('numbers of the platform’s Twilio account become platform numbers; a pool of them carries handovers', async () => {
    edge = await startEdge(twilio);
    const desk1 = twilio.addIncomingNumber('+15558986359', 'Support Team 1');
    twilio.addIncomingNumber('+15558986360', 'Support Team 2');
    const org = await edge.organizationWithKey('Pool Shop', { plan: 'starter' });
    await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: { name: 'Maya', number: MAYA } });
    const created = await edge.call('POST', `/api/organizations/${org.id}/widgets`, {
      key: org.key,
      body: {
        name: 'Site',
        allowedOrigins: ['*'],
        agentWhatsappNumbers: [MAYA],
        whatsappNumberPool: [
          { number: '+15558986359', displayName: 'Support Team 1' },
          { number: '+15558986360', displayName: 'Support Team 2' },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(twilio.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/IncomingPhoneNumbers.json')).map((r) => r.query.PhoneNumber)).toEqual([
      '+15558986359',
      '+15558986360',
    ]);
    const numbers = (await edge.call('GET', `/api/organizations/${org.id}/numbers`, { key: org.key })).body.numbers;
    expect(numbers).toEqual([
      expect.objectContaining({ provider: 'twilio', phoneNumber: '+15558986359', providerId: desk1, owner: 'platform', connection: 'platform' }),
      expect.objectContaining({ provider: 'twilio', phoneNumber: '+15558986360', owner: 'platform', connection: 'platform' }),
    ]);

    await acceptAll(org.id, org.key, '+15558986359', [MAYA]);
    // Three conversations before: the handed-over one is #4.
    await edge.ctx.db.updateTable('organizations').set({ last_conversation_ref: 3 }).where('id', '=', org.id).execute();
    const v = await edge.visitor(created.body.widget.publicKey, 'Dana');
    await v.say('hi');
    expect((await v.handover()).body).toMatchObject({ conversationRef: 4, assignedWhatsappNumber: '+15558986359' });
    expect(edge.sent().at(-1)!.body).toMatch(/\nReply in this chat: your message\nCommands: #4: reply · \/list · #4 \/close · #4 \/ai · help$/);

    // `#5 hello` on the thread of #4 names #5: a warning, never a message to #4.
    await edge.twilioInbound(MAYA, '+15558986359', '#5 hello');
    await edge.drain();
    expect(v.agentTexts()).toEqual([]);
    expect(edge.sent().at(-1)).toMatchObject({ to: `whatsapp:${MAYA}`, body: expect.stringContaining('#5 is not one of your conversations') });
    await edge.twilioInbound(MAYA, '+15558986359', '#5abc');
    await edge.drain();
    expect(v.agentTexts()).toEqual([]);
    // No prefix on the thread that carries #4 alone: it is #4's.
    await edge.twilioInbound(MAYA, '+15558986359', 'hello Dana');
    await edge.drain();
    expect(v.agentTexts()).toEqual(['hello Dana']);
  });

  it('refuses a number found nowhere (400, saying where it looked) and another organization’s (409), on create, patch and pool add', async () => {
    edge = await startEdge(twilio, META_ENV());
    const other = await edge.organizationWithKey('Other');
    const mine = await edge.organizationWithKey('Mine');
    const sim = await edge.call('POST', `/api/organizations/${other.id}/numbers`, { key: other.key, body: { provider: 'simulator' } });
    expect(sim.status).toBe(400); // not in simulator mode: the real providers are configured
    twilio.addIncomingNumber('+15558980001');
    const theirs = await edge.call('POST', `/api/organizations/${other.id}/widgets`, {
      key: other.key,
      body: { name: 'Theirs', allowedOrigins: ['*'], handoverWhatsappNumber: '+15558980001' },
    });
    expect(theirs.status).toBe(201);
    // Found in the platform's account: a platform number now, usable by everyone.
    expect(
      (await edge.call('GET', `/api/organizations/${mine.id}/numbers`, { key: mine.key })).body.numbers.map((n: { phoneNumber: string }) => n.phoneNumber),
    ).toContain('+15558980001');

    const nowhere = await edge.call('POST', `/api/organizations/${mine.id}/widgets`, {
      key: mine.key,
      body: { name: 'Site', allowedOrigins: ['*'], handoverWhatsappNumber: '+15550009876' },
    });
    expect(nowhere).toMatchObject({ status: 400, body: { ok: false, code: 'SENDER_NOT_FOUND' } });
    expect(nowhere.body.error).toBe(
      "The handover number +15550009876 is not a number this organization can use: it was looked for in this organization's numbers, the platform numbers, the platform's Twilio account and the platform's Meta business account, and found nowhere. Pick one of the organization’s numbers (GET /api/organizations/:orgId/numbers) or add it first.",
    );

    // Meta's business account: display numbers are formatted, compared as E.164.
    const metaPool = await edge.call('POST', `/api/organizations/${mine.id}/widgets`, {
      key: mine.key,
      body: { name: 'Site', allowedOrigins: ['*'], whatsappNumberPool: [{ number: '+1 555-078-3881' }] },
    });
    expect(metaPool.status).toBe(201);
    const widgetId = metaPool.body.widget.id;
    const metaNumber = (await edge.call('GET', `/api/organizations/${mine.id}/numbers`, { key: mine.key })).body.numbers.find(
      (n: { provider: string }) => n.provider === 'meta',
    );
    expect(metaNumber).toMatchObject({ phoneNumber: '+15550783881', providerId: '106540352242922', owner: 'platform' });

    // Another organization's own number: 409, whichever way it is named.
    const own = await edge.call('POST', `/api/organizations/${other.id}/whapi-channel`, {
      body: { channelId: 'OTHER-CHANNEL', displayNumber: '+15550004444' },
    });
    expect(own.status).toBe(400); // no WHAPI_TOKEN and no token: refused, nothing assigned
    await edge.ctx.db
      .insertInto('numbers')
      .values({
        id: 'other-own',
        organization_id: other.id,
        provider: 'twilio',
        phone_number: '+15550004444',
        provider_id: 'PN-other-own',
        display_name: null,
        connection_id: null,
        sender_status: 'online',
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: new Date().toISOString(),
      })
      .execute();
    const held = await edge.call('PATCH', `/api/widgets/${widgetId}`, { key: mine.key, body: { handoverWhatsappNumber: '+15550004444' } });
    expect(held).toMatchObject({ status: 409, body: { code: 'NUMBER_ASSIGNED_ELSEWHERE' } });
    expect(held.body.error).toContain('+15550004444 is a number of another organization');
    const pooled = await edge.call('POST', `/api/widgets/${widgetId}/pool`, { key: mine.key, body: { number: '+15550004444' } });
    expect(pooled.status).toBe(409);
    const missing = await edge.call('POST', `/api/widgets/${widgetId}/pool`, { key: mine.key, body: { number: '+15550001111' } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'SENDER_NOT_FOUND' } });
    expect((await edge.call('GET', `/api/widgets/${widgetId}`, { key: mine.key })).body.widget.whatsappNumberPool).toHaveLength(1);
  });
});

describe('an organization’s own Twilio account', () => {
  it('is checked at Twilio, kept encrypted, never shown; its numbers send with it and its webhooks are verified with its token', async () => {
    // The platform has a Twilio account of its own (another token); the fake here is the organization's account.
    edge = await startEdge(twilio, { TWILIO_ACCOUNT_SID: `AC${'7'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'platform-token-not-the-fakes' });
    const org = await edge.organizationWithKey('Own Account Shop', { plan: 'starter' });
    const wrong = await edge.call('POST', `/api/organizations/${org.id}/connections`, {
      key: org.key,
      body: { provider: 'twilio', accountSid: twilio.accountSid, authToken: 'not-the-right-token' },
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { ok: false, code: 'CONNECTION_REFUSED', error: 'Twilio refused these credentials: Authenticate (Twilio error 20003).' },
    });

    const made = await edge.call('POST', `/api/organizations/${org.id}/connections`, {
      key: org.key,
      body: { provider: 'twilio', accountSid: twilio.accountSid, authToken: twilio.authToken },
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ ok: true, connection: { id: expect.any(String), provider: 'twilio', createdAt: expect.any(String) } });
    const listed = await edge.call('GET', `/api/organizations/${org.id}/connections`, { key: org.key });
    expect(listed.text).not.toContain(twilio.authToken);
    const stored = await edge.ctx.db.selectFrom('connections').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(twilio.authToken);
    expect(JSON.parse(decrypt(edge.ctx.encryptionKey, stored[0]!.credentials_encrypted))).toEqual({
      accountSid: twilio.accountSid,
      authToken: twilio.authToken,
    });

    const notThere = await edge.call('POST', `/api/organizations/${org.id}/numbers`, {
      key: org.key,
      body: { provider: 'twilio', phoneNumber: '+15005550006' },
    });
    expect(notThere).toMatchObject({
      status: 400,
      body: { code: 'NUMBER_NOT_FOUND', error: expect.stringContaining('+15005550006 is not a number of this organization') },
    });
    const sid = twilio.addIncomingNumber('+15005550006', 'Own line');
    const added = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'twilio', phoneNumber: '+15005550006' } });
    expect(added).toMatchObject({ status: 201, body: { number: { phoneNumber: '+15005550006', providerId: sid, owner: 'organization', connection: 'own' } } });
    const again = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'twilio', phoneNumber: '+15005550006' } });
    expect(again.status).toBe(409);
    const inUse = await edge.call('DELETE', `/api/organizations/${org.id}/connections/${made.body.connection.id}`, { key: org.key });
    expect(inUse).toMatchObject({ status: 409, body: { code: 'CONNECTION_IN_USE' } });

    await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: { name: 'Maya', number: MAYA } });
    const widget = await edge.call('POST', `/api/organizations/${org.id}/widgets`, {
      key: org.key,
      body: { name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: [MAYA], handoverWhatsappNumber: '+15005550006' },
    });
    expect(widget.status).toBe(201);
    // Signed with the platform's token, a webhook to the own-account number is refused; with the account's own, it is taken.
    expect(await edge.twilioInbound(MAYA, '+15005550006', 'ACCEPT XXXXXX', { authToken: 'platform-token-not-the-fakes' })).toBe(403);
    await acceptAll(org.id, org.key, '+15005550006', [MAYA]);
    // The confirmation went out through the organization's account (the fake knows no other).
    expect(edge.sent().at(-1)).toMatchObject({ from: 'whatsapp:+15005550006', to: `whatsapp:${MAYA}`, body: expect.stringContaining('You are now an agent') });

    const v = await edge.visitor(widget.body.widget.publicKey, 'Ana');
    await v.say('hi');
    expect((await v.handover()).body).toMatchObject({ assignedWhatsappNumber: '+15005550006' });
    await edge.twilioInbound(MAYA, '+15005550006', '#1: hello from our own line');
    await edge.drain();
    expect(v.agentTexts()).toEqual(['hello from our own line']);
  });
});

describe('own Meta and Whapi connections', () => {
  it('are checked at the provider (a wrong token is a 400 with its answer) and a Meta number of the own account is registered', async () => {
    edge = await startEdge(twilio, { META_GRAPH_BASE_URL: meta.url, WHAPI_BASE_URL: whapi.url, WHATSAPP_APP_SECRET: 'platform-app-secret' });
    const org = await edge.organizationWithKey('Meta Shop', { plan: 'starter' });
    const wrong = await edge.call('POST', `/api/organizations/${org.id}/connections`, {
      key: org.key,
      body: { provider: 'meta', accessToken: 'EAAG-not-a-token', businessAccountId: meta.wabaId },
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { code: 'CONNECTION_REFUSED', error: expect.stringMatching(/^Meta refused these credentials: Invalid OAuth access token/) },
    });
    const made = await edge.call('POST', `/api/organizations/${org.id}/connections`, {
      key: org.key,
      body: { provider: 'meta', accessToken: meta.accessToken, businessAccountId: meta.wabaId, appSecret: 'own-app-secret-1234' },
    });
    expect(made.status).toBe(201);
    expect(made.text).not.toContain('own-app-secret-1234');
    const added = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'meta', phoneNumber: '+1 555 078 3882' } });
    expect(added).toMatchObject({
      status: 201,
      body: { number: { provider: 'meta', phoneNumber: '+15550783882', providerId: '106540352242923', connection: 'own' } },
    });
    // Its webhooks are signed by the organization's own Meta app: that secret verifies them, the platform's does not.
    const body = fixtureBytes('meta/text.json').toString('utf8').replace('106540352242922', '106540352242923');
    const postMeta = (secret: string) =>
      edge.server.app.inject({
        method: 'POST',
        url: '/api/webhooks/meta',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(body, secret) },
        payload: body,
      });
    expect((await postMeta('platform-app-secret')).statusCode).toBe(403);
    expect((await postMeta('own-app-secret-1234')).statusCode).toBe(200);
    const stored = await edge.ctx.db.selectFrom('messages').select(['organization_id', 'direction']).execute();
    expect(stored).toEqual([{ organization_id: org.id, direction: 'in' }]);
    const missing = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'meta', phoneNumber: '+15550783999' } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'NUMBER_NOT_FOUND' } });

    const badWhapi = await edge.call('POST', `/api/organizations/${org.id}/connections`, {
      key: org.key,
      body: { provider: 'whapi', token: 'wrong-whapi-token' },
    });
    expect(badWhapi).toMatchObject({ status: 400, body: { code: 'CONNECTION_REFUSED' } });
    const goodWhapi = await edge.call('POST', `/api/organizations/${org.id}/connections`, { key: org.key, body: { provider: 'whapi', token: whapi.token } });
    expect(goodWhapi.status).toBe(201);
    const listed = await edge.call('GET', `/api/organizations/${org.id}/connections`, { key: org.key });
    expect(listed.body.connections.map((c: { provider: string }) => c.provider)).toEqual(['meta', 'whapi']);
    expect(listed.text).not.toContain(meta.accessToken);
    expect(listed.text).not.toContain(whapi.token);
    // Another organization never sees them.
    const stranger = await edge.organizationWithKey('Stranger');
    expect((await edge.call('GET', `/api/organizations/${org.id}/connections`, { key: stranger.key })).status).toBe(404);
    expect((await edge.call('DELETE', `/api/organizations/${org.id}/connections/${goodWhapi.body.connection.id}`, { key: stranger.key })).status).toBe(404);
    expect((await edge.call('DELETE', `/api/organizations/${org.id}/connections/${goodWhapi.body.connection.id}`, { key: org.key })).status).toBe(200);
  });
});

describe('simulated numbers', () => {
  it('give any organization a number at once in simulator mode', async () => {
    edge = await startEdge(twilio, { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', SIMULATOR: '1' });
    const org = await edge.organizationWithKey('Sim Shop');
    const first = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'simulator' } });
    expect(first).toMatchObject({ status: 201, body: { number: { provider: 'simulator', phoneNumber: '+15550110001', owner: 'organization' } } });
    const second = await edge.call('POST', `/api/organizations/${org.id}/numbers`, { key: org.key, body: { provider: 'simulator' } });
    expect(second.body.number.phoneNumber).toBe('+15550110002');
    const chosen = await edge.call('POST', `/api/organizations/${org.id}/numbers`, {
      key: org.key,
      body: { provider: 'simulator', phoneNumber: '+15550119999' },
    });
    expect(chosen.body.number.phoneNumber).toBe('+15550119999');
    const other = await edge.organizationWithKey('Other Sim Shop');
    const taken = await edge.call('POST', `/api/organizations/${other.id}/numbers`, {
      key: other.key,
      body: { provider: 'simulator', phoneNumber: '+15550119999' },
    });
    expect(taken).toMatchObject({ status: 409, body: { code: 'NUMBER_ASSIGNED_ELSEWHERE' } });
    const noConnection = await edge.call('POST', `/api/organizations/${other.id}/numbers`, {
      key: other.key,
      body: { provider: 'twilio', phoneNumber: '+15550119998' },
    });
    expect(noConnection).toMatchObject({ status: 400, body: { code: 'NO_CONNECTION' } });
  });
});

describe('the shared trial number', () => {
  it('carries a handover: an active agent’s reply on it is an agent reply, everyone else gets join routing', async () => {
    edge = await startEdge(twilio, { TWILIO_PHONE_NUMBER: SANDBOX });
    expect((await edge.call('PUT', '/api/admin/trial-number', { body: { provider: 'twilio', phoneNumber: SANDBOX } })).status).toBe(200);
    const org = await edge.organizationWithKey('Trial Cafe');
    await edge.call('POST', `/api/organizations/${org.id}/agents`, { key: org.key, body: { name: 'Maya', number: MAYA } });
    const widget = await edge.call('POST', `/api/organizations/${org.id}/widgets`, {
      key: org.key,
      body: { name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: [MAYA] },
    });
    await acceptAll(org.id, org.key, SANDBOX, [MAYA]);
    expect(edge.sent().at(-1)!.body).toContain('You are now an agent of Trial Cafe');

    const v = await edge.visitor(widget.body.widget.publicKey, 'Ana');
    await v.say('hi');
    expect((await v.handover()).body).toMatchObject({ assignedWhatsappNumber: SANDBOX });
    await edge.twilioInbound(MAYA, SANDBOX, '#1: hi Ana, Maya here');
    await edge.drain();
    expect(v.agentTexts()).toEqual(['hi Ana, Maya here']);
    expect(edge.sent().filter((m) => m.to === `whatsapp:${MAYA}` && m.body.includes('join'))).toEqual([]);

    // A customer on the same number is a trial customer.
    await edge.twilioInbound(TOM, SANDBOX, 'hello?');
    await edge.drain();
    expect(edge.sent().at(-1)).toMatchObject({ to: `whatsapp:${TOM}`, body: expect.stringContaining('send: join <code>') });
    expect(v.agentTexts()).toHaveLength(1);
  });
});

describe('what only the platform key may do', () => {
  it('assign a Whapi channel without its own token, and buy a Twilio number for a trial organization', async () => {
    edge = await startEdge(twilio, { WHAPI_TOKEN: whapi.token, WHAPI_BASE_URL: whapi.url });
    const trial = await edge.organizationWithKey('Trial Org');
    const channel = { channelId: 'TRIAL-CHANNEL', displayNumber: '+15550007777' };
    const byOrg = await edge.call('POST', `/api/organizations/${trial.id}/whapi-channel`, { key: trial.key, body: channel });
    expect(byOrg).toMatchObject({ status: 403, body: { ok: false, code: 'FORBIDDEN', error: expect.stringContaining("platform's WHAPI_TOKEN") } });
    expect((await edge.call('POST', `/api/organizations/${trial.id}/whapi-channel`, { body: channel })).status).toBe(200);

    const buy = await edge.call('POST', `/api/organizations/${trial.id}/provision-number`, { key: trial.key, body: { phoneNumber: '+14155550142' } });
    expect(buy).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', error: expect.stringContaining('Trial organizations use the shared trial number') } });
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/IncomingPhoneNumbers.json'))).toEqual([]);
    const paid = await edge.organizationWithKey('Paid Org', { plan: 'starter' });
    expect((await edge.call('POST', `/api/organizations/${paid.id}/provision-number`, { key: paid.key, body: { phoneNumber: '+14155550142' } })).status).toBe(
      200,
    );
  });
});
