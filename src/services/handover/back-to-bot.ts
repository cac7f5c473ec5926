// `#282 /ai`: an agent gives the conversation back to the bot. Its sender is freed as a close
// frees it, the visitor is told a person handed them back to the assistant, the other agents of
// the conversation hear who did, and whoever waits in line for a free sender is connected.
import { agentText, visitorText } from '../../core/handover-text.js';
import type { AppContext } from '../context.js';
import { agentName } from '../agents/agents.js';
import { findSenderNumber, type Handover, sendToAgent } from './handovers.js';
import { tellCustomer } from './customer.js';
import { connectWaitingVisitors, giveBackToBot } from './request.js';

/** False when a person no longer had it (closed or given back meanwhile): then nothing changes (giveBackToBot). */
export async function handBackToBot(ctx: AppContext, handover: Handover, by: { agent: string; messageId: number }): Promise<boolean> {
  const { conversation } = handover;
  if (!(await giveBackToBot(ctx, conversation))) return false;
  const back = { ...conversation, status: 'bot', assigned_whatsapp_number: null, agent_number: null };
  await tellCustomer(ctx, back, { author: 'system', text: visitorText.backToAssistant, idempotencyKey: `handover-to-bot:${by.messageId}` });

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
