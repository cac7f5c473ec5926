// Which business number a webhook is for: by the provider's number id (Meta phone_number_id, Whapi
// channel id, Twilio PN… sid) or by the E.164 it was sent to (Twilio `To`, the simulator's `to`).
// Every webhook asks this, so answers are cached (lookup-cache.ts) until a number changes.
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { cachedLookup } from '../lookup-cache.js';

export interface RoutingKey {
  phone?: string;
  providerNumberId?: string;
}

export async function findNumberByRoutingKey(ctx: AppContext, provider: string, given: RoutingKey): Promise<NumberRow | undefined> {
  // Keys come from payloads: anything but a non-empty string (a JSON array, a number) matches nothing.
  const providerNumberId = typeof given.providerNumberId === 'string' && given.providerNumberId !== '' ? given.providerNumberId : undefined;
  const phone = typeof given.phone === 'string' && given.phone !== '' ? given.phone : undefined;
  if (!providerNumberId && !phone) return undefined;
  return cachedLookup(ctx, 'number', `${provider}\u0000${providerNumberId ?? ''}\u0000${phone ?? ''}`, () =>
    loadNumber(ctx, provider, providerNumberId, phone),
  );
}

async function loadNumber(ctx: AppContext, provider: string, providerNumberId: string | undefined, phone: string | undefined): Promise<NumberRow | undefined> {
  if (providerNumberId) {
    const byId = await ctx.db.selectFrom('numbers').selectAll().where('provider', '=', provider).where('provider_id', '=', providerNumberId).executeTakeFirst();
    if (byId) return byId;
  }
  if (phone) {
    return ctx.db.selectFrom('numbers').selectAll().where('provider', '=', provider).where('phone_number', '=', phone).orderBy('created_at').executeTakeFirst();
  }
  return undefined;
}

export async function findNumberById(ctx: AppContext, id: string): Promise<NumberRow | undefined> {
  return ctx.db.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
}
