// Escalation (SPEC §8 "Reaching an agent"): a handover nobody has claimed after the widget's
// `agentResponseMinutes` (default 3; a WhatsApp customer's handover has the default) is told to the
// organization's other active agents too, by the same path rules, and the visitor learns that the
// team was alerted and may leave a way to be reached. Run by the handover sweep; once per
// conversation, whichever instance's sweep gets there first.
import { visitorText } from '../../core/handover-text.js';
import type { Db } from '../../db/database.js';
import type { AppContext } from '../context.js';
import { activeAgentsByOrganization, findSenderNumber, loadHandover } from './handovers.js';
import { tellCustomer } from './customer.js';
import { anyAgentReachable, notifyAgents } from './notify.js';

const MINUTE_MS = 60_000;
/** The smallest `agentResponseMinutes`: nothing younger than this is even looked at. */
const SHORTEST_MS = MINUTE_MS;

/** Handovers waiting since `before` and never escalated; conversations_waiting_idx: (status, escalated_at, handed_over_at). */
export function unclaimedHandoversQuery(db: Db, before: string) {
  return (
    db
      .selectFrom('conversations')
      .select(['id', 'handed_over_at'])
      .where('status', '=', 'waiting_agent')
      .where('escalated_at', 'is', null)
      .where('handed_over_at', '<=', before)
      .where('agent_number', 'is', null)
      // In line for a free sender (one chat per agent): nobody was asked yet.
      .where('assigned_whatsapp_number', 'is not', null)
  );
}

export async function escalateUnclaimedHandovers(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const waiting = await unclaimedHandoversQuery(ctx.db, new Date(now.getTime() - SHORTEST_MS).toISOString()).execute();
  let escalated = 0;
  for (const row of waiting) {
    const handover = await loadHandover(ctx, row.id);
    if (!handover) continue;
    if (now.getTime() - Date.parse(row.handed_over_at!) < handover.settings.agentResponseMinutes * MINUTE_MS) continue;
    const taken = await ctx.db
      .updateTable('conversations')
      .set({ escalated_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('escalated_at', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) continue;
    const { conversation } = handover;
    const assignment = await ctx.db
      .selectFrom('handover_assignments')
      .select(['id', 'number'])
      .where('conversation_id', '=', conversation.id)
      .where('released_at', 'is', null)
      .orderBy('assigned_at', 'desc')
      .executeTakeFirst();
    const number = assignment ? await findSenderNumber(ctx.db, conversation.organization_id, assignment.number) : undefined;
    if (!assignment || !number) continue;
    const asked = await ctx.db.selectFrom('handover_notifications').select('agent_number').where('conversation_id', '=', conversation.id).execute();
    const already = new Set([...handover.agents, ...asked.map((a) => a.agent_number)]);
    const others = ((await activeAgentsByOrganization(ctx.db, [conversation.organization_id])).get(conversation.organization_id) ?? []).filter(
      (a) => !already.has(a),
    );
    if (others.length > 0) await notifyAgents(ctx, handover, { number, phone: assignment.number, agents: others, assignmentId: assignment.id }, others);
    // A WhatsApp customer's handover already went to every agent: with nobody new, nothing new to say.
    const alerted = others.length > 0 || conversation.channel === 'widget';
    if (alerted && (await anyAgentReachable(ctx, conversation.id))) {
      await tellCustomer(ctx, conversation, { author: 'system', text: visitorText.teamAlerted, idempotencyKey: `handover-escalated:${conversation.id}` });
    }
    escalated++;
  }
  return escalated;
}
