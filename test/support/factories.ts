// Small factories for test data, inserted directly so a test says only what matters to it.
import { randomUUID } from 'node:crypto';
import type { Contact, Conversation, Message, NumberRow, Organization } from '../../src/db/schema.js';
import type { AppContext } from '../../src/services/context.js';
import { nextConversationRef } from '../../src/services/conversations/conversations.js';
import { replyToCustomer } from '../../src/services/inbound/auto-reply.js';

let counter = 0;
const next = () => ++counter;

export async function makeOrganization(ctx: AppContext, overrides: Partial<Organization> = {}): Promise<Organization> {
  const n = next();
  const now = ctx.clock.now().toISOString();
  const org: Organization = {
    id: randomUUID(),
    name: `Organization ${n}`,
    description: null,
    business_info: null,
    plan: 'starter',
    join_code: `code-${n}-${Math.random().toString(36).slice(2, 8)}`,
    instructions: null,
    last_conversation_ref: 0,
    dedupe_window_seconds: 0,
    agent_code: null,
    last_visitor_number: 0,
    knowledge_changed_at: null,
    created_at: now,
    updated_at: now,
    ...overrides,
  };
  await ctx.db.insertInto('organizations').values(org).execute();
  return org;
}

/** A business number; by default a simulator number owned by `organizationId` (null: a platform number). */
export async function makeNumber(ctx: AppContext, overrides: Partial<NumberRow> & { organization_id: string | null }): Promise<NumberRow> {
  const n = next();
  const phone = overrides.phone_number === undefined ? `+1415555${String(1000 + n).slice(-4)}` : overrides.phone_number;
  const number: NumberRow = {
    id: randomUUID(),
    provider: 'simulator',
    phone_number: phone,
    provider_id: phone ?? `channel-${n}`,
    display_name: null,
    connection_id: null,
    sender_status: 'online',
    is_shared_trial: 0,
    is_dedicated: 1,
    created_at: ctx.clock.now().toISOString(),
    ...overrides,
  };
  await ctx.db.insertInto('numbers').values(number).execute();
  return number;
}

export async function makeContact(ctx: AppContext, overrides: Partial<Contact> & { organization_id: string }): Promise<Contact> {
  const contact: Contact = {
    id: randomUUID(),
    kind: 'whatsapp',
    phone: `+5511900${String(100000 + next()).slice(-6)}`,
    external_id: null,
    name: null,
    email: null,
    visitor_number: null,
    created_at: ctx.clock.now().toISOString(),
    ...overrides,
  };
  await ctx.db.insertInto('contacts').values(contact).execute();
  return contact;
}

export async function makeConversation(
  ctx: AppContext,
  overrides: Partial<Conversation> & { organization_id: string; contact_id: string },
): Promise<Conversation> {
  const now = ctx.clock.now().toISOString();
  const conversation: Conversation = {
    id: randomUUID(),
    ref: await nextConversationRef(ctx, overrides.organization_id),
    channel: 'whatsapp',
    status: 'bot',
    number_id: null,
    widget_id: null,
    assigned_whatsapp_number: null,
    agent_number: null,
    handed_over_at: null,
    last_message_at: now,
    created_at: now,
    closed_at: null,
    read_up_to: 0,
    escalated_at: null,
    ...overrides,
  };
  await ctx.db.insertInto('conversations').values(conversation).execute();
  return conversation;
}

/** The contact wrote to the number at `at` (default now): free-form sends are allowed for 24 hours. */
export async function openServiceWindow(ctx: AppContext, numberId: string, contactAddress: string, at = ctx.clock.now()): Promise<void> {
  await ctx.db
    .insertInto('service_windows')
    .values({ number_id: numberId, contact_address: contactAddress, last_inbound_at: at.toISOString() })
    .onConflict((oc) => oc.columns(['number_id', 'contact_address']).doUpdateSet({ last_inbound_at: at.toISOString() }))
    .execute();
}

