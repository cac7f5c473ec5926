// The whole way round over real HTTP: visitor → handover → notification at (fake) Twilio → the
// agent's signed swipe-reply webhook → stored, reacted to → the visitor's live event stream.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import type { LiveEvent } from '../../../src/realtime/bus.js';
import { providers } from '../../../src/providers/registry.js';
import type { AppContext } from '../../../src/services/context.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { receiveVisitorMessage } from '../../../src/services/widgets/visitor-inbound.js';
import { authenticateSession, createSession } from '../../../src/services/widgets/sessions.js';
import { createWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { startFakeTwilio, type FakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { signedTwilioRequest } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow } from '../../support/factories.js';
import { MAYA, STRANGER, TOM } from './setup.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const BUSINESS = '+14155550123';

let twilio: FakeTwilio;
let ctx: AppContext & { clock: ManualClock };
let org: Organization;
let number: NumberRow;
let publicKey: string;

beforeAll(async () => {
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await twilio.close();
});
beforeEach(async () => {
  twilio.reset();
  ctx = await makeTestContext({
    env: { PUBLIC_URL, ...twilioPlatformEnv(twilio) },
  });
  org = await makeOrganization(ctx);
  number = await makeNumber(ctx, { organization_id: org.id, provider: 'twilio', phone_number: BUSINESS, provider_id: 'PN0123456789abcdef0123456789abcdef' });
  for (const agent of [MAYA, TOM]) await openServiceWindow(ctx, number.id, agent);
  await activateAgents(ctx, org.id, [MAYA, TOM]);
  const widget = await createWidget(
    ctx,
    org.id,
    widgetInput.parse({ name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: [MAYA, TOM], handoverWhatsappNumber: BUSINESS }),
  );
  publicKey = widget.publicKey;
});
afterEach(async () => {
  await ctx.database.close();
});

let inboundSid = 0;
/** A WhatsApp message from `from` to the business number, as Twilio posts it, signed. */
function twilioInbound(from: string, body: string, extra: Record<string, string> = {}) {
  const sid = `SM${String(++inboundSid).padStart(32, '0')}`;
  return signedTwilioRequest(
    {
      SmsMessageSid: sid,
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: twilio.accountSid,
      From: `whatsapp:${from}`,
      To: `whatsapp:${BUSINESS}`,
      WaId: from.slice(1),
      ProfileName: 'Agent',
      Body: body,
      NumMedia: '0',
      MessageType: 'text',
      ApiVersion: '2010-04-01',
      ...extra,
    },
    twilio.authToken,
    PUBLIC_URL,
  );
}

const sentByTwilio = () => [...twilio.messages.values()] as Array<{ sid: string; to: string; from: string; body: string }>;

describe('handover over WhatsApp, end to end', () => {
  it('the agent swipe-replies to the notification and the visitor sees the answer live; a stranger reaches nobody', async () => {
    const { sessionId, token } = await createSession(ctx, publicKey, { visitorName: 'Viral tarpara' });
    const found = await authenticateSession(ctx, sessionId, token);
    await receiveVisitorMessage(ctx, found, { text: 'Can I talk to a person?' });
    await drainJobs(ctx); // the bot's answer

    const { conversationRef } = await requestHandover(ctx, sessionId);
    await drainJobs(ctx); // the notifications go out
    const notifications = sentByTwilio().filter((m) => m.body.startsWith('🔔'));
    expect(notifications.map((m) => [m.from, m.to])).toEqual([
      [`whatsapp:${BUSINESS}`, `whatsapp:${MAYA}`],
      [`whatsapp:${BUSINESS}`, `whatsapp:${TOM}`],
    ]);
    expect(notifications[0]!.body).toContain(`🆔 ID: #${conversationRef}\n📱 Session: ${sessionId}\n💬 Can I talk to a person?`);

    const live: LiveEvent[] = [];
    ctx.bus.subscribe(`session:${sessionId}`, (e) => live.push(e));
    const toMaya = notifications[0]!;
    await receiveWebhook(ctx, providers.twilio, twilioInbound(MAYA, 'Hi Viral, Maya here', { OriginalRepliedMessageSid: toMaya.sid }));
    await drainJobs(ctx);
    expect(live.filter((e) => e.type === 'message').map((e) => e.data)).toEqual([expect.objectContaining({ author: 'agent', text: 'Hi Viral, Maya here' })]);
    expect(sentByTwilio().at(-1)).toMatchObject({ to: `whatsapp:${TOM}`, body: `ℹ️ #${conversationRef} Viral tarpara was taken by ${MAYA}.` });

    // Someone who is not an agent writes the same prefix: an ordinary customer conversation, no visitor message.
    await receiveWebhook(ctx, providers.twilio, twilioInbound(STRANGER, `#${conversationRef}: let me in`));
    await drainJobs(ctx);
    expect(live.filter((e) => e.type === 'message')).toHaveLength(1);
    const customer = await ctx.db.selectFrom('conversations').selectAll().where('channel', '=', 'whatsapp').executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ organization_id: org.id, number_id: number.id, status: 'bot' });
  });
});
