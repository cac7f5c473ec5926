// What the inbox shows of a conversation waiting for an agent (SPEC §8): "no agent reached yet",
// and for each agent the last path tried and, when it did not reach them, why.
import type { AppContext } from '../context.js';
import type { WaitingJson } from '../conversations/conversations.js';

const PATH_ORDER = ['free_form', 'template', 'other_sender', 'skipped'];

export async function waitingOutcomes(ctx: AppContext, conversationIds: string[]): Promise<Map<string, WaitingJson>> {
  const outcomes = new Map<string, WaitingJson>();
  if (conversationIds.length === 0) return outcomes;
  const rows = await ctx.db
    .selectFrom('handover_notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversation_id')
    .leftJoin('messages as m', 'm.id', 'n.message_id')
    .leftJoin('agents as a', (join) => join.onRef('a.organization_id', '=', 'c.organization_id').onRef('a.number', '=', 'n.agent_number'))
    .select(['n.conversation_id', 'n.agent_number', 'n.path', 'n.sender', 'n.reason', 'n.failed_at', 'n.created_at', 'm.status', 'm.send_error', 'a.name'])
    .where('n.conversation_id', 'in', conversationIds)
    .execute();
  // The latest path of each agent (paths are tried in order; skipped comes last).
  rows.sort((x, y) => x.created_at.localeCompare(y.created_at) || PATH_ORDER.indexOf(x.path) - PATH_ORDER.indexOf(y.path));
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) latest.set(`${r.conversation_id}\u0000${r.agent_number}`, r);
  for (const r of latest.values()) {
    const failed = r.failed_at !== null || r.status === 'failed';
    const reached = r.path !== 'skipped' && !failed;
    const waiting = outcomes.get(r.conversation_id) ?? { agentReached: false, agents: [] };
    waiting.agents.push({
      number: r.agent_number,
      name: r.name,
      path: r.path,
      sender: r.sender,
      reached,
      reason: reached ? null : (r.reason ?? r.send_error ?? 'The notification failed.'),
    });
    waiting.agentReached ||= reached;
    outcomes.set(r.conversation_id, waiting);
  }
  for (const waiting of outcomes.values()) waiting.agents.sort((x, y) => x.number.localeCompare(y.number));
  return outcomes;
}
