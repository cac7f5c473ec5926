// Managed handover templates over real HTTP to the fakes: created and submitted once per account,
// pending, approved or rejected, and used for an agent whose window is closed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drainJobs } from '../../../src/jobs/queue.js';
import type { AppContext } from '../../../src/services/context.js';
import type { NumberRow } from '../../../src/db/schema.js';
import { handoverTemplateFor } from '../../../src/services/handover/templates.js';
import { enqueueSend, type SendRequest } from '../../../src/services/outbound/send.js';
import { ensureHandoverTemplate, ensureHandoverTemplates } from '../../../src/services/numbers/templates.js';
import { saveConnection } from '../../../src/services/numbers/connections.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { providers } from '../../../src/providers/registry.js';
import { basicAuth, bearerToken } from '../../fakes/server.js';
import { type FakeTwilio, startFakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { type FakeMeta, startFakeMeta } from '../../fakes/meta.js';
import { templateStatusWebhook } from '../../fakes/meta-templates.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization } from '../../support/factories.js';

const AGENT = '+15550109999';

/** A handover notification by template, as notify.ts sends it when the agent's window is closed. */
async function sendTemplateToAgent(sender: NumberRow, organizationId: string, template: NonNullable<SendRequest['template']>, idempotencyKey: string) {
  await enqueueSend(ctx, {
    organizationId,
    conversationId: null,
    numberId: sender.id,
    to: AGENT,
    template,
    category: 'utility',
    author: 'system',
    audience: 'agent',
    idempotencyKey,
  });
}
const VALUES = { visitorName: 'Ana\nLima', ref: '#282', excerpt: 'Is the\tblue bike in stock?' };
let ctx: AppContext & { clock: import('../../../src/core/clock.js').ManualClock };

const templates = () => ctx.db.selectFrom('handover_templates').selectAll().execute();
const minutes = (n: number) => ctx.clock.advance(n * 60_000);

describe('on Twilio (Content API)', () => {
  let twilio: FakeTwilio;
  let sender: NumberRow;
  beforeAll(async () => {
    twilio = await startFakeTwilio();
  });
  afterAll(async () => twilio.close());
  beforeEach(async () => {
    twilio.reset();
    twilio.submitAs('received');
    ctx = await makeTestContext({ env: twilioPlatformEnv(twilio) });
    sender = await makeNumber(ctx, { organization_id: null, provider: 'twilio', phone_number: '+14155550142', provider_id: `PN${'1'.repeat(32)}` });
  });
  afterEach(async () => ctx.database.close());

  it('creates the Content with samples, submits it as UTILITY, and keeps it pending while in review', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const [create, submit] = twilio.requests;
    expect(create).toMatchObject({ method: 'POST', path: '/v1/Content' });
    expect(create!.headers['content-type']).toContain('application/json');
    expect(basicAuth(create!)).toEqual({ username: twilio.accountSid, password: twilio.authToken });
    expect(create!.body).toEqual({
      friendly_name: 'switchboard_handover_request_v1',
      language: 'en',
      variables: { '1': 'Maria Souza', '2': '#282', '3': 'Do you have the blue bike in size M for this weekend?' },
      types: { 'twilio/text': { body: expect.stringMatching(/^New chat request from \{\{1\}\}.*\{\{3\}\}.*them\.$/) } },
    });
    const [sid] = [...twilio.contents.keys()];
    expect(submit).toMatchObject({
      method: 'POST',
      path: `/v1/Content/${sid}/ApprovalRequests/whatsapp`,
      body: { name: 'switchboard_handover_request_v1', category: 'UTILITY' },
    });
    expect(await templates()).toMatchObject([{ provider: 'twilio', account_ref: twilio.accountSid, provider_template_id: sid, status: 'pending' }]);
    // In review: nothing to send instead of free-form yet.
    expect(await handoverTemplateFor(ctx, sender, null, VALUES)).toBeUndefined();
  });

  it('reads the approval again until approved, then the agent outside the window gets it by ContentSid', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const [sid] = [...twilio.contents.keys()];
    let seen = twilio.requests.length;
    minutes(1);
    await drainJobs(ctx);
    expect(twilio.requests.slice(seen).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/Content/${sid}/ApprovalRequests`]);
    expect(basicAuth(twilio.requests.at(-1)!)).toEqual({ username: twilio.accountSid, password: twilio.authToken });
    expect((await templates())[0]!.status).toBe('pending');
    twilio.review(sid!, 'approved');
    minutes(1);
    await drainJobs(ctx);
    expect((await templates())[0]!.status).toBe('approved');
    // Final: no more reads, however long it waits.
    seen = twilio.requests.length;
    minutes(600);
    await drainJobs(ctx);
    expect(twilio.requests).toHaveLength(seen);

    const template = await handoverTemplateFor(ctx, sender, null, VALUES);
    expect(template).toEqual({
      name: 'switchboard_handover_request_v1',
      language: 'en',
      variables: ['Ana Lima', '#282', 'Is the blue bike in stock?'],
      providerTemplateId: sid,
    });
    const org = await makeOrganization(ctx);
    await sendTemplateToAgent(sender, org.id, template!, 'n1');
    await drainJobs(ctx);
    const send = twilio.requests.find((r) => r.path.endsWith('/Messages.json'))!;
    expect(send.body).toMatchObject({ To: `whatsapp:${AGENT}`, From: 'whatsapp:+14155550142', ContentSid: sid });
    expect(JSON.parse(send.body.ContentVariables)).toEqual({ '1': 'Ana Lima', '2': '#282', '3': 'Is the blue bike in stock?' });
    expect(send.body.Body).toBeUndefined();
    const message = await ctx.db.selectFrom('messages').selectAll().executeTakeFirstOrThrow();
    // A utility template outside the window: Meta's utility fee plus Twilio's $0.005 (A3).
    expect(message).toMatchObject({ status: 'queued', category: 'utility', cost: 0.0084 });
  });

  it('keeps a rejection with its reason, and never offers the template', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const [sid] = [...twilio.contents.keys()];
    twilio.review(sid!, 'rejected', 'INVALID_FORMAT. Facebook is not able to create template');
    minutes(1);
    await drainJobs(ctx);
    expect(await templates()).toMatchObject([{ status: 'rejected', rejection_reason: 'INVALID_FORMAT. Facebook is not able to create template' }]);
    expect(await handoverTemplateFor(ctx, sender, null, VALUES)).toBeUndefined();
  });

  it('makes one template per account however many senders, saves and retries ask at once', async () => {
    const second = await makeNumber(ctx, { organization_id: null, provider: 'twilio', phone_number: '+14155550199', provider_id: `PN${'2'.repeat(32)}` });
    await Promise.all([
      ensureHandoverTemplate(ctx, sender),
      ensureHandoverTemplate(ctx, second),
      ensureHandoverTemplates(ctx, [sender, second, sender]),
      handoverTemplateFor(ctx, second, null, VALUES),
    ]);
    await drainJobs(ctx);
    await ensureHandoverTemplate(ctx, second);
    await drainJobs(ctx);
    expect(await templates()).toHaveLength(1);
    expect(twilio.requests.filter((r) => r.path === '/v1/Content')).toHaveLength(1);
  });

  it("an organization's own connection gets its own template, in its own account", async () => {
    const own = await startFakeTwilio();
    try {
      const org = await makeOrganization(ctx);
      const connectionId = await saveConnection(ctx, {
        organizationId: org.id,
        provider: 'twilio',
        credentials: { accountSid: own.accountSid, authToken: own.authToken },
      });
      // The connection's account answers on its own fake; the platform's content API is not asked.
      ctx.config.twilio.contentBaseUrl = own.url;
      const ownNumber = await makeNumber(ctx, {
        organization_id: org.id,
        provider: 'twilio',
        phone_number: '+14155550177',
        provider_id: `PN${'3'.repeat(32)}`,
        connection_id: connectionId,
      });
      await ensureHandoverTemplate(ctx, ownNumber);
      await drainJobs(ctx);
      expect(basicAuth(own.requests[0]!)).toEqual({ username: own.accountSid, password: own.authToken });
      expect(await templates()).toMatchObject([{ account_key: connectionId, organization_id: org.id, account_ref: own.accountSid, status: 'pending' }]);
    } finally {
      await own.close();
    }
  });
});

describe('the widget template an operator named', () => {
  it('goes first, filled one line per value, as before', async () => {
    ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
    const sender = await makeNumber(ctx, { organization_id: null });
    const settings = { handoverTemplate: { name: 'tea_handover', language: 'en_GB', variables: ['{ref}', '{name}', '{message}'] } } as never;
    expect(await handoverTemplateFor(ctx, sender, settings, { visitorName: 'Ana\n🆔 ID: #7', ref: '#3', excerpt: 'hello\nthere' })).toEqual({
      name: 'tea_handover',
      language: 'en_GB',
      variables: ['#3', 'Ana 🆔 ID: #7', 'hello there'],
    });
    await ctx.database.close();
  });
});

describe('in the simulator', () => {
  it('is approved at once and shows on the phone as its name and values', async () => {
    ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
    const sender = await makeNumber(ctx, { organization_id: null });
    expect(await handoverTemplateFor(ctx, sender, null, VALUES)).toBeUndefined(); // asked for now
    await drainJobs(ctx);
    expect(await templates()).toMatchObject([{ provider: 'simulator', status: 'approved' }]);
    expect(await handoverTemplateFor(ctx, sender, null, VALUES)).toMatchObject({
      name: 'switchboard_handover_request_v1',
      variables: ['Ana Lima', '#282', 'Is the blue bike in stock?'],
    });
    await ctx.database.close();
  });
});

describe('on Meta (message_templates and the status webhook)', () => {
  let meta: FakeMeta;
  let other: FakeMeta;
  let sender: NumberRow;
  const APP_SECRET = 'platform-app-secret-123';
  beforeAll(async () => {
    meta = await startFakeMeta();
    other = await startFakeMeta({ wabaId: '209990001112223' });
  });
  afterAll(async () => {
    await meta.close();
    await other.close();
  });
  beforeEach(async () => {
    meta.reset();
    ctx = await makeTestContext({
      env: {
        WHATSAPP_ACCESS_TOKEN: meta.accessToken,
        WHATSAPP_BUSINESS_ACCOUNT_ID: meta.wabaId,
        WHATSAPP_APP_SECRET: APP_SECRET,
        META_GRAPH_BASE_URL: meta.url,
        META_GRAPH_API_VERSION: 'v23.0',
      },
    });
    sender = await makeNumber(ctx, { organization_id: null, provider: 'meta', phone_number: '+15550783881', provider_id: '106540352242922' });
  });
  afterEach(async () => ctx.database.close());

  async function post(webhook: { body: Buffer; signature: string }) {
    return receiveWebhook(ctx, providers.meta, {
      method: 'POST',
      url: '/api/webhooks/meta',
      rawBody: webhook.body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': webhook.signature },
      query: {},
    });
  }

  it('creates a UTILITY template with body samples in the WABA, pending until the webhook approves it, then sends it by name', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const create = meta.requests.find((r) => r.method === 'POST')!;
    expect(create.path).toBe(`/v23.0/${meta.wabaId}/message_templates`);
    expect(bearerToken(create)).toBe(meta.accessToken);
    expect(create.body).toEqual({
      name: 'switchboard_handover_request_v1',
      language: 'en',
      category: 'UTILITY',
      components: [
        {
          type: 'BODY',
          text: expect.stringContaining('{{3}}'),
          example: { body_text: [['Maria Souza', '#282', 'Do you have the blue bike in size M for this weekend?']] },
        },
      ],
    });
    const id = meta.templates[0]!.id;
    expect(await templates()).toMatchObject([{ provider: 'meta', account_ref: meta.wabaId, provider_template_id: id, status: 'pending' }]);
    expect(await handoverTemplateFor(ctx, sender, null, VALUES)).toBeUndefined();

    const answer = await post(
      templateStatusWebhook(APP_SECRET, { wabaId: meta.wabaId, templateId: id, name: 'switchboard_handover_request_v1', language: 'en', event: 'APPROVED' }),
    );
    expect(answer.status).toBe(200);
    expect((await templates())[0]!.status).toBe('approved');

    const template = await handoverTemplateFor(ctx, sender, null, VALUES);
    const org = await makeOrganization(ctx);
    await sendTemplateToAgent(sender, org.id, template!, 'm1');
    await drainJobs(ctx);
    const send = meta.requests.find((r) => r.path.endsWith('/messages'))!;
    expect(send.path).toBe('/v23.0/106540352242922/messages');
    expect(send.body).toMatchObject({
      type: 'template',
      to: '15550109999',
      template: {
        name: 'switchboard_handover_request_v1',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana Lima' },
              { type: 'text', text: '#282' },
              { type: 'text', text: 'Is the blue bike in stock?' },
            ],
          },
        ],
      },
    });
  });

  it('keeps a rejection with its reason from the webhook', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const id = meta.templates[0]!.id;
    await post(
      templateStatusWebhook(APP_SECRET, {
        wabaId: meta.wabaId,
        templateId: id,
        name: 'switchboard_handover_request_v1',
        language: 'en',
        event: 'REJECTED',
        reason: 'INVALID_FORMAT',
      }),
    );
    expect(await templates()).toMatchObject([{ status: 'rejected', rejection_reason: 'INVALID_FORMAT: Variables at the end' }]);
  });

  it('a webhook from another WABA, or unsigned, changes nothing', async () => {
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    const id = meta.templates[0]!.id;
    const about = { templateId: id, name: 'switchboard_handover_request_v1', language: 'en', event: 'APPROVED' };
    // Signed by Meta for another business account that names our template's id.
    expect((await post(templateStatusWebhook(APP_SECRET, { ...about, wabaId: other.wabaId }))).status).toBe(200);
    expect((await templates())[0]!.status).toBe('pending');
    await expect(post(templateStatusWebhook('not-the-secret', { ...about, wabaId: meta.wabaId }))).rejects.toMatchObject({ status: 403 });
    expect((await templates())[0]!.status).toBe('pending');
  });

  it('adopts the template of that name already in the WABA instead of making a second', async () => {
    meta.createAs('APPROVED');
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    // The row is lost (a restored backup): asking again finds Meta's and creates nothing.
    await ctx.db.deleteFrom('handover_templates').execute();
    await ensureHandoverTemplate(ctx, sender);
    await drainJobs(ctx);
    expect(meta.templates).toHaveLength(1);
    expect(meta.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(await templates()).toMatchObject([{ status: 'approved', provider_template_id: meta.templates[0]!.id }]);
    meta.createAs('PENDING');
  });
});
