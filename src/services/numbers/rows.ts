// A new number row: what every way of adding a number shares (a fresh id, online, not the trial
// number, not dedicated unless said), so each caller states only where the number comes from.
import { randomUUID } from 'node:crypto';
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';

type NumberOrigin = Pick<NumberRow, 'organization_id' | 'provider' | 'phone_number' | 'provider_id' | 'display_name' | 'connection_id'>;

export function newNumberRow(ctx: AppContext, origin: NumberOrigin & Partial<NumberRow>): NumberRow {
  return {
    id: randomUUID(),
    sender_status: 'online',
    is_shared_trial: 0,
    is_dedicated: 0,
    created_at: ctx.clock.now().toISOString(),
    ...origin,
  };
}
