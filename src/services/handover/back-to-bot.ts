// `#282 /ai`: an agent gives the conversation back to the bot. Its sender is freed as a close
// frees it, the visitor is told a person handed them back to the assistant, the other agents of
// the conversation hear who did, and whoever waits in line for a free sender is connected.
import { agentText, visitorText } from '../../core/handover-text.js';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { AppContext } from '../context.js';
import { publishVisitorStatus } from '../widgets/visitor-outbound.js';
import { agentName } from '../agents/agents.js';
import { findSenderNumber, type Handover, sendToAgent } from './handovers.js';
import { tellCustomer } from './customer.js';
import { connectWaitingVisitors } from './request.js';

/** False when a person no longer had it (closed or given back meanwhile): then nothing changes. */
export async function handBackToBot(ctx: AppContext, handover: Handover, by: { agent: string; messageId: number }): Promise<boolean> {
  const { conversation } = handover;
  const now = ctx.clock.now().toISOString();
  const updated = await ctx.db
    .updateTable('conversations')
    .set({ status: 'bot', assigned_whatsapp_number: null, agent_number: null })
    .where('id', '=', conversation.id)
    .where('status', 'in', [...HUMAN_STATUSES])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await ctx.db
    .updateTable('handover_assignments')
    .set({ released_at: now })
    .where('conversation_id', '=', conversation.id)
    .where('released_at', 'is', null)
    .execute();

  const back = { ...conversation, status: 'bot', assigned_whatsapp_number: null, agent_number: null };
  await tellCustomer(ctx, back, { author: 'system', text: visitorText.backToAssistant, idempotencyKey: `handover-to-bot:${by.messageId}` });
  if (handover.sessionId) await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: conversation.ref, conversationStatus: 'bot' });
  await ctx.bus.publish({
    channel: `org:${conversation.organization_id}`,
    type: 'conversation',
    data: { id: conversation.id, ref: conversation.ref, status: 'bot' },
  });

  const sender = conversation.assigned_whatsapp_number
    ? await findSenderNumber(ctx.db, conversation.organization_id, conversation.assigned_whatsapp_number)
    : undefined;
  const others = handover.agents.filter((a) => a !== by.agent);
  if (sender && others.length > 0) {
    const name = await agentName(ctx.db, conversation.organization_id, by.agent);
    for (const other of others) {
      await sendToAgent(ctx, {
        sender,
        agent: other,
        organizationId: conversation.organization_id,
        conversationId: conversation.id,
        text: agentText.backToBotByOther(handover, name),
        idempotencyKey: `handover-to-bot:${by.messageId}:${other}`,
      });
    }
  }
  if (conversation.widget_id) await connectWaitingVisitors(ctx, conversation.widget_id);
  return true;
}
