// No secret reaches a log line or a stored row in clear (SPEC §11): a run that uses every secret
// the platform knows — provider credentials, verify token, admin and API keys, the LLM key, the
// encryption key, an organization's own Whapi token — leaves none of them in the log stream or in
// any text column of any table.
import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { answerQuestion } from '../../src/services/knowledge/answers.js';
import { seedKnowledge } from '../../src/services/knowledge/training.js';
import { drainJobs } from '../../src/jobs/queue.js';
import { type FakeLlm, startFakeLlm } from '../fakes/llm.js';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { type FakeWhapi, startFakeWhapi } from '../fakes/whapi.js';
import { fixtureBytes, signMeta, signTwilio, twilioFields, formBody } from '../fixtures/providers/index.js';
import { makeTestContext } from '../support/context.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const SECRETS = {
  adminKey: 'admin-5ecret-0f-the-platform-77',
  metaAppSecret: 'meta-app-5ecret-9a8b7c6d5e4f',
  metaVerifyToken: 'meta-verify-5ecret-31415926',
  metaAccessToken: 'EAAGmeta5ecretaccesstoken2718',
  whapiToken: 'whapi-5ecret-platform-token-161',
  whapiWebhookSecret: 'whapi-hook-5ecret-1414213',
  llmKey: 'sk-llm-5ecret-key-1732050',
  encryptionKey: '5e'.repeat(32),
  ownWhapiToken: 'whapi-own-5ecret-token-2236',
};

const lines: string[] = [];
let twilio: FakeTwilio;
let whapi: FakeWhapi;
let llm: FakeLlm;
let server: RunningServer;
/** Secrets only known once the run makes them: the Twilio fake's token, an issued API key, a visitor token. */
const found: Record<string, string> = {};

beforeAll(async () => {
  twilio = await startFakeTwilio();
  // The organization's own Whapi token is checked at the gate's /health before it is kept.
  whapi = await startFakeWhapi({ token: SECRETS.ownWhapiToken, channelId: 'HARBOUR-1' });
  llm = await startFakeLlm({ kind: 'answer', text: 'We open at nine.' });
  found.twilioAuthToken = twilio.authToken;
  let pending = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      lines.push(...complete);
      done();
    },
  });
  const ctx = await makeTestContext({
    log: createLogger('trace', sink),
    env: {
      PUBLIC_URL,
      ADMIN_API_KEY: SECRETS.adminKey,
      ENCRYPTION_KEY: SECRETS.encryptionKey,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_APP_SECRET: SECRETS.metaAppSecret,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: SECRETS.metaVerifyToken,
      WHATSAPP_ACCESS_TOKEN: SECRETS.metaAccessToken,
      WHAPI_TOKEN: SECRETS.whapiToken,
      WHAPI_WEBHOOK_SECRET: SECRETS.whapiWebhookSecret,
      WHAPI_BASE_URL: whapi.url,
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'shop-model',
      LLM_API_KEY: SECRETS.llmKey,
      ANSWER_BY_MEANING: '0',
      WORKER: '0',
    },
  });
  server = await startServer(ctx, { listen: false });
});

afterAll(async () => {
  await server?.stop();
  await twilio?.close();
  await whapi?.close();
  await llm?.close();
});

const inject = (options: InjectOptions) => server.app.inject(options);
const admin = (method: 'GET' | 'POST', url: string, payload?: object, key = SECRETS.adminKey) =>
  inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

