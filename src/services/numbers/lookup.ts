// Which business number a webhook is for: by the provider's number id (Meta phone_number_id, Whapi
// channel id, Twilio PN… sid) or by the E.164 it was sent to (Twilio `To`, the simulator's `to`).
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';

export interface RoutingKey {
  phone?: string;
  providerNumberId?: string;
}

// On the webhook hot path in SQLite mode the lookups are statements prepared once (Kysely would
// compile and prepare them on every call); reads need no transaction, so they may run directly.
function sqliteLookups(ctx: AppContext) {
  const sqlite = ctx.database.sqlite;
  if (!sqlite) return undefined;
  return (ctx.state.numberLookups ??= {
    byId: sqlite.prepare('select * from numbers where provider = ? and provider_id = ?'),
    byPhone: sqlite.prepare('select * from numbers where provider = ? and phone_number = ? order by created_at limit 1'),
  });
}

export async function findNumberByRoutingKey(ctx: AppContext, provider: string, given: RoutingKey): Promise<NumberRow | undefined> {
  // Keys come from payloads: anything but a non-empty string (a JSON array, a number) matches nothing.
  const key: RoutingKey = {
    phone: typeof given.phone === 'string' && given.phone !== '' ? given.phone : undefined,
    providerNumberId: typeof given.providerNumberId === 'string' && given.providerNumberId !== '' ? given.providerNumberId : undefined,
  };
  const fast = sqliteLookups(ctx);
  if (fast) {
    const byId = key.providerNumberId ? (fast.byId.get(provider, key.providerNumberId) as NumberRow | undefined) : undefined;
    return byId ?? (key.phone ? (fast.byPhone.get(provider, key.phone) as NumberRow | undefined) : undefined);
  }
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

export async function findNumberById(ctx: AppContext, id: string): Promise<NumberRow | undefined> {
  return ctx.db.selectFrom('numbers').selectAll().where('id', '=', id).executeTakeFirst();
}
