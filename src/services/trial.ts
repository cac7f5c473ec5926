// The shared trial number: several organizations answer on one platform number. A customer picks
// one with `join <code>`; their later messages go to it until they join another. Bindings are per
// (shared number, customer), so two organizations' customers never see each other's answers.
import { parseJoinCommand } from '../core/join.js';
import type { Message, NumberRow } from '../db/schema.js';
import type { AppContext } from './context.js';
import { enqueueSend } from './outbound.js';

type TrialInbound = Pick<Message, 'id' | 'body' | 'from_address'>;

const instructions = () =>
  'Hi! This WhatsApp number is shared by several businesses. To reach one, send: join <code> ' +
  '(the business gives you its code, e.g. "join amber-otter").';

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
    await reply(
      org.id,
      `You are now connected to ${org.name}. Ask your question any time. To reach another business, send join with its code.`,
      'joined',
    );
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
