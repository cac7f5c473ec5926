// The admin API, the visitor API and Twilio's webhook over the HTTP edge, against a fake Twilio: what
// the handover tests of real numbers share. Jobs run when a test drains them (no worker).
import { drainJobs } from '../../src/jobs/queue.js';
import type { LiveEvent } from '../../src/realtime/bus.js';
import { setSendRate } from '../../src/services/outbound/send-rate.js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type FakeTwilio, startFakeTwilio } from '../fakes/twilio.js';
import { formBody, signTwilio } from '../fixtures/providers/index.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

export const PUBLIC_URL = 'https://switchboard.example.com';
/** Twilio's WhatsApp sandbox sender: the single-number setup of seed 000. */
export const SANDBOX = '+14155238886';
export const MAYA = '+15550100101';
export const TOM = '+15550100102';

export interface Edge extends AdminApi {
  /** A WhatsApp message from `from` to `to`, as Twilio posts it, signed with `authToken`; answers the status. */
  twilioInbound(from: string, to: string, body: string, options?: { authToken?: string; extra?: Record<string, string> }): Promise<number>;
  /** Runs every due job (reactions, sends) now. */
  drain(): Promise<void>;
  /** A visitor of the widget: a session, messages, the handover, and what arrives live in the widget. */
  visitor(publicKey: string, name?: string): Promise<Visitor>;
  /** What the fake Twilio was asked to send, oldest first. */
  sent(): Array<{ sid: string; from: string; to: string; body: string }>;
}

export interface Visitor {
  sessionId: string;
  /** the session's Authorization header */
  auth: Record<string, string>;
  say(text: string): Promise<void>;
  handover(): Promise<{ status: number; body: any }>;
  /** agent and system messages pushed live to the widget */
  live: LiveEvent[];
  agentTexts(): string[];
}

let inboundSid = 0;

export async function startEdge(twilio: FakeTwilio, env: Record<string, string> = {}): Promise<Edge> {
  const api = await startAdminApi({
    env: {
      PUBLIC_URL,
      WORKER: '0',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      ...env,
    },
  });
  const { app } = api.server;
  unpacedSends(api);
  return {
    ...api,
    async twilioInbound(from, to, body, { authToken = twilio.authToken, extra = {} } = {}) {
      const sid = `SM${String(++inboundSid).padStart(32, '0')}`;
      const fields = {
        SmsMessageSid: sid,
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: twilio.accountSid,
        From: `whatsapp:${from}`,
        To: `whatsapp:${to}`,
        WaId: from.slice(1),
        Body: body,
        NumMedia: '0',
        MessageType: 'text',
        ApiVersion: '2010-04-01',
        ...extra,
      };
      const response = await app.inject({
        method: 'POST',
        url: '/api/webhooks/twilio',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilio(`${PUBLIC_URL}/api/webhooks/twilio`, fields, authToken),
        },
        payload: formBody(fields),
      });
      return response.statusCode;
    },
    drain: () => drainJobs(api.ctx).then(() => undefined),
    visitor: (publicKey, name) => openVisitor(api, publicKey, name),
    sent: () => [...twilio.messages.values()] as Array<{ sid: string; from: string; to: string; body: string }>,
  };
}

/**
 * The per-number send pacing counts real milliseconds, and these tests stop the clock and drain:
 * a burst past the bucket would wait for a clock step that never comes. Pacing has its own tests.
 */
export function unpacedSends(api: AdminApi): void {
  setSendRate(api.ctx, 1_000_000);
}

/** A visitor of the widget over the HTTP edge of any started app (jobs drained after each step). */
export async function openVisitor(api: AdminApi, publicKey: string, name?: string): Promise<Visitor> {
  const { app } = api.server;
  const opened = await app.inject({ method: 'POST', url: `/api/widget/${publicKey}/sessions`, payload: name ? { visitorName: name } : {} });
  if (opened.statusCode !== 201) throw new Error(`session not opened: ${opened.body}`);
  const { sessionId, token } = opened.json() as { sessionId: string; token: string };
  const headers = { authorization: `Bearer ${token}` };
  const live: LiveEvent[] = [];
  api.ctx.bus.subscribe(`session:${sessionId}`, (e) => live.push(e));
  return {
    sessionId,
    auth: headers,
    live,
    async say(text) {
      const sent = await app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/messages`, headers, payload: { text } });
      if (sent.statusCode !== 201) throw new Error(`visitor message refused: ${sent.body}`);
      await drainJobs(api.ctx);
    },
    async handover() {
      const answer = await app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/handover`, headers });
      await drainJobs(api.ctx);
      return { status: answer.statusCode, body: answer.json() };
    },
    agentTexts: () =>
      live.filter((e) => e.type === 'message' && (e.data as { author: string }).author === 'agent').map((e) => (e.data as { text: string }).text),
  };
}

/**
 * The fake Twilio for the whole file and, for each test, a fresh server whose platform sender is
 * the sandbox number (`TWILIO_PHONE_NUMBER`); registers its own hooks.
 */
export function sandboxEdgePerTest(): { twilio: FakeTwilio; edge: Edge } {
  const current = {} as { twilio: FakeTwilio; edge: Edge };
  beforeAll(async () => {
    current.twilio = await startFakeTwilio();
  });
  afterAll(async () => {
    await current.twilio.close();
  });
  beforeEach(async () => {
    current.twilio.reset();
    current.twilio.messages.clear();
    current.twilio.incomingNumbers.clear();
    current.edge = await startEdge(current.twilio, { TWILIO_PHONE_NUMBER: `whatsapp:${SANDBOX}` });
  });
  afterEach(async () => {
    await current.edge.server.stop();
  });
  return current;
}
