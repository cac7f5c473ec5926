// Removing one of the organization's numbers, whatever its kind (simulated, own account, assigned
// Meta, Whapi channel, bought at Twilio), with what it does said first (the dashboard's
// confirmation) and again after. What we chose, stated in every answer:
// - widgets stop using it: it leaves their pool, a handover-number setting naming it is cleared,
//   and each then hands over from the sender the usual rule picks (pool, organization's number,
//   platform default), named in the preview;
// - open widget chats it carried move: released, they take the widget's next sender like a
//   visitor in line (their agents are asked again from it), or wait in the inbox;
// - open WhatsApp conversations of customers who wrote to it are closed (no message: the number
//   is gone), and a customer writing to it again reaches nobody;
// - a number in use is removed only when the request says it was confirmed (`confirm=true`);
//   otherwise 409 with the same sentence.
import { conflict, notFound } from '../../core/errors.js';
import { namesList } from '../../core/seat-text.js';
import { numberRemovalText, type WidgetUse } from '../../core/removal-text.js';
import type { NumberRow, Widget } from '../../db/schema.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { invalidateLookups } from '../lookup-cache.js';
import { isBoughtNumber, releaseBought } from '../numbers/twilio-numbers.js';
import { platformDefaultSender } from '../numbers/usable.js';
import { forgetConnection } from '../numbers/whapi-channels.js';
import { getOrganization, organizationNumber } from '../tenancy/organizations.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { connectWaitingVisitors } from './request.js';
import { releaseAssignment } from './senders.js';

export interface NumberRemoval {
  number: { id: string; provider: string; phoneNumber: string | null; providerId: string; kind: NumberKind };
  widgets: Array<WidgetUse & { id: string }>;
  /** open conversations closed (customers who wrote to this number) */
  closed: number[];
  /** open widget chats it carried, moved to the widget's next sender */
  moved: number[];
  /** a widget or an open conversation uses it: DELETE needs `confirm=true` */
  inUse: boolean;
  summary: string;
}

type NumberKind = 'simulated' | 'bought' | 'own account' | 'assigned' | 'whapi channel';

function kindOf(number: NumberRow): NumberKind {
  if (number.provider === 'simulator') return 'simulated';
  if (number.provider === 'whapi') return 'whapi channel';
  if (number.connection_id) return 'own account';
  if (isBoughtNumber(number)) return 'bought';
  return 'assigned';
}

const labelOf = (n: NumberRow) => n.phone_number ?? n.display_name ?? n.provider_id;

function atProvider(number: NumberRow, kind: NumberKind): string {
  const label = labelOf(number);
  const provider = providerByName(number.provider)?.label ?? number.provider;
  switch (kind) {
    case 'simulated':
      return `The simulated number ${label} is deleted.`;
    case 'bought':
      return `${label} is released at ${provider}: the platform stops renting it, and it may not be available to buy again.`;
    case 'own account':
      return `${label} stays in your own ${provider} account; Switchboard stops using it (add it again at any time).`;
    case 'whapi channel':
      return `Whapi channel ${number.provider_id}${number.phone_number ? ` (${number.phone_number})` : ''} is no longer assigned to this organization${number.connection_id ? '; its token is deleted here' : ''}.`;
    case 'assigned':
      return `${label} goes back to the platform's ${provider} account and is no longer this organization's.`;
  }
}

/** One of the organization's numbers; a platform number is the platform's to remove. */
async function organizationNumberById(ctx: AppContext, organizationId: string, numberId: string): Promise<NumberRow> {
  await getOrganization(ctx, organizationId);
  const row = await ctx.db.selectFrom('numbers').selectAll().where('id', '=', numberId).executeTakeFirst();
  if (row && row.organization_id === null) {
    throw conflict(`${labelOf(row)} is a platform number that this organization uses, not one it holds; only the platform can remove it.`, 'PLATFORM_NUMBER');
  }
  if (!row || row.organization_id !== organizationId) throw notFound('Number');
  return row;
}

