// An organization's agents: people who answer handed-over chats from their own WhatsApp. A listed
// number is only `invited` until its owner sends `ACCEPT <code>` from that phone, so an
// organization cannot make the platform write to a stranger (SPEC §8 Agents).
import { randomBytes, randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../core/errors.js';
import { isUniqueViolation, type Db } from '../../db/database.js';
import type { Agent } from '../../db/schema.js';
import type { AppContext } from '../context.js';

export type AgentStatus = 'invited' | 'active' | 'stopped';

export interface AgentJson {
  id: string;
  name: string;
  number: string;
  status: AgentStatus;
  createdAt: string;
  acceptedAt: string | null;
}

export function agentJson(a: Agent): AgentJson {
  return { id: a.id, name: a.name, number: a.number, status: a.status as AgentStatus, createdAt: a.created_at, acceptedAt: a.accepted_at };
}

export async function listAgents(ctx: AppContext, organizationId: string): Promise<Agent[]> {
  return ctx.db.selectFrom('agents').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('number').execute();
}

export async function addAgent(ctx: AppContext, organizationId: string, input: { name: string; number: string }): Promise<Agent> {
  const agent: Agent = {
    id: randomUUID(),
    organization_id: organizationId,
    name: input.name.trim() || input.number,
    number: input.number,
    status: 'invited',
    created_at: ctx.clock.now().toISOString(),
    accepted_at: null,
  };
  try {
    await ctx.db.insertInto('agents').values(agent).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`${input.number} is already one of this organization's agents.`, 'AGENT_EXISTS');
    throw err;
  }
  return agent;
}

export async function getAgent(ctx: AppContext, organizationId: string, agentId: string): Promise<Agent> {
  const agent = await ctx.db.selectFrom('agents').selectAll().where('id', '=', agentId).where('organization_id', '=', organizationId).executeTakeFirst();
  if (!agent) throw notFound('Agent');
  return agent;
}

/** A new number is another person's phone: it is invited again, whatever the old one was. */
export async function updateAgent(ctx: AppContext, organizationId: string, agentId: string, patch: { name?: string; number?: string }): Promise<Agent> {
  const agent = await getAgent(ctx, organizationId, agentId);
  const renumbered = patch.number !== undefined && patch.number !== agent.number;
  const values = {
    name: patch.name?.trim() || agent.name,
    ...(renumbered ? { number: patch.number!, status: 'invited', accepted_at: null } : {}),
  };
  try {
    await ctx.db.updateTable('agents').set(values).where('id', '=', agent.id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`${patch.number} is already one of this organization's agents.`, 'AGENT_EXISTS');
    throw err;
  }
  if (renumbered) await renameInWidgets(ctx, organizationId, agent.number, patch.number!);
  return { ...agent, ...values };
}

/** The agent leaves the organization and every widget that listed them. */
export async function deleteAgent(ctx: AppContext, organizationId: string, agentId: string): Promise<void> {
  const agent = await getAgent(ctx, organizationId, agentId);
  await ctx.db.deleteFrom('agents').where('id', '=', agent.id).execute();
  await renameInWidgets(ctx, organizationId, agent.number, null);
}

/** Replaces (or, with null, removes) a number in the agent lists of the organization's widgets. */
async function renameInWidgets(ctx: AppContext, organizationId: string, from: string, to: string | null): Promise<void> {
  const widgets = await ctx.db.selectFrom('widgets').select(['id', 'settings']).where('organization_id', '=', organizationId).execute();
  for (const w of widgets) {
    const settings = JSON.parse(w.settings) as { agentWhatsappNumbers?: string[] };
    const listed = settings.agentWhatsappNumbers ?? [];
    if (!listed.includes(from)) continue;
    const next = [...new Set(listed.flatMap((n) => (n === from ? (to ? [to] : []) : [n])))];
    await ctx.db
      .updateTable('widgets')
      .set({ settings: JSON.stringify({ ...settings, agentWhatsappNumbers: next }) })
      .where('id', '=', w.id)
      .execute();
  }
}

/** Numbers a widget lists become agents of its organization (named by their number), invited. */
export async function ensureAgents(db: Db, organizationId: string, numbers: string[], now: string): Promise<void> {
  if (numbers.length === 0) return;
  await db
    .insertInto('agents')
    .values(
      numbers.map((number) => ({
        id: randomUUID(),
        organization_id: organizationId,
        name: number,
        number,
        status: 'invited',
        created_at: now,
        accepted_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['organization_id', 'number']).doNothing())
    .execute();
}

/** The listed numbers, each with its agent (an unknown one is shown invited, named by its number). */
export async function agentsFor(db: Db, organizationId: string, numbers: string[]): Promise<Array<{ number: string; name: string; status: AgentStatus }>> {
  const rows = numbers.length
    ? await db.selectFrom('agents').selectAll().where('organization_id', '=', organizationId).where('number', 'in', numbers).execute()
    : [];
  return numbers.map((number) => {
    const row = rows.find((r) => r.number === number);
    return { number, name: row?.name ?? number, status: (row?.status ?? 'invited') as AgentStatus };
  });
}

/** Of these listed numbers, the agents who accepted: the only ones notified, the only ones who reach visitors. */
export async function activeAgentNumbers(db: Db, organizationId: string, numbers: string[]): Promise<string[]> {
  return (await agentsFor(db, organizationId, numbers)).filter((a) => a.status === 'active').map((a) => a.number);
}

/** How visitors and other agents see an agent: by name, never by number (the number when the agent has no name). */
export async function agentName(db: Db, organizationId: string, number: string): Promise<string> {
  const row = await db.selectFrom('agents').select('name').where('organization_id', '=', organizationId).where('number', '=', number).executeTakeFirst();
  return row?.name ?? number;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newAgentCode(): string {
  return [...randomBytes(6)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** The organization's `ACCEPT <code>` code, drawn the first time it is needed. */
export async function agentCode(ctx: AppContext, organizationId: string): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const row = await ctx.db.selectFrom('organizations').select('agent_code').where('id', '=', organizationId).executeTakeFirst();
    if (!row) throw notFound('Organization');
    if (row.agent_code) return row.agent_code;
    try {
      await ctx.db.updateTable('organizations').set({ agent_code: newAgentCode() }).where('id', '=', organizationId).where('agent_code', 'is', null).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  throw new Error('no free agent code after 10 draws');
}

/** What an agent sends, and where to, to accept: `{code, sendTo, text}`; sendTo null when the organization has no sender yet. */
export async function agentInvitation(ctx: AppContext, organizationId: string, sendTo: string | null) {
  const code = await agentCode(ctx, organizationId);
  return { code, sendTo, text: `ACCEPT ${code}` };
}
