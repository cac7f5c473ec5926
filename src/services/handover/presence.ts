// What the widget shows of the agent while a human has the conversation: "typing…" and "seen",
// where the provider reports them (the simulator and Whapi report typing; read receipts arrive as
// message statuses). The inbound pipeline calls these when such an event concerns an agent.
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { publishVisitorStatus } from '../widgets/visitor-outbound.js';
import { agentsOf, loadHandovers } from './handovers.js';

/**
 * An agent is typing to a sender: the visitor sees it when the sender carries exactly one open
 * conversation with this agent (the same rule as a reply without a prefix). True when shown.
 */
export async function showAgentTyping(ctx: AppContext, number: NumberRow, agentPhone: string, typing = true): Promise<boolean> {
  if (!number.phone_number) return false;
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where('assigned_whatsapp_number', '=', number.phone_number)
    .where('status', 'in', [...HUMAN_STATUSES])
    .execute();
  const handovers = (
    await loadHandovers(
      ctx,
      rows.map((r) => r.id),
    )
  ).filter((h) => agentsOf(h.conversation, h).includes(agentPhone));
  if (handovers.length !== 1) return false;
  const [handover] = handovers;
  // A WhatsApp customer's chat shows the business typing only where the provider offers it; not here.
  if (!handover!.sessionId) return false;
  await publishVisitorStatus(ctx, handover!.sessionId, { conversationRef: handover!.ref, agentTyping: typing });
  return true;
}

// Forwards carry the visitor message's id in their idempotency key (request.ts).
const FORWARD_KEY = /^handover-forward:(\d+):/;

/** A forwarded visitor message was read on the agent's phone: the widget marks it (and earlier ones) seen. */
export async function showSeenByAgent(ctx: AppContext, message: Message): Promise<boolean> {
  const visitorMessageId = message.status === 'read' ? FORWARD_KEY.exec(message.idempotency_key ?? '')?.[1] : undefined;
  if (!visitorMessageId || !message.conversation_id) return false;
  const [handover] = await loadHandovers(ctx, [message.conversation_id]);
  if (!handover?.sessionId) return false;
  await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: handover.ref, seenMessageId: Number(visitorMessageId) });
  return true;
}
