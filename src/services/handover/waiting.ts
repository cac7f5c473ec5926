// Waiting visitors are offered to the next agent who writes in (SPEC §8 "Escalation", "Nobody is
// orphaned"): whatever an active agent writes to a sender of their organization, they are told —
// once per burst — which visitors wait with nobody reached, and `#ref: text` takes one of them from
// whichever sender they wrote to (the conversation moves there: that is where their window is open).
import { parseAgentReply } from '../../core/agent-reply.js';
import { agentText } from '../../core/handover-text.js';
import { seatText } from '../../core/seat-text.js';
import type { Message, NumberRow } from '../../db/schema.js';
import { agentName } from '../agents/agents.js';
import type { AppContext } from '../context.js';
import { reassign } from './senders.js';
import { publishVisitorStatus } from '../widgets/visitor-outbound.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { findSenderNumber, type Handover, loadHandovers, sendToAgent } from './handovers.js';
import { tellCustomer } from './customer.js';

/** The same list is not repeated to an agent within this time: one offer per burst of messages. */
const BURST_MS = 10 * 60 * 1000;

interface Writer {
  agent: string;
  number: NumberRow & { phone_number: string };
  message: Message;
}

/**
 * Called for every message of an active agent before it is routed. True when it took a waiting
 * visitor (and delivered the text); false lets the usual routing place it.
 */
export async function answerWaitingVisitors(ctx: AppContext, writer: Writer): Promise<boolean> {
  const waiting = await waitingFor(ctx, writer);
  if (waiting.length === 0) return false;
  const reply = parseAgentReply(writer.message.body);
  const named = 'target' in reply && reply.target?.by === 'ref' ? reply.target.ref : undefined;
  const target = waiting.filter((h) => h.ref === named);
  // One the usual routing cannot give them: not theirs, or carried by another sender than this one.
  const elsewhere =
    target.length === 1 && (!target[0]!.agents.includes(writer.agent) || target[0]!.conversation.assigned_whatsapp_number !== writer.number.phone_number);
  if (elsewhere && reply.kind === 'message' && reply.text && (await take(ctx, writer, target[0]!, reply.text))) return true;
  const unreached = await notReached(ctx, writer.agent, waiting);
  const offered = unreached.filter((h) => h.ref !== named);
  if (offered.length === 0) return false;
  const several = new Set(offered.map((h) => h.conversation.organization_id)).size > 1;
  const text = seatText.waitingOffer(
    offered.map((h) => ({ ref: h.ref, visitorName: h.visitorName, inOrganization: several ? h.organizationName : undefined })),
  );
  if (reply.kind !== 'list' && (await toldLately(ctx, writer, text))) return false;
  await sendToAgent(ctx, {
    sender: writer.number,
    agent: writer.agent,
    organizationId: writer.number.organization_id ?? offered[0]!.conversation.organization_id,
    conversationId: null,
    text,
    idempotencyKey: `agent-waiting:${writer.message.id}`,
  });
  return false;
}

/** Conversations of the agent's organizations (reachable through this number) waiting with nobody on them. */
async function waitingFor(ctx: AppContext, writer: Writer): Promise<Handover[]> {
  const memberships = await ctx.db.selectFrom('agents').select('organization_id').where('number', '=', writer.agent).where('status', '=', 'active').execute();
  const organizationIds = memberships
    .map((m) => m.organization_id)
    .filter((id) => writer.number.organization_id === null || writer.number.organization_id === id);
  if (organizationIds.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where('organization_id', 'in', organizationIds)
    .where('status', '=', 'waiting_agent')
    .where('agent_number', 'is', null)
    // In line for a free agent (one chat each): connected in turn when a conversation closes, not offered
    .where('assigned_whatsapp_number', 'is not', null)
    .orderBy('handed_over_at')
    .orderBy('ref')
    .execute();
  return loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
}

/** Of these, the ones this agent has no live notification about (never sent, or failed). */
async function notReached(ctx: AppContext, agent: string, waiting: Handover[]): Promise<Handover[]> {
  const reached = await ctx.db
    .selectFrom('messages')
    .select('conversation_id')
    .distinct()
    .where('audience', '=', 'agent')
    .where('direction', '=', 'out')
    .where('to_address', '=', agent)
    .where('status', '!=', 'failed')
    .where(
      'conversation_id',
      'in',
      waiting.map((h) => h.conversation.id),
    )
    .execute();
  const known = new Set(reached.map((r) => r.conversation_id));
  return waiting.filter((h) => !known.has(h.conversation.id));
}

async function toldLately(ctx: AppContext, writer: Writer, text: string): Promise<boolean> {
  const since = new Date(ctx.clock.now().getTime() - BURST_MS).toISOString();
  const told = await ctx.db
    .selectFrom('messages')
    .select('id')
    .where('audience', '=', 'agent')
    .where('to_address', '=', writer.agent)
    .where('idempotency_key', 'like', 'agent-waiting:%')
    .where('body', '=', text)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return told !== undefined;
}

/**
 * The agent takes a waiting visitor. A widget that does not list them lists them from now on (the
 * widget's visitor and this agent must reach each other); the conversation moves to the sender the
 * agent wrote to. False when someone else took it first.
 */
async function take(ctx: AppContext, writer: Writer, handover: Handover, text: string): Promise<boolean> {
  const { conversation, widget } = handover;
  if (widget && !handover.agents.includes(writer.agent)) {
    const settings = JSON.parse(widget.settings) as { agentWhatsappNumbers?: string[] };
    const listed = readWidgetSettings(widget).agentWhatsappNumbers;
    await ctx.db
      .updateTable('widgets')
      .set({ settings: JSON.stringify({ ...settings, agentWhatsappNumbers: [...listed, writer.agent] }) })
      .where('id', '=', widget.id)
      .execute();
  }
  const phone = writer.number.phone_number;
  const taken = await ctx.db
    .updateTable('conversations')
    .set({ agent_number: writer.agent, status: 'agent', assigned_whatsapp_number: phone })
    .where('id', '=', conversation.id)
    .where('status', '=', 'waiting_agent')
    .where('agent_number', 'is', null)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 0) return false;
  const before = conversation.assigned_whatsapp_number;
  if (before !== phone) await reassign(ctx, conversation, phone);
  if (handover.sessionId) await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: conversation.ref, conversationStatus: 'agent' });
  if (text) {
    await tellCustomer(
      ctx,
      { ...conversation, status: 'agent', agent_number: writer.agent, assigned_whatsapp_number: phone },
      { author: 'agent', text, idempotencyKey: `agent-reply:${writer.message.id}`, agent: writer.agent },
    );
  }
  // Agents notified before hear who took it, in the chat they were notified in.
  const sender = before ? await findSenderNumber(ctx.db, conversation.organization_id, before) : undefined;
  if (sender) {
    const name = await agentName(ctx.db, conversation.organization_id, writer.agent);
    for (const other of handover.agents.filter((a) => a !== writer.agent)) {
      await sendToAgent(ctx, {
        sender,
        agent: other,
        organizationId: conversation.organization_id,
        conversationId: conversation.id,
        text: agentText.claimedByOther(handover, name),
        idempotencyKey: `waiting-taken:${writer.message.id}:${other}`,
      });
    }
  }
  return true;
}
