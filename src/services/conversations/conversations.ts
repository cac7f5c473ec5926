// Contacts and conversations: one contact per person per organization, one open conversation per
// contact and channel (and business number), each with a short per-organization reference (#282).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { notFound } from '../../core/errors.js';
import { visitorLabel } from '../../core/handover-text.js';
import type { Db } from '../../db/database.js';
import type { Contact, Conversation } from '../../db/schema.js';
import type { AppContext } from '../context.js';

export const OPEN_STATUSES = ['bot', 'waiting_agent', 'agent'] as const;

/** The contact for a WhatsApp sender (E.164 or an external id such as a username); the profile name is kept fresh. */
export async function upsertWhatsappContact(
  ctx: AppContext,
  organizationId: string,
  who: { phone?: string; externalId?: string; name?: string },
): Promise<Contact> {
  const column = who.phone ? 'phone' : 'external_id';
  const value = who.phone ?? who.externalId;
  if (!value) throw new Error('A contact needs a phone number or an external id.');
  await ctx.db
    .insertInto('contacts')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      kind: 'whatsapp',
      phone: who.phone ?? null,
      external_id: who.phone ? null : value,
      name: who.name ?? null,
      email: null,
      created_at: ctx.clock.now().toISOString(),
    })
    .onConflict((oc) => oc.columns(['organization_id', column]).doNothing())
    .execute();
  const contact = await ctx.db
    .selectFrom('contacts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(column, '=', value)
    .executeTakeFirstOrThrow();
  if (who.name && contact.name !== who.name) {
    await ctx.db.updateTable('contacts').set({ name: who.name }).where('id', '=', contact.id).execute();
    return { ...contact, name: who.name };
  }
  return contact;
}

/** The next reference of the organization (#1, #2, …): one atomic increment, safe across instances. */
export async function nextConversationRef(ctx: AppContext | { db: Db }, organizationId: string): Promise<number> {
  const row = await ctx.db
    .updateTable('organizations')
    .set((eb) => ({ last_conversation_ref: eb('last_conversation_ref', '+', 1) }))
    .where('id', '=', organizationId)
    .returning('last_conversation_ref')
    .executeTakeFirst();
  if (!row) throw notFound('Organization');
  return row.last_conversation_ref;
}

export interface ConversationTarget {
  organizationId: string;
  contactId: string;
  channel: 'whatsapp' | 'widget';
  numberId?: string | null;
  widgetId?: string | null;
}

/**
 * The contact's open conversation on this channel (and number or widget), or a new one with the
 * next reference. Runs in a transaction holding the contact's row, so two messages of one contact
 * handled at once never open two conversations.
 */
export async function openConversationFor(ctx: AppContext, target: ConversationTarget): Promise<Conversation> {
  return ctx.db.transaction().execute(async (trx) => {
    if (ctx.database.dialect === 'postgres') {
      await sql`select id from contacts where id = ${target.contactId} for update`.execute(trx);
    }
    let open = trx
      .selectFrom('conversations')
      .selectAll()
      .where('organization_id', '=', target.organizationId)
      .where('contact_id', '=', target.contactId)
      .where('channel', '=', target.channel)
      .where('status', 'in', [...OPEN_STATUSES]);
    if (target.numberId) open = open.where('number_id', '=', target.numberId);
    if (target.widgetId) open = open.where('widget_id', '=', target.widgetId);
    const existing = await open.orderBy('created_at', 'desc').executeTakeFirst();
    if (existing) return existing;
    const now = ctx.clock.now().toISOString();
    const conversation: Conversation = {
      id: randomUUID(),
      organization_id: target.organizationId,
      ref: await nextConversationRef({ db: trx }, target.organizationId),
      contact_id: target.contactId,
      channel: target.channel,
      status: 'bot',
      number_id: target.numberId ?? null,
      widget_id: target.widgetId ?? null,
      assigned_whatsapp_number: null,
      agent_number: null,
      handed_over_at: null,
      last_message_at: now,
      created_at: now,
      closed_at: null,
      read_up_to: 0,
      escalated_at: null,
    };
    await trx.insertInto('conversations').values(conversation).execute();
    return conversation;
  });
}