/** A customer's (or agent's) WhatsApp message to a business number, stored as the inbound pipeline stores it. */
export async function makeInboundMessage(
  ctx: AppContext,
  to: NumberRow,
  fields: { from: string; body: string | null; conversationId?: string | null; media?: object; replyTo?: string },
): Promise<Message> {
  const now = ctx.clock.now().toISOString();
  return ctx.db
    .insertInto('messages')
    .values({
      organization_id: to.organization_id,
      conversation_id: fields.conversationId ?? null,
      direction: 'in',
      author: 'contact',
      audience: 'contact',
      body: fields.body,
      media: fields.media ? JSON.stringify(fields.media) : null,
      provider: to.provider,
      provider_message_id: `in-${next()}-${randomUUID()}`,
      reply_to_provider_message_id: fields.replyTo ?? null,
      number_id: to.id,
      from_address: fields.from,
      to_address: to.phone_number,
      status: 'received',
      send_success: null,
      send_error: null,
      error_code: null,
      category: 'service',
      cost: 0,
      idempotency_key: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A message `from` sent to `to`: sent, or failed with `sendError`. */
export async function makeOutboundMessage(ctx: AppContext, from: NumberRow, fields: { to: string; sendError?: string }): Promise<Message> {
  const message = await makeInboundMessage(ctx, from, { from: fields.to, body: 'Hello from the shop' });
  const failed = fields.sendError !== undefined;
  const sent = {
    direction: 'out',
    author: 'bot',
    from_address: from.phone_number,
    to_address: fields.to,
    status: failed ? 'failed' : 'sent',
    send_success: failed ? (0 as const) : (1 as const),
    send_error: fields.sendError ?? null,
  };
  await ctx.db.updateTable('messages').set(sent).where('id', '=', message.id).execute();
  return { ...message, ...sent };
}

/** These phones accepted as agents of the organization (as if each had sent ACCEPT <code>); names default to the number. */
export async function activateAgents(ctx: AppContext, organizationId: string, numbers: string[], names: Record<string, string> = {}): Promise<void> {
  const now = ctx.clock.now().toISOString();
  for (const number of numbers) {
    await ctx.db
      .insertInto('agents')
      .values({ id: randomUUID(), organization_id: organizationId, name: names[number] ?? number, number, status: 'active', created_at: now, accepted_at: now })
      .onConflict((oc) => oc.columns(['organization_id', 'number']).doUpdateSet({ status: 'active', accepted_at: now }))
      .execute();
  }
}

/** The organization has already exchanged `count` customer messages this month (the plan's counter). */
export async function useAllowance(ctx: AppContext, organizationId: string, count: number, month = ctx.clock.now().toISOString().slice(0, 7)): Promise<void> {
  await ctx.db
    .insertInto('plan_usage')
    .values({ organization_id: organizationId, month, customer_messages: count })
    .onConflict((oc) => oc.columns(['organization_id', 'month']).doUpdateSet({ customer_messages: count }))
    .execute();
}

/**
 * A WhatsApp customer asks the organization on one of its numbers (a simulator one, made when
 * `number` is not given) and the bot replies as the inbound job does; returns the conversation and the bot's reply.
 */
export async function whatsappCustomerAsks(ctx: AppContext, organizationId: string, text: string, options: { customer: string; number?: NumberRow }) {
  const number = options.number ?? (await makeNumber(ctx, { organization_id: organizationId }));
  const contact = await makeContact(ctx, { organization_id: organizationId, phone: options.customer });
  const conversation = await makeConversation(ctx, { organization_id: organizationId, contact_id: contact.id, number_id: number.id });
  await openServiceWindow(ctx, number.id, options.customer);
  await replyToCustomer(ctx, conversation, await makeInboundMessage(ctx, number, { from: options.customer, body: text, conversationId: conversation.id }));
  const bot = await ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversation.id)
    .where('author', '=', 'bot')
    .executeTakeFirstOrThrow();
  return { conversation, bot };
}
