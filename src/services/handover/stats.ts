// `GET /api/widgets/:id/number-stats`: how each pool number (and the handover number) is used, so
// an operator sees a number that is overloaded or failing. Counts stay inside the widget's organization.
import { HUMAN_STATUSES } from '../../core/status.js';
import type { AppContext } from '../context.js';
import { listPool, loadWidget, readWidgetSettings } from '../widgets/settings.js';
import { currentSendError } from '../numbers/status.js';

export interface NumberStats {
  number: string;
  displayName: string | null;
  isActive: boolean;
  openConversations: number;
  assignments24h: number;
  assignmentsTotal: number;
  messagesIn: number;
  messagesOut: number;
  lastUsedAt: string | null;
  lastSendError: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function numberStats(ctx: AppContext, widgetId: string): Promise<NumberStats[]> {
  const widget = await loadWidget(ctx, widgetId);
  const settings = readWidgetSettings(widget);
  const pool = await listPool(ctx, widget.id);
  const listed = pool.map((p) => ({ number: p.number, displayName: p.display_name, isActive: p.is_active === 1 }));
  const handover = settings.handoverWhatsappNumber;
  if (handover && !listed.some((p) => p.number === handover)) {
    // The handover number carries the organization's own name; the pool's are numbered after it.
    const organization = await ctx.db.selectFrom('organizations').select('name').where('id', '=', widget.organization_id).executeTakeFirst();
    listed.push({ number: handover, displayName: organization?.name ?? null, isActive: true });
  }
  const since = new Date(ctx.clock.now().getTime() - DAY_MS).toISOString();
  return Promise.all(listed.map((n) => statsOf(ctx, widget.id, widget.organization_id, n, since)));
}

async function statsOf(
  ctx: AppContext,
  widgetId: string,
  organizationId: string,
  listed: { number: string; displayName: string | null; isActive: boolean },
  since: string,
): Promise<NumberStats> {
  const open = await ctx.db
    .selectFrom('conversations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('widget_id', '=', widgetId)
    .where('assigned_whatsapp_number', '=', listed.number)
    .where('status', 'in', [...HUMAN_STATUSES])
    .executeTakeFirstOrThrow();
  const assignments = await ctx.db
    .selectFrom('handover_assignments')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(eb.case().when('assigned_at', '>=', since).then(1).else(0).end()).as('recent'),
      eb.fn.max('assigned_at').as('last'),
    ])
    .where('widget_id', '=', widgetId)
    .where('number', '=', listed.number)
    .executeTakeFirstOrThrow();
  const numberIds = ctx.db.selectFrom('numbers').select('id').where('phone_number', '=', listed.number);
  const traffic = await ctx.db
    .selectFrom('messages')
    .select((eb) => [
      eb.fn.sum<number>(eb.case().when('direction', '=', 'in').then(1).else(0).end()).as('in'),
      eb.fn.sum<number>(eb.case().when('direction', '=', 'out').then(1).else(0).end()).as('out'),
      eb.fn.max('created_at').as('last'),
    ])
    .where('organization_id', '=', organizationId)
    .where('number_id', 'in', numberIds)
    .executeTakeFirstOrThrow();
  const ids = (await numberIds.execute()).map((n) => n.id);
  const failed = await currentSendError(ctx, ids, organizationId);
  const lastUsed =
    [assignments.last, traffic.last]
      .filter((t): t is string => Boolean(t))
      .sort()
      .at(-1) ?? null;
  return {
    ...listed,
    openConversations: Number(open.count),
    assignments24h: Number(assignments.recent ?? 0),
    assignmentsTotal: Number(assignments.total),
    messagesIn: Number(traffic.in ?? 0),
    messagesOut: Number(traffic.out ?? 0),
    lastUsedAt: lastUsed,
    lastSendError: failed?.text ?? null,
  };
}