/** What the widget hands over from once `removed` is gone (the rule of senders.ts), in words; null: nothing. */
async function senderAfter(ctx: AppContext, widget: Widget, removed: NumberRow): Promise<string | null> {
  const settings = readWidgetSettings(widget);
  const pool = await ctx.db
    .selectFrom('pool_numbers')
    .select('number')
    .where('widget_id', '=', widget.id)
    .where('is_active', '=', 1)
    .where('number', '!=', removed.phone_number ?? '')
    .orderBy('position')
    .execute();
  if (pool.length > 0) return `its pool (${namesList(pool.map((p) => p.number))})`;
  if (settings.handoverWhatsappNumber && settings.handoverWhatsappNumber !== removed.phone_number)
    return `its handover number ${settings.handoverWhatsappNumber}`;
  const own = await ctx.db
    .selectFrom('numbers')
    .select('phone_number')
    .where('organization_id', '=', widget.organization_id)
    .where('is_shared_trial', '=', 0)
    .where('phone_number', 'is not', null)
    .where('id', '!=', removed.id)
    .orderBy('created_at')
    .executeTakeFirst();
  if (own?.phone_number) return `the organization's number ${own.phone_number}`;
  const platform = await platformDefaultSender(ctx.db, ctx.config);
  return platform?.phone_number ? `the platform's default sender ${platform.phone_number}` : null;
}

async function plan(ctx: AppContext, number: NumberRow) {
  const phone = number.phone_number;
  const widgets: NumberRemoval['widgets'] = [];
  const rows = await ctx.db.selectFrom('widgets').selectAll().where('organization_id', '=', number.organization_id!).orderBy('created_at').execute();
  for (const widget of rows) {
    if (!phone) break;
    const inPool = await ctx.db.selectFrom('pool_numbers').select('id').where('widget_id', '=', widget.id).where('number', '=', phone).executeTakeFirst();
    const asHandover = readWidgetSettings(widget).handoverWhatsappNumber === phone;
    if (!inPool && !asHandover) continue;
    const then = await senderAfter(ctx, widget, number);
    if (inPool) widgets.push({ id: widget.id, name: widget.name, as: 'pool number', handsOverFrom: then });
    if (asHandover) widgets.push({ id: widget.id, name: widget.name, as: 'handover number', handsOverFrom: then });
  }
  const open = await ctx.db
    .selectFrom('conversations')
    .select(['id', 'ref', 'widget_id', 'number_id'])
    .where('organization_id', '=', number.organization_id!)
    .where('status', '!=', 'closed')
    .where((eb) => eb.or([eb('number_id', '=', number.id), ...(phone ? [eb('assigned_whatsapp_number', '=', phone)] : [])]))
    .orderBy('ref')
    .execute();
  // A widget chat it carries moves; a customer who wrote to this number cannot be reached from another.
  const moving = open.filter((c) => c.widget_id && c.number_id !== number.id);
  const closing = open.filter((c) => !moving.includes(c));
  return { widgets, moving, closing };
}

function removalOf(number: NumberRow, planned: Awaited<ReturnType<typeof plan>>): NumberRemoval {
  const kind = kindOf(number);
  const closed = planned.closing.map((c) => c.ref);
  const moved = planned.moving.map((c) => c.ref);
  return {
    number: { id: number.id, provider: number.provider, phoneNumber: number.phone_number, providerId: number.provider_id, kind },
    widgets: planned.widgets,
    closed,
    moved,
    inUse: planned.widgets.length + closed.length + moved.length > 0,
    summary: numberRemovalText({ label: labelOf(number), atProvider: atProvider(number, kind), widgets: planned.widgets, closed, moved }),
  };
}

/** `GET …/numbers/:numberId/removal`: what removing it would do; nothing changes. */
export async function previewNumberRemoval(ctx: AppContext, organizationId: string, numberId: string): Promise<NumberRemoval> {
  const number = await organizationNumberById(ctx, organizationId, numberId);
  return removalOf(number, await plan(ctx, number));
}

