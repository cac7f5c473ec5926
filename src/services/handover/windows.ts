// Which business numbers may write free-form to which agents now (SPEC §8 "Windows are known"):
// every inbound message opens its sender's 24-hour window on the number it was written to
// (inbound/reaction.ts records it in `service_windows`, agents' messages and ACCEPT included). A
// provider without windows (Whapi) may always write.
import { SERVICE_WINDOW_MS } from '../../core/window.js';
import type { Db } from '../../db/database.js';
import type { NumberRow } from '../../db/schema.js';
import { providerByName } from '../../providers/registry.js';
import { platformDefaultSender } from '../numbers/usable.js';
import type { AppContext } from '../context.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { findSenderNumber } from './handovers.js';

export type Sender = NumberRow & { phone_number: string };

export const hasWindows = (number: NumberRow) => providerByName(number.provider)?.hasServiceWindow ?? true;

/** For each number id, the agents it may write free-form to now. */
export async function openWindows(db: Db, now: Date, numbers: NumberRow[], agents: string[]): Promise<Map<string, Set<string>>> {
  const byNumber = new Map(numbers.map((n) => [n.id, new Set(hasWindows(n) ? [] : agents)]));
  const windowed = numbers.filter(hasWindows).map((n) => n.id);
  if (windowed.length === 0 || agents.length === 0) return byNumber;
  const rows = await db
    .selectFrom('service_windows')
    .select(['number_id', 'contact_address'])
    .where('number_id', 'in', windowed)
    .where('contact_address', 'in', agents)
    .where('last_inbound_at', '>', new Date(now.getTime() - SERVICE_WINDOW_MS).toISOString())
    .execute();
  for (const r of rows) byNumber.get(r.number_id)?.add(r.contact_address);
  return byNumber;
}

/** True when `number` may write free-form to `agent` now. */
export async function windowOpen(ctx: AppContext, number: NumberRow, agent: string): Promise<boolean> {
  return (await openWindows(ctx.db, ctx.clock.now(), [number], [agent])).get(number.id)!.has(agent);
}

/**
 * Every number the organization may reach agents from: its own, its widgets' pool and handover
 * numbers (platform ones included), and the platform's default sender. Own numbers first.
 */
export async function organizationSenders(ctx: AppContext, organizationId: string): Promise<Sender[]> {
  const own = await ctx.db
    .selectFrom('numbers')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('is_shared_trial', '=', 0)
    .where('phone_number', 'is not', null)
    .orderBy('created_at')
    .execute();
  const widgets = await ctx.db.selectFrom('widgets').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').execute();
  const pool = widgets.length
    ? await ctx.db
        .selectFrom('pool_numbers')
        .select('number')
        .where(
          'widget_id',
          'in',
          widgets.map((w) => w.id),
        )
        .where('is_active', '=', 1)
        .orderBy('position')
        .execute()
    : [];
  const phones = [...pool.map((p) => p.number), ...widgets.flatMap((w) => readWidgetSettings(w).handoverWhatsappNumber ?? [])];
  const named: Array<NumberRow | undefined> = [];
  for (const phone of new Set(phones)) named.push(await findSenderNumber(ctx.db, organizationId, phone));
  const seen = new Set<string>();
  return [...own, ...named, await platformDefaultSender(ctx.db, ctx.config)].filter((n): n is Sender => {
    if (!n?.phone_number || seen.has(n.id)) return false;
    seen.add(n.id);
    return true;
  });
}
