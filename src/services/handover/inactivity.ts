// The handover sweep, every 30 seconds: inactivity (no message either way for the widget's
// `inactivityTimeoutMinutes` closes the conversation, both sides told, the pool number freed),
// notifications that failed later (the agent's next path), agents skipped for want of a path tried
// again (a template approved, a window opened since), escalation of handovers nobody claimed,
// and numbers still held by conversations closed elsewhere.
// Each step is atomic per conversation, so sweeps on several instances do each thing once.
import { sql } from 'kysely';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Db } from '../../db/database.js';
import type { AppContext } from '../context.js';
import { widgetSettingsSchema } from '../widgets/settings.js';
import { closeHandover, releaseClosedConversations } from './close.js';
import { escalateUnclaimedHandovers } from './escalation.js';
import { anyAgentReachable, followFailedNotifications, retrySkippedNotifications } from './notify.js';

const SWEEP_EVERY_MS = 30_000;
const MINUTE_MS = 60_000;

/**
 * The conversations a human has (waiting or claimed) on a sender, with their last activity: read
 * from conversations_human_idx (migration 311), which holds only those, never all conversations.
 */
export function handedOverQuery(db: Db) {
  return (
    db
      .selectFrom('conversations as c')
      // A WhatsApp customer's handover has no widget: the default timeout.
      .leftJoin('widgets as w', 'w.id', 'c.widget_id')
      .select([
        'c.id',
        'c.status',
        'c.last_message_at',
        'c.handed_over_at',
        'w.settings',
        // Whoever stored a message may not have touched last_message_at; the messages themselves decide.
        sql<string | null>`(select max(m.created_at) from messages m where m.conversation_id = c.id)`.as('last_message'),
      ])
      .where('c.status', 'in', [...HUMAN_STATUSES])
      // A visitor waiting in line for a free agent is not idle: we are the ones keeping them waiting.
      .where('c.assigned_whatsapp_number', 'is not', null)
  );
}

/** Closes every handover idle past its widget's timeout; returns how many it closed. */
export async function closeInactiveConversations(ctx: AppContext): Promise<number> {
  const rows = await handedOverQuery(ctx.db).execute();
  const now = ctx.clock.now().getTime();
  let closed = 0;
  for (const row of rows) {
    const timeoutMs = widgetSettingsSchema.parse(row.settings ? JSON.parse(row.settings) : {}).inactivityTimeoutMinutes * MINUTE_MS;
    const lastActivity = [row.last_message_at, row.handed_over_at, row.last_message]
      .filter((t): t is string => Boolean(t))
      .sort()
      .at(-1)!;
    if (now - Date.parse(lastActivity) < timeoutMs) continue;
    // Nobody could be told of it yet: it stays waiting, visible in the inbox, for the first agent who can be reached.
    if (row.status === 'waiting_agent' && !(await anyAgentReachable(ctx, row.id))) continue;
    if (await closeHandover(ctx, row.id, { by: 'inactivity' })) closed++;
  }
  return closed;
}

export async function sweepHandovers(ctx: AppContext): Promise<void> {
  await closeInactiveConversations(ctx);
  await followFailedNotifications(ctx);
  await retrySkippedNotifications(ctx);
  await escalateUnclaimedHandovers(ctx);
  await releaseClosedConversations(ctx);
}

/** Runs the sweep in the background; the returned function stops it (and waits for a running sweep). */
export function startInactivitySweeper(ctx: AppContext, everyMs = SWEEP_EVERY_MS): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return; // a slow sweep is not overlapped by the next one
    running = sweepHandovers(ctx)
      .catch((err: Error) => ctx.log.error({ err: err.message }, 'inactivity sweep failed'))
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