/** `DELETE …/numbers/:numberId`: removes it as previewed (in use: only with `confirmed`). */
export async function removeNumber(ctx: AppContext, organizationId: string, numberId: string, confirmed: boolean): Promise<NumberRemoval> {
  const number = await organizationNumberById(ctx, organizationId, numberId);
  const planned = await plan(ctx, number);
  const removal = removalOf(number, planned);
  if (removal.inUse && !confirmed) {
    throw conflict(`${removal.summary} Nothing was removed: send the request again with confirm=true to remove it.`, 'NUMBER_IN_USE');
  }
  // At the provider first: a refusal there (Twilio down) leaves everything as it was.
  if (kindOf(number) === 'bought') await releaseBought(ctx, number);
  const phone = number.phone_number;
  if (phone) {
    const widgetIds = [...new Set(planned.widgets.map((w) => w.id))];
    for (const widgetId of widgetIds) {
      await ctx.db.deleteFrom('pool_numbers').where('widget_id', '=', widgetId).where('number', '=', phone).execute();
      const widget = await ctx.db.selectFrom('widgets').selectAll().where('id', '=', widgetId).executeTakeFirstOrThrow();
      const settings = readWidgetSettings(widget);
      if (settings.handoverWhatsappNumber === phone) {
        await ctx.db
          .updateTable('widgets')
          .set({ settings: JSON.stringify({ ...settings, handoverWhatsappNumber: null }), updated_at: ctx.clock.now().toISOString() })
          .where('id', '=', widgetId)
          .execute();
      }
    }
  }
  const now = ctx.clock.now().toISOString();
  for (const c of planned.closing) {
    await ctx.db.updateTable('conversations').set({ status: 'closed', closed_at: now }).where('id', '=', c.id).where('status', '!=', 'closed').execute();
    await releaseAssignment(ctx, c.id);
    await publishConversation(ctx, number.organization_id!, c.id, c.ref, 'closed');
  }
  for (const c of planned.moving) {
    await ctx.db
      .updateTable('conversations')
      .set({ status: 'waiting_agent', assigned_whatsapp_number: null, agent_number: null })
      .where('id', '=', c.id)
      .where('status', '!=', 'closed')
      .execute();
    await releaseAssignment(ctx, c.id);
  }
  await ctx.db.deleteFrom('numbers').where('id', '=', number.id).execute();
  if (kindOf(number) === 'whapi channel' && number.connection_id) await forgetConnection(ctx, number.connection_id);
  invalidateLookups(ctx);
  for (const widgetId of new Set(planned.moving.map((c) => c.widget_id!))) {
    try {
      await connectWaitingVisitors(ctx, widgetId);
    } catch (err) {
      // No sender left for that widget: the chats wait in the inbox for an agent (the preview said so).
      ctx.log.warn({ widgetId, err: (err as Error).message }, 'moved chats wait in the inbox: no sender to reach agents from');
    }
  }
  ctx.log.info({ organizationId, numberId, kind: removal.number.kind, closed: removal.closed.length, moved: removal.moved.length }, 'number removed');
  return removal;
}

async function publishConversation(ctx: AppContext, organizationId: string, id: string, ref: number, status: string): Promise<void> {
  await ctx.bus.publish({ channel: `org:${organizationId}`, type: 'conversation', data: { id, ref, status } });
}

/**
 * The older one-number routes (`…/provision-number`, `…/stores/:id/phone-number`,
 * `…/whapi-channel`) remove a number only while nothing uses it: otherwise they answer what the
 * removal would do and the route that does it, and change nothing.
 */
export async function refuseOlderRemovalInUse(ctx: AppContext, organizationId: string, provider: 'twilio' | 'meta' | 'whapi'): Promise<void> {
  const number = await organizationNumber(ctx, organizationId, provider);
  if (!number) return;
  const removal = removalOf(number, await plan(ctx, number));
  if (removal.inUse) {
    throw conflict(
      `${removal.summary} Nothing was removed: remove it with DELETE /api/organizations/${organizationId}/numbers/${number.id}?confirm=true.`,
      'NUMBER_IN_USE',
    );
  }
}
