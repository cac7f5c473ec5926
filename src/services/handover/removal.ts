// Nobody is orphaned (SPEC §8): when an agent stops being active — removed, given a new number, or
// `STOP AGENT` from their phone — every open conversation that depended on them (claimed by them,
// or waiting on them alone) goes to the widget's other active agents as a new handover, or, with
// none, stays waiting in the inbox with nobody assigned and its visitor is told. The agent coming
// back later takes nothing back: the conversations no longer name them.
import { removalSummary, seatText } from '../../core/seat-text.js';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Agent } from '../../db/schema.js';
import { deleteAgent, getAgent, updateAgent } from '../agents/agents.js';
import type { AppContext } from '../context.js';
import { reassign } from './senders.js';
import { findSenderNumber, type Handover, loadHandover, loadHandovers } from './handovers.js';
import { tellCustomer } from './customer.js';
import { notifyAgents } from './notify.js';

export interface RemovalEffect {
  /** conversations other agents were asked to take: `to` names them */
  handedOff: Array<{ ref: number; to: string[] }>;
  /** conversations left waiting in the inbox for the next agent (nobody else could take them) */
  waiting: number[];
  /** the effect in one sentence ("Rosa answers 8 open chats: they go to Ben and Ana.") */
  summary: string;
}

interface Dependent {
  handover: Handover;
  /** the other active agents who take it over */
  others: string[];
}

/** The open conversations of the organization that depend on this agent, and who else can take each. */
async function dependentsOf(ctx: AppContext, organizationId: string, agentNumber: string): Promise<Dependent[]> {
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('status', 'in', [...HUMAN_STATUSES])
    .where((eb) => eb.or([eb('agent_number', '=', agentNumber), eb('agent_number', 'is', null)]))
    .orderBy('ref')
    .execute();
  const handovers = await loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
  return handovers.flatMap((handover) => {
    const { conversation, agents } = handover;
    const others = agents.filter((a) => a !== agentNumber);
    // Waiting on several agents: the others were notified already and lose nothing.
    if (conversation.agent_number !== agentNumber && !(agents.length === 1 && agents[0] === agentNumber)) return [];
    return [{ handover, others }];
  });
}

async function namesOf(ctx: AppContext, organizationId: string, numbers: string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('agents')
    .select(['number', 'name'])
    .where('organization_id', '=', organizationId)
    .where('number', 'in', numbers)
    .execute();
  return new Map(rows.map((r) => [r.number, r.name]));
}

function effectOf(agentName: string, handedOff: RemovalEffect['handedOff'], waiting: number[]): RemovalEffect {
  return { handedOff, waiting, summary: removalSummary(agentName, handedOff, waiting.length) };
}

/** What removing (or stopping) this agent would do, changing nothing: the dashboard confirms it first. */
export async function previewRemoval(ctx: AppContext, organizationId: string, agent: { name: string; number: string }): Promise<RemovalEffect> {
  const dependents = await dependentsOf(ctx, organizationId, agent.number);
  const names = await namesOf(
    ctx,
    organizationId,
    dependents.flatMap((d) => d.others),
  );
  const handedOff = dependents.filter((d) => d.others.length > 0).map((d) => ({ ref: d.handover.ref, to: d.others.map((n) => names.get(n) ?? n) }));
  const waiting = dependents.filter((d) => d.others.length === 0).map((d) => d.handover.ref);
  return effectOf(agent.name, handedOff, waiting);
}

/**
 * Runs `leave` (the change that makes the agent no longer active: deleting, renumbering, stopping)
 * and then hands their conversations on. The dependents are found before the change, while the
 * agent still counts as one of each conversation's agents.
 */
export async function handOffAfter<T>(
  ctx: AppContext,
  organizationId: string,
  agent: { name: string; number: string },
  leave: () => Promise<T>,
): Promise<{ result: T; effect: RemovalEffect }> {
  const dependents = await dependentsOf(ctx, organizationId, agent.number);
  const result = await leave();
  const handedOff: RemovalEffect['handedOff'] = [];
  const waiting: number[] = [];
  for (const dependent of dependents) {
    const to = await handOff(ctx, dependent, agent.number);
    if (to === undefined) continue;
    if (to.length > 0) handedOff.push({ ref: dependent.handover.ref, to });
    else waiting.push(dependent.handover.ref);
  }
  if (dependents.length > 0) ctx.log.info({ organizationId, handedOff: handedOff.length, waiting: waiting.length }, 'agent left: conversations handed on');
  return { result, effect: effectOf(agent.name, handedOff, waiting) };
}

/**
 * One conversation: nobody holds it any more; the others are notified as for a new handover (a new
 * assignment on the same sender, so notification keys are new). Answers the names of the agents
 * reached, [] when it waits for whoever comes next, undefined when someone else took it meanwhile.
 */
async function handOff(ctx: AppContext, { handover, others }: Dependent, leaving: string): Promise<string[] | undefined> {
  const { conversation } = handover;
  const released = await ctx.db
    .updateTable('conversations')
    .set({ status: 'waiting_agent', agent_number: null })
    .where('id', '=', conversation.id)
    .where('status', 'in', [...HUMAN_STATUSES])
    .where((eb) => eb.or([eb('agent_number', '=', leaving), eb('agent_number', 'is', null)]))
    .executeTakeFirst();
  if (Number(released.numUpdatedRows) === 0) return undefined;
  const phone = conversation.assigned_whatsapp_number;
  const sender = phone ? await findSenderNumber(ctx.db, conversation.organization_id, phone) : undefined;
  let reached: string[] = [];
  if (others.length > 0 && !phone) {
    // Still in line for a free sender: the others get it when one frees up, as any visitor in line.
    reached = others;
  } else if (others.length > 0 && phone && sender) {
    const assignmentId = await reassign(ctx, conversation, phone);
    const fresh = (await loadHandover(ctx, conversation.id))!;
    if (await notifyAgents(ctx, fresh, { number: sender, phone, agents: others, assignmentId })) reached = others;
  }
  const names = await namesOf(ctx, conversation.organization_id, reached);
  await tellCustomer(
    ctx,
    { ...conversation, status: 'waiting_agent', agent_number: null },
    {
      author: 'system',
      text: reached.length > 0 ? seatText.agentLeftHandedOff : seatText.agentLeftWaiting,
      idempotencyKey: `agent-left:${conversation.id}:${ctx.clock.now().toISOString()}`,
    },
  );
  return reached.map((n) => names.get(n) ?? n);
}

/** `DELETE …/agents/:agentId`: the agent leaves, and their open conversations go on without them. */
export async function removeAgent(ctx: AppContext, organizationId: string, agentId: string): Promise<RemovalEffect> {
  const agent = await getAgent(ctx, organizationId, agentId);
  return (await handOffAfter(ctx, organizationId, agent, () => deleteAgent(ctx, organizationId, agentId))).effect;
}

/** `PATCH …/agents/:agentId`: a new number is invited again, so an active agent's conversations go on without them. */
export async function changeAgent(
  ctx: AppContext,
  organizationId: string,
  agentId: string,
  patch: { name?: string; number?: string },
): Promise<{ agent: Agent; effect?: RemovalEffect }> {
  const agent = await getAgent(ctx, organizationId, agentId);
  const leaves = agent.status === 'active' && patch.number !== undefined && patch.number !== agent.number;
  if (!leaves) return { agent: await updateAgent(ctx, organizationId, agentId, patch) };
  const { result, effect } = await handOffAfter(ctx, organizationId, agent, () => updateAgent(ctx, organizationId, agentId, patch));
  return { agent: result, effect };
}
