// Closing a handover: by the agent (`#282 /close`), for inactivity, or from the inbox. The pool
// number is freed, both sides are told (a WhatsApp customer in their chat, if their 24-hour window
// is still open), the bot answers the customer's next message (a new conversation), and the next
// visitor waiting in line gets the free agent.
import { agentText, visitorText } from '../../core/handover-text.js';
import type { AppContext } from '../context.js';
import type { Db } from '../../db/database.js';
import { publishVisitorStatus } from '../widgets/visitor-outbound.js';
import { agentsOf, findSenderNumber, loadHandover, sendToAgent } from './handovers.js';
import { tellCustomer } from './customer.js';
import { connectWaitingVisitors } from './request.js';
import { releaseAssignment } from './senders.js';

export type CloseReason = { by: 'agent'; agent: string } | { by: 'inactivity' } | { by: 'inbox' };

/** Closes the conversation once; false when it was already closed (two sweepers, a double click). */
export async function closeHandover(ctx: AppContext, conversationId: string, reason: CloseReason): Promise<boolean> {
  const now = ctx.clock.now().toISOString();
  const before = await loadHandover(ctx, conversationId);
  const closed = await ctx.db
    .updateTable('conversations')
    .set({ status: 'closed', closed_at: now })
    .where('id', '=', conversationId)
    .where('status', '!=', 'closed')
    .executeTakeFirst();
  if (Number(closed.numUpdatedRows) === 0 || !before) return false;
  await releaseAssignment(ctx, conversationId);

  const { conversation, settings } = before;
  const minutes = settings.inactivityTimeoutMinutes;
  const closedConversation = { ...conversation, status: 'closed', closed_at: now };
  const visitorNote = reason.by === 'inactivity' ? visitorText.closedForInactivity(minutes) : visitorText.closedByAgent;
  await tellCustomer(ctx, closedConversation, { author: 'system', text: visitorNote, idempotencyKey: `handover-closed:${conversationId}` });
  if (before.sessionId) await publishVisitorStatus(ctx, before.sessionId, { conversationRef: conversation.ref, conversationStatus: 'closed' });
  await ctx.bus.publish({
    channel: `org:${conversation.organization_id}`,
    type: 'conversation',
    data: { id: conversation.id, ref: conversation.ref, status: 'closed' },
  });

  const sender = conversation.assigned_whatsapp_number
    ? await findSenderNumber(ctx.db, conversation.organization_id, conversation.assigned_whatsapp_number)
    : undefined;
  if (sender) {
    const agentNote = reason.by === 'inactivity' ? agentText.closedForInactivity(before, minutes) : agentText.closedByAgent(before);
    for (const agent of agentsOf(conversation, before)) {
      await sendToAgent(ctx, {
        sender,
        agent,
        organizationId: conversation.organization_id,
        conversationId: conversation.id,
        text: agentNote,
        idempotencyKey: `handover-closed:${conversationId}:${agent}`,
      });
    }
  }
  if (conversation.widget_id) await connectWaitingVisitors(ctx, conversation.widget_id);
  return true;
}

/**
 * Assignments still held by closed conversations. Read from the unreleased assignments
 * (handover_assignments_open_idx, migration 311, holds only those), each conversation looked up by
 * its key: a join would let the planner start from the year of closed conversations instead.
 */
export function staleAssignmentsQuery(db: Db) {
  return db
    .selectFrom('handover_assignments as a')
    .select(['a.id', 'a.widget_id'])
    .where('a.released_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('conversations as c').select('c.id').whereRef('c.id', '=', 'a.conversation_id').where('c.status', '=', 'closed')),
    );
}

/**
 * A conversation closed elsewhere (the inbox's close button) still holds its number: free it and
 * connect whoever waits for that widget's agents.
 */
export async function releaseClosedConversations(ctx: AppContext): Promise<number> {
  const stale = await staleAssignmentsQuery(ctx.db).execute();
  if (stale.length === 0) return 0;
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .updateTable('handover_assignments')
    .set({ released_at: now })
    .where(
      'id',
      'in',
      stale.map((a) => a.id),
    )
    .execute();
  for (const widgetId of new Set(stale.flatMap((a) => (a.widget_id ? [a.widget_id] : [])))) await connectWaitingVisitors(ctx, widgetId);
  return stale.length;
}
