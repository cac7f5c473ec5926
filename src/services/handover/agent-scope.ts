// Where an active agent answers through one of the organization's senders (SPEC §8 "Agent
// replies"): the widgets that list them and reach them through it, and the organizations whose
// WhatsApp customers they answer — and the open conversations there.
import type { ExpressionBuilder } from 'kysely';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Database, NumberRow, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { type Handover, loadHandovers } from './handovers.js';

/**
 * Where an agent answers through one number: widgets that list them as active agent, and
 * organizations whose WhatsApp customers they answer (every active agent of the organization).
 */
export interface AgentScope {
  widgets: Widget[];
  organizationIds: string[];
}

/**
 * Where this active agent answers through this number: a number of the organization's own, or a
 * platform number that a widget names or that carries handovers of the widget or of the
 * organization's WhatsApp customers.
 */
export async function scopeOn(ctx: AppContext, agent: string, number: NumberRow & { phone_number: string }): Promise<AgentScope> {
  const memberships = await ctx.db.selectFrom('agents').select('organization_id').where('number', '=', agent).where('status', '=', 'active').execute();
  // Another organization's number is never a widget's sender (senders are checked when saved).
  const organizationIds = memberships.map((m) => m.organization_id).filter((id) => number.organization_id === null || number.organization_id === id);
  if (organizationIds.length === 0) return { widgets: [], organizationIds: [] };
  const whatsapp =
    number.organization_id !== null
      ? organizationIds
      : (
          await ctx.db
            .selectFrom('conversations')
            .select('organization_id')
            .distinct()
            .where('organization_id', 'in', organizationIds)
            .where('channel', '=', 'whatsapp')
            .where('assigned_whatsapp_number', '=', number.phone_number)
            .execute()
        ).map((c) => c.organization_id);
  // A notification sent from this number about a conversation carried by another (the agent's window
  // is open here, not there; or an escalation): a `#282:` reply from here reaches it too.
  const detours = await ctx.db
    .selectFrom('handover_notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversation_id')
    .select(['c.widget_id', 'c.organization_id'])
    .distinct()
    .where('n.agent_number', '=', agent)
    .where('n.number_id', '=', number.id)
    .where('n.path', '!=', 'skipped')
    .where('c.organization_id', 'in', organizationIds)
    .where('c.status', 'in', [...HUMAN_STATUSES])
    .execute();
  const widgets = await widgetsServedBy(ctx, agent, number, organizationIds);
  const detourWidgetIds = [...new Set(detours.flatMap((d) => (d.widget_id && !widgets.some((w) => w.id === d.widget_id) ? [d.widget_id] : [])))];
  if (detourWidgetIds.length > 0) widgets.push(...(await ctx.db.selectFrom('widgets').selectAll().where('id', 'in', detourWidgetIds).execute()));
  const detourOrganizations = detours.flatMap((d) => (d.widget_id ? [] : [d.organization_id]));
  return { widgets, organizationIds: [...new Set([...whatsapp, ...detourOrganizations])] };
}

/** Widgets that list this agent and reach their agents through this number. */
async function widgetsServedBy(ctx: AppContext, agent: string, number: NumberRow & { phone_number: string }, organizationIds: string[]): Promise<Widget[]> {
  // The settings text holds the agent's E.164 in quotes; the JSON is then read properly.
  const listing = await ctx.db
    .selectFrom('widgets')
    .selectAll()
    .where('organization_id', 'in', organizationIds)
    .where('settings', 'like', `%"${agent}"%`)
    .execute();
  const widgets = listing.filter((w) => readWidgetSettings(w).agentWhatsappNumbers.includes(agent));
  if (widgets.length === 0) return [];
  const ids = widgets.map((w) => w.id);
  const inPool = await ctx.db.selectFrom('pool_numbers').select('widget_id').where('widget_id', 'in', ids).where('number', '=', number.phone_number).execute();
  const carried = await ctx.db
    .selectFrom('conversations')
    .select('widget_id')
    .distinct()
    .where('widget_id', 'in', ids)
    .where('assigned_whatsapp_number', '=', number.phone_number)
    .execute();
  return widgets.filter(
    (w) =>
      inPool.some((p) => p.widget_id === w.id) ||
      readWidgetSettings(w).handoverWhatsappNumber === number.phone_number ||
      w.organization_id === number.organization_id ||
      // the platform's default sender carries the handovers of widgets that have no number of their own
      carried.some((c) => c.widget_id === w.id),
  );
}

/** Conversations of the agent's widgets, or WhatsApp conversations of the organizations they answer for. */
export function inScope(scope: AgentScope) {
  return (eb: ExpressionBuilder<Database, 'conversations'>) => {
    const parts = [];
    if (scope.widgets.length > 0) {
      parts.push(
        eb(
          'widget_id',
          'in',
          scope.widgets.map((w) => w.id),
        ),
      );
    }
    if (scope.organizationIds.length > 0) parts.push(eb.and([eb('channel', '=', 'whatsapp'), eb('organization_id', 'in', scope.organizationIds)]));
    return eb.or(parts);
  };
}

export const handoverInScope = (scope: AgentScope, h: Handover) =>
  h.widget ? scope.widgets.some((w) => w.id === h.widget!.id) : scope.organizationIds.includes(h.conversation.organization_id);

export async function openHandovers(ctx: AppContext, scope: AgentScope): Promise<Handover[]> {
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where(inScope(scope))
    .where('status', 'in', [...HUMAN_STATUSES])
    .where('assigned_whatsapp_number', 'is not', null)
    .orderBy('ref', 'desc')
    .execute();
  return loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
}