export async function getConversation(ctx: AppContext, id: string): Promise<Conversation> {
  const conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

export interface ConversationJson {
  id: string;
  ref: number;
  channel: string;
  status: string;
  contactName: string | null;
  contactNumber: string | null;
  sessionId: string | null;
  /** the address a visitor left (outside working hours) */
  contactEmail: string | null;
  assignedWhatsappNumber: string | null;
  /** E.164 of the agent who took the conversation (the first to answer) */
  agentNumber: string | null;
  /** that agent's name, when the organization lists them */
  agentName: string | null;
  /** messages from the contact after what the inbox last showed */
  unread: number;
  /** the contact's messages the bot did not answer and that wait for a human (the plan's limit was reached) */
  unanswered: number;
  createdAt: string;
  lastMessageAt: string;
  /** while it waits for an agent: whether one was reached, and each agent's outcome (handover/outcomes.ts) */
  waiting?: WaitingJson;
}

/** How a waiting conversation's agents were (or were not) reached (SPEC §8 "no agent reached yet"). */
export interface WaitingJson {
  /** some agent was sent a notification that has not failed */
  agentReached: boolean;
  agents: Array<{
    number: string;
    name: string | null;
    /** free_form | template | other_sender | skipped */
    path: string;
    /** the number the notification went from */
    sender: string | null;
    reached: boolean;
    /** why not, in words */
    reason: string | null;
  }>;
}

/**
 * The inbox's newest 500 conversations. Read in the order of conversations_inbox_idx
 * (organization_id, last_message_at, ref) (migration 311): a year of conversations is never sorted.
 */
export function conversationListQuery(db: Db, organizationId: string, filters: { status?: string; channel?: string } = {}) {
  let query = db
    .selectFrom('conversations as c')
    .innerJoin('contacts as p', 'p.id', 'c.contact_id')
    .leftJoin('agents as a', (join) => join.onRef('a.organization_id', '=', 'c.organization_id').onRef('a.number', '=', 'c.agent_number'))
    .select([
      'c.id',
      'c.ref',
      'c.channel',
      'c.status',
      'c.assigned_whatsapp_number',
      'c.agent_number',
      'c.created_at',
      'c.last_message_at',
      'p.name',
      'p.phone',
      'p.email',
      'p.external_id',
      'p.kind',
      'p.visitor_number',
      'a.name as agent_name',
      (eb) =>
        eb
          .selectFrom('messages as m')
          .select((m) => m.fn.countAll<number>().as('n'))
          .whereRef('m.conversation_id', '=', 'c.id')
          .where('m.direction', '=', 'in')
          .where('m.audience', '=', 'contact')
          .whereRef('m.id', '>', 'c.read_up_to')
          .as('unread'),
      (eb) =>
        eb
          .selectFrom('messages as m')
          .select((m) => m.fn.countAll<number>().as('n'))
          // by conversation alone (messages_conversation_idx): given the organization too, SQLite may
          // read all of the organization's messages by (organization_id, created_at) for each row
          .whereRef('m.conversation_id', '=', 'c.id')
          .where('m.unanswered', 'is not', null)
          .as('unanswered'),
    ])
    .where('c.organization_id', '=', organizationId);
  if (filters.status) query = query.where('c.status', '=', filters.status);
  if (filters.channel) query = query.where('c.channel', '=', filters.channel);
  return query.orderBy('c.last_message_at', 'desc').orderBy('c.ref', 'desc').limit(500);
}

export async function listConversations(
  ctx: AppContext,
  organizationId: string,
  filters: { status?: string; channel?: string } = {},
): Promise<ConversationJson[]> {
  const rows = await conversationListQuery(ctx.db, organizationId, filters).execute();
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    channel: r.channel,
    status: r.status,
    contactName: r.kind === 'visitor' ? visitorLabel(r.name, r.visitor_number) : r.name,
    contactNumber: r.phone ?? (r.kind === 'whatsapp' ? r.external_id : null),
    sessionId: r.kind === 'visitor' ? r.external_id : null,
    contactEmail: r.email,
    assignedWhatsappNumber: r.assigned_whatsapp_number,
    agentNumber: r.agent_number,
    agentName: r.agent_name,
    unread: Number(r.unread ?? 0),
    unanswered: Number(r.unanswered ?? 0),
    createdAt: r.created_at,
    lastMessageAt: r.last_message_at,
  }));
}

/** The inbox showed the conversation up to its newest message: nothing in it is unread now. */
export async function markConversationRead(ctx: AppContext, conversation: Conversation): Promise<number> {
  const newest = await ctx.db
    .selectFrom('messages')
    .select((eb) => eb.fn.max<number>('id').as('id'))
    .where('conversation_id', '=', conversation.id)
    .executeTakeFirst();
  const upTo = Number(newest?.id ?? 0);
  // never backwards: a slower request that saw less does not make read messages unread again
  await ctx.db.updateTable('conversations').set({ read_up_to: upTo }).where('id', '=', conversation.id).where('read_up_to', '<', upTo).execute();
  return upTo;
}

/** Closes a conversation (the next message of the contact opens a new one, with a new reference). */
export async function closeConversation(ctx: AppContext, conversation: Conversation): Promise<Conversation> {
  if (conversation.status === 'closed') return conversation;
  const closedAt = ctx.clock.now().toISOString();
  await ctx.db.updateTable('conversations').set({ status: 'closed', closed_at: closedAt }).where('id', '=', conversation.id).execute();
  const closed = { ...conversation, status: 'closed', closed_at: closedAt };
  await ctx.bus.publish({
    channel: `org:${conversation.organization_id}`,
    type: 'conversation',
    data: { id: closed.id, ref: closed.ref, status: closed.status },
  });
  return closed;
}
