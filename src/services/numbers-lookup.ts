// Which business number a webhook is for: by the provider's number id (Meta phone_number_id, Whapi
// channel id, Twilio PN… sid) or by the E.164 it was sent to (Twilio `To`, the simulator's `to`).
import type { NumberRow } from '../db/schema.js';
import type { AppContext } from './context.js';

export interface RoutingKey {
  phone?: string;
  providerNumberId?: string;
}

export async function findNumberByRoutingKey(ctx: AppContext, provider: string, key: RoutingKey): Promise<NumberRow | undefined> {
  if (key.providerNumberId) {
    const byId = await ctx.db
      .selectFrom('numbers')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_id', '=', key.providerNumberId)
      .executeTakeFirst();
    if (byId) return byId;
  }
  if (key.phone) {
    return ctx.db
      .selectFrom('numbers')
      .selectAll()
      .where('provider', '=', provider)
      .where('phone_number', '=', key.phone)
      .orderBy('created_at')
      .executeTakeFirst();
  }
  return undefined;
}

/** A business number by E.164, any provider (a handover sender, a pool number). */
export async function findNumberByPhone(ctx: AppContext, e164: string): Promise<NumberRow | undefined> {
  return ctx.db.selectFrom('numbers').selectAll().where('phone_number', '=', e164).orderBy('created_at').executeTakeFirst();
}

export async function findNumberById(ctx: AppContext, id: string): Promise<NumberRow | undefined> {
  return ctx.db.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
}