async function useEverySecret(): Promise<void> {
  const ctx = server.ctx;
  // Meta's subscription check carries the verify token in the URL (right and wrong).
  for (const token of [SECRETS.metaVerifyToken, `${SECRETS.metaVerifyToken}x`]) {
    await inject({ method: 'GET', url: `/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444` });
  }
  // A Whapi webhook authenticated by ?token= (twice in the URL) for a channel nobody has: kept as unrouted.
  const whapiBody = fixtureBytes('whapi/messages-text.json');
  const whapi = await inject({
    method: 'POST',
    url: `/api/webhooks/whapi?tenant=t1&token=${SECRETS.whapiWebhookSecret}&token=${SECRETS.whapiWebhookSecret}`,
    headers: { 'content-type': 'application/json', cookie: `session=${SECRETS.whapiWebhookSecret}` },
    payload: whapiBody,
  });
  expect(whapi.statusCode).toBe(200);
  // …and by its header and Bearer forms.
  for (const headers of [{ 'x-webhook-token': SECRETS.whapiWebhookSecret }, { authorization: `Bearer ${SECRETS.whapiWebhookSecret}` }]) {
    await inject({ method: 'POST', url: '/api/webhooks/whapi', headers: { 'content-type': 'application/json', ...headers }, payload: whapiBody });
  }
  // Signed Meta and Twilio webhooks for unknown numbers: unrouted too.
  const metaBody = fixtureBytes('meta/text.json');
  await inject({
    method: 'POST',
    url: '/api/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(metaBody, SECRETS.metaAppSecret) },
    payload: metaBody,
  });
  const fields = twilioFields('twilio/inbound-text.txt');
  await inject({
    method: 'POST',
    url: '/api/webhooks/twilio',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilio(`${PUBLIC_URL}/api/webhooks/twilio`, fields, twilio.authToken),
    },
    payload: formBody(fields),
  });
  // The platform key, an organization key and a Whapi channel with its own token (stored encrypted).
  const created = await admin('POST', '/api/organizations', { name: 'Harbour Bikes', plan: 'business' });
  expect(created.statusCode).toBe(201);
  const orgId = created.json().organization.id as string;
  const issued = await admin('POST', `/api/organizations/${orgId}/api-keys`);
  found.apiKey = issued.json().key;
  expect((await admin('GET', `/api/organizations/${orgId}`, undefined, found.apiKey)).statusCode).toBe(200);
  expect((await admin('GET', `/api/organizations?access_token=${found.apiKey}&key=${SECRETS.adminKey}`, undefined, found.apiKey)).statusCode).toBe(200);
  const channel = await admin('POST', `/api/organizations/${orgId}/whapi-channel`, {
    channelId: 'HARBOUR-1',
    displayNumber: '+14155550999',
    token: SECRETS.ownWhapiToken,
  });
  expect(channel.statusCode).toBe(200);
  // Replaying the unrouted events (the kept URL and headers are what replay reads).
  const unrouted = await admin('GET', '/api/admin/unrouted-events');
  for (const event of unrouted.json().events) await admin('POST', `/api/admin/unrouted-events/${event.id}/replay`);
  // A visitor's token in the event stream URL (EventSource cannot send headers), twice.
  const widget = await admin('POST', `/api/organizations/${orgId}/widgets`, { name: 'Site', allowedOrigins: ['*'] });
  expect(widget.statusCode).toBe(201);
  const session = await inject({ method: 'POST', url: `/api/widget/${widget.json().widget.publicKey}/sessions`, payload: {} });
  found.visitorToken = session.json().token;
  const history = await inject({
    method: 'GET',
    url: `/api/widget/sessions/${session.json().sessionId}/messages?token=${found.visitorToken}&token=${found.visitorToken}`,
  });
  expect(history.statusCode).toBe(401);
  // The LLM answers with its key in the Authorization header.
  await seedKnowledge(ctx, orgId, [{ title: 'Hours', content: 'Q: When do you open?\nA: At nine, Monday to Saturday.' }]);
  const answer = await answerQuestion(ctx, orgId, 'When do you open?');
  expect(llm.requests[0]!.headers.authorization).toBe(`Bearer ${SECRETS.llmKey}`);
  expect(answer.answer).toBeTruthy();
  await drainJobs(ctx);
}

/** Every string (and byte) value of every table, with where it is. */
async function everyStoredValue(): Promise<Array<{ where: string; text: string }>> {
  const db = server.ctx.db;
  const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((r) => r.name);
  expect(tables).toContain('unrouted_events');
  const values: Array<{ where: string; text: string }> = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string') values.push({ where: `${table}.${column}`, text: value });
        else if (value instanceof Uint8Array) values.push({ where: `${table}.${column}`, text: Buffer.from(value).toString('latin1') });
      }
    }
  }
  return values;
}

describe('secrets', () => {
  it('appear in no log line and no stored row after a run that used them all', async () => {
    await useEverySecret();
    const secrets = { ...SECRETS, ...found };
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((line) => line.includes('hub.verify_token=[redacted]'))).toBe(true);
    const inLogs = Object.entries(secrets).flatMap(([name, value]) =>
      lines.filter((line) => line.includes(value)).map((line) => `${name}: ${line.slice(0, 300)}`),
    );
    expect(inLogs).toEqual([]);
    // The unrouted Whapi event keeps what replay needs, its secrets redacted.
    const kept = await server.ctx.db.selectFrom('unrouted_events').select('headers').where('provider', '=', 'whapi').execute();
    expect(kept.map((row) => JSON.parse(row.headers!).url)).toContain('/api/webhooks/whapi?tenant=t1&token=[redacted]&token=[redacted]');
    const stored = await everyStoredValue();
    const inRows = Object.entries(secrets).flatMap(([name, value]) => stored.filter((v) => v.text.includes(value)).map((v) => `${name} in ${v.where}`));
    expect(inRows).toEqual([]);
  });
});
