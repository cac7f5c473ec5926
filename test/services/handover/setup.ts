// A small world for handover tests: an organization with simulated numbers, a widget with two
// agents, visitors who write through the visitor service, and agents who write to a sender as the
// inbound pipeline would store it.
import type { ManualClock } from '../../../src/core/clock.js';
import type { Message, NumberRow, Organization } from '../../../src/db/schema.js';
import type { AppContext } from '../../../src/services/context.js';
import { handleAgentMessage } from '../../../src/services/handover/agent-replies.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { receiveVisitorMessage } from '../../../src/services/widgets/visitor-inbound.js';
import { authenticateSession, createSession } from '../../../src/services/widgets/sessions.js';
import { createWidget, type WidgetInput, widgetInput } from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';
import { activateAgents, makeInboundMessage, makeNumber, openServiceWindow } from '../../support/factories.js';

export const MAYA = '+15550100101';
export const TOM = '+15550100102';
export const STRANGER = '+15550109001';

export interface World {
  ctx: AppContext & { clock: ManualClock };
  org: Organization;
  widget: { id: string; publicKey: string };
  pool: NumberRow[];
  handoverNumber?: NumberRow;
}

/** `pool`: how many pool numbers; `handoverNumber`: a widget handover number; the rest are widget settings. */
export async function makeWorld(
  options: {
    pool?: number;
    handoverNumber?: boolean;
    provider?: string;
    settings?: Partial<WidgetInput>;
    agentsWrote?: boolean;
    agentsAccepted?: boolean;
    /** default: an in-memory SQLite database */
    databaseUrl?: string;
    env?: Record<string, string>;
  } = {},
): Promise<World> {
  const ctx = await makeTestContext({ databaseUrl: options.databaseUrl, env: options.env });
  const org = await createOrganization(ctx, { name: 'Lantern Lane Bikes' });
  const provider = options.provider ?? 'simulator';
  const pool: NumberRow[] = [];
  for (let i = 0; i < (options.pool ?? 0); i++) {
    pool.push(await makeNumber(ctx, { organization_id: org.id, provider, phone_number: `+1555010001${i + 1}` }));
  }
  const handoverNumber = options.handoverNumber ? await makeNumber(ctx, { organization_id: org.id, provider, phone_number: '+15550100001' }) : undefined;
  // Agents who wrote to the senders recently may get free text from them (the 24-hour window).
  if (options.agentsWrote !== false) {
    for (const number of [...pool, ...(handoverNumber ? [handoverNumber] : [])]) {
      for (const agent of [MAYA, TOM]) await openServiceWindow(ctx, number.id, agent);
    }
  }
  // The agents accepted from their phones (SPEC §8 Agents); a test of consent says otherwise.
  if (options.agentsAccepted !== false) await activateAgents(ctx, org.id, [MAYA, TOM]);
  const widget = await createWidget(
    ctx,
    org.id,
    widgetInput.parse({
      name: 'Website chat',
      allowedOrigins: ['*'],
      agentWhatsappNumbers: [MAYA, TOM],
      handoverWhatsappNumber: handoverNumber?.phone_number ?? null,
      whatsappNumberPool: pool.map((p, i) => ({ number: p.phone_number, displayName: `Desk ${i + 1}` })),
      ...options.settings,
    }),
  );
  return { ctx, org, widget, pool, handoverNumber };
}

export async function visitor(world: World, name: string) {
  const { sessionId, token } = await createSession(world.ctx, world.widget.publicKey, { visitorName: name });
  const found = await authenticateSession(world.ctx, sessionId, token);
  return {
    sessionId,
    say: async (text: string, media?: { dataUrl: string; filename?: string }) => (await receiveVisitorMessage(world.ctx, found, { text, media })).message,
  };
}

/** An agent's WhatsApp message to a business number, stored as the inbound pipeline stores it, then handled. */
export async function agentWrites(
  world: World,
  from: string,
  to: NumberRow,
  text: string | null,
  extra: { replyTo?: string; media?: object } = {},
): Promise<{ handled: boolean; message: Message }> {
  const message = await makeInboundMessage(world.ctx, to, { from, body: text, media: extra.media, replyTo: extra.replyTo });
  return { handled: await handleAgentMessage(world.ctx, message, to), message };
}

/** What went to agents' phones, oldest first. */
export async function sentToAgents(world: World, to?: string) {
  let query = world.ctx.db.selectFrom('messages').selectAll().where('audience', '=', 'agent').where('direction', '=', 'out');
  if (to) query = query.where('to_address', '=', to);
  return query.orderBy('id').execute();
}

/** What the visitor's conversation(s) show, oldest first. */
export async function seenByVisitor(world: World, sessionId: string) {
  return world.ctx.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .selectAll('messages')
    .where('contacts.external_id', '=', sessionId)
    .where('messages.audience', '=', 'contact')
    .orderBy('messages.id')
    .execute();
}

export async function conversationOf(world: World, ref: number) {
  return world.ctx.db.selectFrom('conversations').selectAll().where('organization_id', '=', world.org.id).where('ref', '=', ref).executeTakeFirstOrThrow();
}

/** The provider accepted a message: it now has the id a swipe-reply refers to (what the send worker stores). */
export async function markSent(world: World, messageId: number, providerMessageId: string) {
  await world.ctx.db.updateTable('messages').set({ provider_message_id: providerMessageId, status: 'sent' }).where('id', '=', messageId).execute();
}
