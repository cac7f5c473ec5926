// Which business number carries a handover to the agents (SPEC §8 "Choosing the sender"), chosen
// and claimed in one transaction so two visitors asking at the same instant never get the same
// free number: PostgreSQL locks the widget row; SQLite has one writer, which serializes the rest.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { unavailable } from '../../core/errors.js';
import { chooseSender, freeSenders, type PoolCandidate } from '../../core/pool.js';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Tx } from '../../db/database.js';
import type { Conversation, NumberRow, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import type { WidgetSettings } from '../widgets/settings.js';
import { findSenderNumber, involvedAgents } from './handovers.js';
import { activeAgentNumbers } from '../agents/agents.js';
import { platformDefaultSender } from '../numbers/usable.js';
import { openWindows } from './windows.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export type SenderClaim =
  /** the conversation now waits for `agents` on `number` */
  | { kind: 'assigned'; number: NumberRow; phone: string; pool: boolean; agents: string[]; assignmentId: string; conversation: Conversation }
  /** one chat per agent and every sender is busy: the conversation waits in line (`already`: it was waiting before) */
  | { kind: 'queued'; conversation: Conversation; already: boolean }
  /** someone else handed it over first (a second click, a second tab) */
  | { kind: 'unchanged'; conversation: Conversation };

/**
 * Chooses the sender for a conversation and claims it, or queues the conversation. Throws a 503
 * with a sentence when no number can carry it.
 */
export async function claimSender(ctx: AppContext, widget: Widget, settings: WidgetSettings, conversationId: string): Promise<SenderClaim> {
  return ctx.db.transaction().execute(async (trx) => {
    if (ctx.database.dialect === 'postgres') {
      await sql`select id from widgets where id = ${widget.id} for update`.execute(trx);
    }
    const conversation = await trx.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
    if (conversation.assigned_whatsapp_number || conversation.status === 'agent' || conversation.status === 'closed') {
      return { kind: 'unchanged', conversation };
    }
    const now = ctx.clock.now().toISOString();
    const choice = await chooseFor(ctx, trx, widget, settings);
    if (!choice) {
      const already = conversation.status === 'waiting_agent';
      const queued = { status: 'waiting_agent', handed_over_at: already ? conversation.handed_over_at : now };
      await trx.updateTable('conversations').set(queued).where('id', '=', conversation.id).execute();
      return { kind: 'queued', conversation: { ...conversation, ...queued }, already };
    }
    const assignmentId = randomUUID();
    const assigned = { status: 'waiting_agent', assigned_whatsapp_number: choice.phone, agent_number: null, handed_over_at: now };
    await trx.updateTable('conversations').set(assigned).where('id', '=', conversation.id).execute();
    await trx
      .insertInto('handover_assignments')
      .values({ id: assignmentId, conversation_id: conversation.id, widget_id: widget.id, number: choice.phone, assigned_at: now, released_at: null })
      .execute();
    return { kind: 'assigned', ...choice, assignmentId, conversation: { ...conversation, ...assigned } };
  });
}

type Choice = { number: NumberRow; phone: string; pool: boolean; agents: string[] };

async function chooseFor(ctx: AppContext, trx: Tx, widget: Widget, settings: WidgetSettings): Promise<Choice | undefined> {
  // Only agents who accepted are reached (SPEC §8 Agents).
  const agents = await activeAgentNumbers(trx, widget.organization_id, settings.agentWhatsappNumbers);
  const oneChatEach = !settings.enableMultipleWhatsappChats;
  const pool = await trx
    .selectFrom('pool_numbers')
    .select(['number', 'position'])
    .where('widget_id', '=', widget.id)
    .where('is_active', '=', 1)
    .orderBy('position')
    .execute();
  if (pool.length > 0) {
    const sendable: Array<{ number: NumberRow; phone: string; position: number }> = [];
    for (const p of pool) {
      const number = await findSenderNumber(trx, widget.organization_id, p.number);
      if (number) sendable.push({ number, phone: p.number, position: p.position });
      else ctx.log.warn({ widgetId: widget.id, number: p.number }, 'pool number is not a number this organization can send from');
    }
    if (sendable.length === 0) {
      throw unavailable(
        `No agent can be reached: the pool numbers (${pool.map((p) => p.number).join(', ')}) are not WhatsApp numbers this organization can send from.`,
        'UNKNOWN_SENDER',
      );
    }
    const candidates = await loadCandidates(ctx, trx, sendable, agents);
    const chosen = chooseSender(oneChatEach ? freeSenders(candidates) : candidates);
    if (!chosen) return undefined;
    return { number: chosen.row, phone: chosen.number, pool: true, agents: oneChatEach ? chosen.free : agents };
  }
  const single = await fallbackSender(ctx, trx, widget, settings);
  if (!oneChatEach) return { ...single, pool: false, agents };
  const [load] = await loadCandidates(ctx, trx, [{ ...single, position: 0 }], agents);
  return load!.free.length > 0 ? { ...single, pool: false, agents: load!.free } : undefined;
}

/** No pool: the widget's handover number, else the organization's own number, else the platform's default sender. */
async function fallbackSender(ctx: AppContext, trx: Tx, widget: Widget, settings: WidgetSettings): Promise<{ number: NumberRow; phone: string }> {
  if (settings.handoverWhatsappNumber) {
    const number = await findSenderNumber(trx, widget.organization_id, settings.handoverWhatsappNumber);
    if (!number) {
      throw unavailable(
        `No agent can be reached: the handover number ${settings.handoverWhatsappNumber} is not a WhatsApp number this organization can send from.`,
        'UNKNOWN_SENDER',
      );
    }
    return { number, phone: settings.handoverWhatsappNumber };
  }
  const own = await trx
    .selectFrom('numbers')
    .selectAll()
    .where('organization_id', '=', widget.organization_id)
    .where('is_shared_trial', '=', 0)
    .where('phone_number', 'is not', null)
    .orderBy('created_at')
    .executeTakeFirst();
  const number = own ?? (await platformDefaultSender(trx, ctx.config));
  if (!number?.phone_number) {
    throw unavailable(
      'No agent can be reached right now: this chat has no WhatsApp number to reach agents from (no pool, no handover number, no number of the organization).',
      'NO_HANDOVER_NUMBER',
    );
  }
  return { number, phone: number.phone_number };
}

type Candidate = PoolCandidate & { row: NumberRow; free: string[] };

/** How loaded each sender is, now and today, and which of these agents it leaves free. */
async function loadCandidates(
  ctx: AppContext,
  trx: Tx,
  senders: Array<{ number: NumberRow; phone: string; position: number }>,
  agents: string[],
): Promise<Candidate[]> {
  const phones = senders.map((s) => s.phone);
  const open = await trx
    .selectFrom('conversations as c')
    .leftJoin('widgets as w', 'w.id', 'c.widget_id')
    .select(['c.assigned_whatsapp_number as number', 'c.organization_id', 'c.agent_number', 'w.settings'])
    .where('c.status', 'in', [...HUMAN_STATUSES])
    .where('c.assigned_whatsapp_number', 'in', phones)
    .execute();
  const since = new Date(ctx.clock.now().getTime() - DAY_MS).toISOString();
  const recent = await trx
    .selectFrom('handover_assignments')
    .select(['number', (eb) => eb.fn.countAll<number>().as('count')])
    .where('number', 'in', phones)
    .where('assigned_at', '>=', since)
    .groupBy('number')
    .execute();
  const involved = await involvedAgents(trx, open);
  const windows = await openWindows(
    trx,
    ctx.clock.now(),
    senders.map((s) => s.number),
    agents,
  );
  return senders.map((s) => {
    const carried = open.flatMap((c, i) => (c.number === s.phone ? [involved[i]!] : []));
    const withAgents = carried.filter((people) => people.some((a) => agents.includes(a)));
    const busy = new Set(withAgents.flat());
    const free = agents.filter((a) => !busy.has(a));
    return {
      number: s.phone,
      position: s.position,
      row: s.number,
      free,
      openWithAgents: withAgents.length,
      freeAgents: free.length,
      openConversations: carried.length,
      assignments24h: Number(recent.find((r) => r.number === s.phone)?.count ?? 0),
      openWindows: windows.get(s.number.id)!.size,
    };
  });
}

/** Ends the conversation's open assignment: its number no longer counts it (pool choice, number stats). */
export async function releaseAssignment(ctx: AppContext, conversationId: string): Promise<void> {
  await ctx.db
    .updateTable('handover_assignments')
    .set({ released_at: ctx.clock.now().toISOString() })
    .where('conversation_id', '=', conversationId)
    .where('released_at', 'is', null)
    .execute();
}

/**
 * The conversation goes on from `phone` under a new assignment (a new round of notifications, or
 * an agent who took it from another sender); returns the new assignment's id.
 */
export async function reassign(ctx: AppContext, conversation: Pick<Conversation, 'id' | 'widget_id'>, phone: string): Promise<string> {
  await releaseAssignment(ctx, conversation.id);
  const id = randomUUID();
  await ctx.db
    .insertInto('handover_assignments')
    .values({
      id,
      conversation_id: conversation.id,
      widget_id: conversation.widget_id,
      number: phone,
      assigned_at: ctx.clock.now().toISOString(),
      released_at: null,
    })
    .execute();
  return id;
}
