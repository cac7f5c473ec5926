// The `inbound.react` job: what a stored inbound message leads to. Every step is safe to repeat
// (the job runs at least once): the window only moves forward, the contact and the open
// conversation are reused, and replies carry idempotency keys.
import { humanHasIt } from '../../core/status.js';
import type { Conversation, Message } from '../../db/schema.js';
import { replyToCustomer } from './auto-reply.js';
import type { AppContext } from '../context.js';
import type { ReactPayload } from '../../jobs/payloads.js';
import { openConversationFor, upsertWhatsappContact } from '../conversations/conversations.js';
import { handleAgentMessage } from '../handover/agent-replies.js';
import { forwardCustomerMessage } from '../handover/request.js';
import { askedForHandover } from '../handover/whatsapp.js';
import { handleAgentCommand } from '../agents/consent.js';
import { enqueueMediaCopy } from './media.js';
import { getMessage, publishMessage } from '../conversations/messages.js';
import { findNumberById } from '../numbers/lookup.js';
import { routeTrialMessage } from './trial.js';
import { keepUnroutedMessage } from './unrouted-messages.js';
import { countTowardPlan } from '../tenancy/plans.js';

export const REACT_JOB = 'inbound.react';

export async function reactToInbound(ctx: AppContext, payload: ReactPayload): Promise<void> {
  const message = await getMessage(ctx, payload.messageId);
  if (message?.direction !== 'in' || !message.number_id || !message.from_address) return;
  const number = await findNumberById(ctx, message.number_id);
  if (!number) return;
  // Every inbound message opens the sender's window on this number — agents' too: that is what
  // lets the handover sender write to them freely.
  await extendServiceWindow(ctx, number.id, message.from_address, message.created_at);
  await enqueueMediaCopy(ctx, message);

  // An agent's ACCEPT / STOP AGENT, then an active agent's reply to a handover — on the shared trial
  // number too, before join routing — then the customer's message.
  if ((await handleAgentCommand(ctx, message, number)) || (await handleAgentMessage(ctx, message, number))) {
    await markFromAgent(ctx, message);
    return;
  }
  let organizationId = message.organization_id;
  if (number.is_shared_trial) {
    organizationId = await routeTrialMessage(ctx, message, number);
    if (!organizationId) return;
  }
  // A platform number carries handovers only: a customer's message to it waits, unrouted, until the
  // number is assigned. Decided here, after the agent checks, because only they can tell an agent.
  if (!organizationId) {
    await keepUnroutedMessage(ctx, message, number, payload.profileName);
    return;
  }

  const from = message.from_address;
  const contact = await upsertWhatsappContact(ctx, organizationId, {
    ...(from.startsWith('+') ? { phone: from } : { externalId: from }),
    name: payload.profileName,
  });
  const conversation = await openConversationFor(ctx, { organizationId, contactId: contact.id, channel: 'whatsapp', numberId: number.id });
  const attached = await attachToConversation(ctx, message, conversation, organizationId);
  await publishMessage(ctx, attached);

  if (await isContentRepeat(ctx, attached)) return;
  // A human has it: the bot is silent and the agents get the message — unless this very message
  // asked for them and its job is running again (the handover then finishes what it began).
  if (humanHasIt(conversation.status) && !(await askedForHandover(ctx, attached))) {
    await forwardCustomerMessage(ctx, conversation, attached);
    return;
  }
  await replyToCustomer(ctx, conversation, attached);
}

/** The window runs from the contact's latest message; an older message (a late retry) never shortens it. */
export async function extendServiceWindow(ctx: AppContext, numberId: string, contactAddress: string, at: string): Promise<void> {
  await ctx.db
    .insertInto('service_windows')
    .values({ number_id: numberId, contact_address: contactAddress, last_inbound_at: at })
    .onConflict((oc) => oc.columns(['number_id', 'contact_address']).doUpdateSet({ last_inbound_at: at }).where('service_windows.last_inbound_at', '<', at))
    .execute();
}

/** The customer's message joins its conversation and counts toward the plan (once, however often this runs). */
async function attachToConversation(ctx: AppContext, message: Message, conversation: Conversation, organizationId: string): Promise<Message> {
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('messages').set({ conversation_id: conversation.id, organization_id: organizationId }).where('id', '=', message.id).execute();
    await countTowardPlan(trx, { id: message.id, organization_id: organizationId, created_at: message.created_at });
    await trx
      .updateTable('conversations')
      .set({ last_message_at: message.created_at })
      .where('id', '=', conversation.id)
      .where('last_message_at', '<', message.created_at)
      .execute();
  });
  return { ...message, conversation_id: conversation.id, organization_id: organizationId };
}

/** An agent's message (a command or a reply) is the organization's cost, never its customers' allowance (usage.ts). */
async function markFromAgent(ctx: AppContext, message: Message): Promise<void> {
  await ctx.db.updateTable('messages').set({ audience: 'agent' }).where('id', '=', message.id).execute();
}

/**
 * The per-organization content window (for gateways that resend with new ids): the same text from
 * the same sender to the same number within N seconds gets no second reaction.
 */
async function isContentRepeat(ctx: AppContext, message: Message): Promise<boolean> {
  if (!message.organization_id || message.body === null) return false;
  const org = await ctx.db.selectFrom('organizations').select('dedupe_window_seconds').where('id', '=', message.organization_id).executeTakeFirst();
  const seconds = org?.dedupe_window_seconds ?? 0;
  if (seconds <= 0) return false;
  const since = new Date(Date.parse(message.created_at) - seconds * 1000).toISOString();
  const earlier = await ctx.db
    .selectFrom('messages')
    .select('id')
    .where('organization_id', '=', message.organization_id)
    .where('number_id', '=', message.number_id)
    .where('from_address', '=', message.from_address)
    .where('direction', '=', 'in')
    .where('body', '=', message.body)
    .where('id', '<', message.id)
    .where('created_at', '>=', since)
    .executeTakeFirst();
  return earlier !== undefined;
}
