// The shared trial number: several organizations answer on one platform number. A customer picks
// one with `join <code>`; their later messages go to it until they join another. Bindings are per
// (shared number, customer), so two organizations' customers never see each other's answers.
import { randomUUID } from 'node:crypto';
import { conflict } from '../../core/errors.js';
import { parseJoinCommand } from '../../core/join.js';
import type { Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { enqueueSend } from '../outbound/send.js';
import { invalidateLookups } from '../lookup-cache.js';

type TrialInbound = Pick<Message, 'id' | 'body' | 'from_address'>;

const instructions = () =>
  'Hi! This WhatsApp number is shared by several businesses. To reach one, send: join <code> ' + '(the business gives you its code, e.g. "join amber-otter").';

/**
 * Routes one inbound message on the shared trial number: the bound organization's id (the message
 * is then stored as that organization's), or null when this function answered it itself (a join,
 * an unknown code, or a customer who has not joined yet).
 */
export async function routeTrialMessage(ctx: AppContext, inbound: TrialInbound, number: NumberRow): Promise<string | null> {
  const customer = inbound.from_address;
  if (!customer) return null;
  const reply = (organizationId: string | null, text: string, purpose: string) =>
    enqueueSend(ctx, {
      organizationId,
      numberId: number.id,
      to: customer,
      text,
      author: 'system',
      idempotencyKey: `trial:${purpose}:${inbound.id}`,
    });

  const code = parseJoinCommand(inbound.body);
  if (code) {
    const org = await ctx.db.selectFrom('organizations').select(['id', 'name']).where('join_code', '=', code).executeTakeFirst();
    if (!org) {
      await reply(null, `No business uses the code "${code}". Check the code and send: join <code>`, 'unknown-code');
      return null;
    }
    await bindCustomer(ctx, number.id, customer, org.id);
    await ctx.db.updateTable('messages').set({ organization_id: org.id }).where('id', '=', inbound.id).execute();
    await reply(org.id, `You are now connected to ${org.name}. Ask your question any time. To reach another business, send join with its code.`, 'joined');
    return null;
  }

  const binding = await ctx.db
    .selectFrom('trial_bindings')
    .select('organization_id')
    .where('number_id', '=', number.id)
    .where('contact_address', '=', customer)
    .executeTakeFirst();
  if (!binding) {
    await reply(null, instructions(), 'instructions');
    return null;
  }
  await ctx.db.updateTable('messages').set({ organization_id: binding.organization_id }).where('id', '=', inbound.id).execute();
  return binding.organization_id;
}

/** One binding per customer on the number: joining another organization replaces it. */
async function bindCustomer(ctx: AppContext, numberId: string, customer: string, organizationId: string): Promise<void> {
  const boundAt = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('trial_bindings')
    .values({ number_id: numberId, contact_address: customer, organization_id: organizationId, bound_at: boundAt })
    .onConflict((oc) => oc.columns(['number_id', 'contact_address']).doUpdateSet({ organization_id: organizationId, bound_at: boundAt }))
    .execute();
}

export interface SharedTrialNumberInput {
  provider: 'twilio' | 'meta' | 'whapi' | 'simulator';
  /** E.164 the customers write to */
  phoneNumber: string;
  /** Meta phone_number_id / Whapi channel id / Twilio PN… sid; defaults to the E.164 */
  providerId?: string;
}

/**
 * Makes a platform number (no organization) the shared trial number, e.g. the Twilio sandbox
 * `+14155238886`. There is one: designating another turns the previous one back into a plain
 * platform number. A number an organization owns cannot be shared.
 */
export async function setSharedTrialNumber(ctx: AppContext, input: SharedTrialNumberInput): Promise<NumberRow> {
  const providerId = input.providerId ?? input.phoneNumber;
  const existing = await ctx.db
    .selectFrom('numbers')
    .selectAll()
    .where('provider', '=', input.provider)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  if (existing?.organization_id) {
    throw conflict('This number belongs to an organization; only a platform number can be the shared trial number.', 'NUMBER_ASSIGNED_ELSEWHERE');
  }
  const shared = await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('numbers').set({ is_shared_trial: 0 }).where('is_shared_trial', '=', 1).execute();
    if (existing) {
      await trx.updateTable('numbers').set({ is_shared_trial: 1, phone_number: input.phoneNumber }).where('id', '=', existing.id).execute();
      return { ...existing, is_shared_trial: 1 as const, phone_number: input.phoneNumber };
    }
    const row: NumberRow = {
      id: randomUUID(),
      organization_id: null,
      provider: input.provider,
      phone_number: input.phoneNumber,
      provider_id: providerId,
      display_name: 'Shared trial number',
      connection_id: null,
      sender_status: 'online',
      is_shared_trial: 1,
      is_dedicated: 0,
      created_at: ctx.clock.now().toISOString(),
    };
    await trx.insertInto('numbers').values(row).execute();
    return row;
  });
  invalidateLookups(ctx);
  return shared;
}

export async function getSharedTrialNumber(ctx: AppContext): Promise<NumberRow | undefined> {
  return ctx.db.selectFrom('numbers').selectAll().where('is_shared_trial', '=', 1).orderBy('created_at').executeTakeFirst();
}
