// A WhatsApp customer asks for a person (SPEC §7: they reply `human`): the organization's active
// agents are notified on WhatsApp exactly as for a website visitor (the same notification, the same
// reply rules, claimed by the first to answer), and from then on the customer's messages are
// forwarded to them and the bot stays silent until the conversation closes.
import { chooseSender } from '../../core/pool.js';
import { humanHasIt } from '../../core/status.js';
import type { Conversation, Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { findNumberById } from '../numbers/lookup.js';
import { activeAgentsByOrganization, findSenderNumber, loadHandover } from './handovers.js';
import { type AgentSender, notifyAgents } from './notify.js';
import { openWindows, organizationSenders, type Sender } from './windows.js';

/**
 * `connected`: agents were notified (or were already, by an earlier message); `no_agents`: the
 * organization has no active agent (or no number to write from), nothing was sent and the bot keeps
 * the conversation; `unreachable`: no agent can be written to now, the customer waits for one.
 */
export type CustomerHandover = 'connected' | 'no_agents' | 'unreachable';

/** Safe to run again for the same message (the job runs at least once): it resumes, never notifies twice. */
export async function handOverWhatsappCustomer(ctx: AppContext, conversation: Conversation, inbound: Message): Promise<CustomerHandover> {
  const agents = (await activeAgentsByOrganization(ctx.db, [conversation.organization_id])).get(conversation.organization_id) ?? [];
  if (agents.length === 0) return 'no_agents';
  const sender = await chooseCustomerSender(ctx, conversation, agents);
  if (!sender) {
    ctx.log.warn({ conversationId: conversation.id }, 'no number with a phone number can write to the agents; the customer is told no one can be reached');
    return 'no_agents';
  }
  // Keyed by the message that asked: a retried job finds its own claim and finishes it.
  const claim = await claimForCustomer(ctx, conversation, sender, agents, assignmentIdOf(inbound.id));
  if (claim === 'earlier') return 'connected';
  if (claim === 'released') return 'no_agents';
  const handover = (await loadHandover(ctx, conversation.id))!;
  const reached = await notifyAgents(ctx, handover, claim);
  // Reached or not, the customer waits for a person, listed in the inbox (never handed back to the bot).
  await ctx.bus.publish({
    channel: `org:${conversation.organization_id}`,
    type: 'conversation',
    data: { id: conversation.id, ref: conversation.ref, status: 'waiting_agent' },
  });
  return reached ? 'connected' : 'unreachable';
}

const assignmentIdOf = (messageId: number) => `whatsapp:${messageId}`;

/** True when this message is the one that handed its conversation over (a retried job finishes that, rather than forward it). */
export async function askedForHandover(ctx: AppContext, message: Message): Promise<boolean> {
  const row = await ctx.db.selectFrom('handover_assignments').select('id').where('id', '=', assignmentIdOf(message.id)).executeTakeFirst();
  return row !== undefined;
}

/**
 * The number that writes to the agents (SPEC §8 "Choosing the sender", with core/pool.ts's one
 * chooser): the one the customer wrote to, so the agents see the business they know, else the
 * organization's other numbers, then the platform's default sender — the one whose windows are
 * open with more agents first (each agent's path is then chosen in notify.ts). Load is not
 * weighed: any of them carries a customer's handover as well as another.
 */
async function chooseCustomerSender(ctx: AppContext, conversation: Conversation, agents: string[]): Promise<Sender | undefined> {
  const customers = conversation.number_id ? await findNumberById(ctx, conversation.number_id) : undefined;
  const seen = new Set<string>();
  const candidates = [customers, ...(await organizationSenders(ctx, conversation.organization_id))].filter((n): n is Sender => {
    if (!n?.phone_number || seen.has(n.id)) return false;
    seen.add(n.id);
    return true;
  });
  const windows = await openWindows(ctx.db, ctx.clock.now(), candidates, agents);
  const chosen = chooseSender(
    candidates.map((row, position) => ({
      row,
      number: row.phone_number,
      position,
      openWithAgents: 0,
      freeAgents: agents.length,
      openConversations: 0,
      assignments24h: 0,
      openWindows: windows.get(row.id)!.size,
    })),
  );
  return chosen?.row;
}

/**
 * Hands the conversation over on this sender, atomically: only a conversation the bot has is
 * taken (`earlier`: another message asked first; `released`: it was closed meanwhile). A claim of
 * this same message found again is resumed, or `released` when it was already given back or closed.
 */
async function claimForCustomer(
  ctx: AppContext,
  conversation: Conversation,
  sender: NumberRow & { phone_number: string },
  agents: string[],
  assignmentId: string,
): Promise<AgentSender | 'earlier' | 'released'> {
  return ctx.db.transaction().execute(async (trx) => {
    const mine = await trx.selectFrom('handover_assignments').selectAll().where('id', '=', assignmentId).executeTakeFirst();
    if (mine) {
      if (mine.released_at) return 'released';
      const number = mine.number === sender.phone_number ? sender : await findSenderNumber(trx, conversation.organization_id, mine.number);
      return number ? { number, phone: mine.number, agents, assignmentId } : 'released';
    }
    const now = ctx.clock.now().toISOString();
    const taken = await trx
      .updateTable('conversations')
      .set({ status: 'waiting_agent', assigned_whatsapp_number: sender.phone_number, agent_number: null, handed_over_at: now })
      .where('id', '=', conversation.id)
      .where('status', '=', 'bot')
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) {
      // Closed meanwhile (from the inbox): nobody will answer this conversation.
      const now = await trx.selectFrom('conversations').select('status').where('id', '=', conversation.id).executeTakeFirst();
      return now && humanHasIt(now.status) ? 'earlier' : 'released';
    }
    await trx
      .insertInto('handover_assignments')
      .values({ id: assignmentId, conversation_id: conversation.id, widget_id: null, number: sender.phone_number, assigned_at: now, released_at: null })
      .execute();
    return { number: sender, phone: sender.phone_number, agents, assignmentId };
  });
}
