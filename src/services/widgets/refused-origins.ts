// The websites a widget refused lately (SPEC §8: allowed origins), shown on the dashboard with one
// click to allow one. Writes are throttled in the process: one per widget and origin a minute (the
// refusals in between are added to the next write) and at most WRITES_PER_MINUTE new origins per
// widget a minute; the table keeps the KEPT most recent origins per widget. A flood of refused
// requests, or of made-up Origin headers, neither grows the table nor costs a write per request.
import { originAllowed, plainOrigin } from '../../core/origins.js';
import type { Widget } from '../../db/schema.js';
import type { AppContext, ContextState } from '../context.js';
import { readAllowedOrigins } from './settings.js';

/** origins kept per widget */
export const KEPT = 20;
/** writes per widget a minute, whatever the origins */
const WRITES_PER_MINUTE = 30;
const MINUTE = 60_000;
/** the in-process tallies kept at most; beyond, the oldest are forgotten (their counts with them) */
const TALLIES = 5_000;

type RefusedOriginWrites = NonNullable<ContextState['refusedOrigins']>;

function writesOf(ctx: AppContext): RefusedOriginWrites {
  ctx.state.refusedOrigins ??= { tallies: new Map(), writes: new Map() };
  return ctx.state.refusedOrigins;
}

/** A write is due for this widget and origin: its first refusal, or a minute after the last write, within the widget's budget. */
function takeWrite(ctx: AppContext, widgetId: string, origin: string): number {
  const state = writesOf(ctx);
  const now = ctx.clock.now().getTime();
  const key = `${widgetId} ${origin}`;
  let tally = state.tallies.get(key);
  if (!tally) {
    if (state.tallies.size >= TALLIES) state.tallies.delete(state.tallies.keys().next().value!);
    tally = { pending: 0, writtenAt: Number.NEGATIVE_INFINITY };
    state.tallies.set(key, tally);
  }
  tally.pending += 1;
  if (now - tally.writtenAt < MINUTE) return 0;
  const minute = Math.floor(now / MINUTE);
  const budget = state.writes.get(widgetId);
  if (budget?.minute === minute && budget.count >= WRITES_PER_MINUTE) return 0;
  if (budget?.minute === minute) budget.count += 1;
  else {
    if (state.writes.size >= TALLIES) state.writes.clear();
    state.writes.set(widgetId, { minute, count: 1 });
  }
  const count = tally.pending;
  tally.pending = 0;
  tally.writtenAt = now;
  return count;
}

/** Notes that `widget` refused a request from `origin` (an origin that is not a plain one is not kept). */
export async function recordRefusedOrigin(ctx: AppContext, widget: Widget, origin: string): Promise<void> {
  const plain = plainOrigin(origin);
  if (!plain) return;
  const count = takeWrite(ctx, widget.id, plain);
  if (!count) return;
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('refused_origins')
    .values({ widget_id: widget.id, origin: plain, count, first_seen_at: now, last_seen_at: now })
    .onConflict((oc) => oc.columns(['widget_id', 'origin']).doUpdateSet((eb) => ({ count: eb('refused_origins.count', '+', count), last_seen_at: now })))
    .execute();
  // Only the most recent KEPT stay.
  await ctx.db
    .deleteFrom('refused_origins')
    .where('widget_id', '=', widget.id)
    .where(
      'origin',
      'not in',
      ctx.db.selectFrom('refused_origins').select('origin').where('widget_id', '=', widget.id).orderBy('last_seen_at', 'desc').orderBy('origin').limit(KEPT),
    )
    .execute();
}

/** The origins the widget refused lately and still does (one allowed since is left out), most recent first. */
export async function listRefusedOrigins(ctx: AppContext, widget: Widget) {
  const allowed = readAllowedOrigins(widget);
  const rows = await ctx.db
    .selectFrom('refused_origins')
    .select(['origin', 'count', 'first_seen_at', 'last_seen_at'])
    .where('widget_id', '=', widget.id)
    .orderBy('last_seen_at', 'desc')
    .orderBy('origin')
    .execute();
  return rows
    .filter((r) => !originAllowed(allowed, r.origin))
    .map((r) => ({ origin: r.origin, count: Number(r.count), firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at }));
}

export type RefusedOriginJson = Awaited<ReturnType<typeof listRefusedOrigins>>[number];
