// Retention: what the product no longer needs is removed on a schedule (README "Retention"):
// finished jobs, replayed or old unrouted events, released handover assignments with their
// notifications, expired dashboard sessions, old rate-limit windows, decided knowledge suggestions,
// expired answer choices and held agent messages. Messages (with their files) and visitor sessions
// are kept forever unless MESSAGE_RETENTION_DAYS says otherwise. Rows go in small batches found
// through an index (migration 321), with the event loop given back between batches: on SQLite a
// statement holds the whole process, so no batch may keep a request waiting. Then SQLite's free
// pages are given back (db/sqlite-upkeep.ts). Several instances may run it at once: a row removed
// twice is removed once.
import type { DeleteResult } from 'kysely';
import { HUMAN_STATUSES } from '../../core/status.js';
import { freePages, reclaimFreePages } from '../../db/sqlite-upkeep.js';
import type { AppContext } from '../context.js';
import { deleteMedia } from '../media/files.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** rows per batch at most; fewer when batches take longer than the budget */
const MAX_BATCH = 1_000;
const MIN_BATCH = 10;
/** one batch's time target, well below the 50 ms a request may be kept waiting */
const BATCH_BUDGET_MS = 20;
/** SQLite pages given back per step at first (1 MB of 4 KB pages), adjusted like a batch */
const RECLAIM_PAGES = 256;
/** the first run, this long after start (then every RETENTION_INTERVAL_MINUTES) */
const FIRST_RUN_AFTER_MS = 60_000;

export interface RetentionCounts {
  jobs: number;
  unroutedEvents: number;
  handoverAssignments: number;
  handoverNotifications: number;
  dashboardSessions: number;
  widgetSessions: number;
  rateLimits: number;
  knowledgeSuggestions: number;
  /** expired answer choices and held agent messages */
  expiredPicks: number;
  messages: number;
  messageFiles: number;
  widgetUploads: number;
  /** SQLite pages given back to the system (the file shrank by as many) */
  reclaimedPages: number;
}

interface Run {
  ctx: AppContext;
  counts: RetentionCounts;
  /** true once the server is stopping: no further batch starts */
  stopped: () => boolean;
  /** rows per batch, halved when a batch overruns the budget and doubled when it is quick */
  batch: number;
}

/** Removes everything past its retention; resolves to what it removed. */
export async function runRetention(ctx: AppContext, options: { stopped?: () => boolean } = {}): Promise<RetentionCounts> {
  const run: Run = { ctx, counts: emptyCounts(), stopped: options.stopped ?? (() => false), batch: MAX_BATCH };
  const days = ctx.config.retention;
  const now = ctx.clock.now().getTime();
  const before = (d: number) => new Date(now - d * DAY_MS).toISOString();

  await removeFinishedJobs(run, before(days.jobsDays));
  await removeUnroutedEvents(run, { replayedBefore: before(days.jobsDays), receivedBefore: before(days.unroutedDays) });
  await removeReleasedAssignments(run, before(days.handoversDays));
  run.counts.dashboardSessions += await inBatches(run, (limit) =>
    ctx.db
      .deleteFrom('dashboard_sessions')
      .where(
        'token_hash',
        'in',
        ctx.db.selectFrom('dashboard_sessions').select('token_hash').where('expires_at', '<=', new Date(now).toISOString()).limit(limit),
      )
      .executeTakeFirst(),
  );
  const firstMinuteKept = Math.floor(now / 60_000) - days.rateLimitDays * 24 * 60;
  run.counts.rateLimits += await inBatches(run, (limit) =>
    ctx.db
      .deleteFrom('rate_limits')
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('scope', 'key', 'minute'),
          'in',
          selectFrom('rate_limits').select(['scope', 'key', 'minute']).where('minute', '<', firstMinuteKept).limit(limit).$asTuple('scope', 'key', 'minute'),
        ),
      )
      .executeTakeFirst(),
  );
  await removeDecidedSuggestions(run, before(days.suggestionsDays));
  await removeExpiredPicks(run, new Date(now).toISOString());
  if (days.messagesDays !== undefined) {
    await removeOldMessages(run, before(days.messagesDays));
    await removeIdleVisitorSessions(run, before(days.messagesDays));
  }
  if (ctx.database.sqlite && removedAnything(run.counts)) await reclaimSqliteSpace(run);

  if (removedAnything(run.counts)) {
    const removed = Object.fromEntries(Object.entries(run.counts).filter(([, n]) => n > 0));
    ctx.log.info({ removed }, 'retention removed old rows');
  }
  return run.counts;
}

/** Runs retention every RETENTION_INTERVAL_MINUTES; the returned function stops it (and waits for a running pass). */
export function startRetention(ctx: AppContext, everyMs = ctx.config.retention.everyMs): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  let stopping = false;
  const pass = () => {
    if (running || stopping) return; // a long pass is not overlapped by the next one
    running = runRetention(ctx, { stopped: () => stopping })
      .catch((err: Error) => ctx.log.error({ err: err.message }, 'retention failed'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(pass, Math.min(FIRST_RUN_AFTER_MS, everyMs));
  const timer = setInterval(pass, everyMs);
  first.unref();
  timer.unref();
  return async () => {
    stopping = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

/** Done and failed jobs; a pending job (new, or waiting to be retried) and a running one stay whatever their age. */
async function removeFinishedJobs(run: Run, finishedBefore: string): Promise<void> {
  const { db } = run.ctx;
  for (const status of ['done', 'failed']) {
    run.counts.jobs += await inBatches(run, (limit) =>
      db
        .deleteFrom('jobs')
        .where('id', 'in', db.selectFrom('jobs').select('id').where('status', '=', status).where('updated_at', '<', finishedBefore).limit(limit))
        .executeTakeFirst(),
    );
  }
}

/** Events replayed a while ago (they did their work), and events never replayed past their own retention. */
async function removeUnroutedEvents(run: Run, cutoffs: { replayedBefore: string; receivedBefore: string }): Promise<void> {
  const { db } = run.ctx;
  run.counts.unroutedEvents += await inBatches(run, (limit) =>
    db
      .deleteFrom('unrouted_events')
      .where('id', 'in', db.selectFrom('unrouted_events').select('id').where('replayed_at', '<', cutoffs.replayedBefore).limit(limit))
      .executeTakeFirst(),
  );
  run.counts.unroutedEvents += await inBatches(run, (limit) =>
    db
      .deleteFrom('unrouted_events')
      .where(
        'id',
        'in',
        db.selectFrom('unrouted_events').select('id').where('replayed_at', 'is', null).where('received_at', '<', cutoffs.receivedBefore).limit(limit),
      )
      .executeTakeFirst(),
  );
}

/**
 * Assignments released long ago, with the notifications sent for them. One whose conversation a
 * person still has (a sender released, another carrying it on) stays: replies are routed through them.
 */
async function removeReleasedAssignments(run: Run, releasedBefore: string): Promise<void> {
  const { db } = run.ctx;
  run.counts.handoverAssignments += await inBatches(run, async (limit) => {
    const ids = (
      await db
        .selectFrom('handover_assignments as a')
        .select('a.id')
        .where('a.released_at', '<', releasedBefore)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('conversations as c')
                .select('c.id')
                .whereRef('c.id', '=', 'a.conversation_id')
                .where('c.status', 'in', [...HUMAN_STATUSES]),
            ),
          ),
        )
        .limit(limit)
        .execute()
    ).map((row) => row.id);
    if (ids.length === 0) return 0;
    return db.transaction().execute(async (trx) => {
      const notifications = await trx.deleteFrom('handover_notifications').where('assignment_id', 'in', ids).executeTakeFirst();
      run.counts.handoverNotifications += Number(notifications.numDeletedRows);
      return trx.deleteFrom('handover_assignments').where('id', 'in', ids).executeTakeFirst();
    });
  });
}

/** Suggestions accepted (their answer lives on as a knowledge document) or dismissed long ago; waiting ones stay. */
async function removeDecidedSuggestions(run: Run, decidedBefore: string): Promise<void> {
  const { db } = run.ctx;
  for (const status of ['accepted', 'dismissed'] as const) {
    run.counts.knowledgeSuggestions += await inBatches(run, (limit) =>
      db
        .deleteFrom('knowledge_suggestions')
        .where(
          'id',
          'in',
          db.selectFrom('knowledge_suggestions').select('id').where('status', '=', status).where('decided_at', '<', decidedBefore).limit(limit),
        )
        .executeTakeFirst(),
    );
  }
}

/** Choices an answer offered and agents' messages held for a pick, once expired: they are never read again. */
async function removeExpiredPicks(run: Run, now: string): Promise<void> {
  const { db } = run.ctx;
  run.counts.expiredPicks += await inBatches(run, (limit) =>
    db
      .deleteFrom('answer_choices')
      .where('conversation_id', 'in', db.selectFrom('answer_choices').select('conversation_id').where('expires_at', '<=', now).limit(limit))
      .executeTakeFirst(),
  );
  // One row per agent and sender at most: a small table, removed in one statement.
  const held = await db.deleteFrom('held_agent_messages').where('expires_at', '<=', now).executeTakeFirst();
  run.counts.expiredPicks += Number(held.numDeletedRows);
}

/**
 * Messages older than MESSAGE_RETENTION_DAYS in closed conversations, with their files (copied
 * inbound media, visitor uploads). An open conversation keeps its whole history. Organization by
 * organization, oldest first, through (organization_id, created_at); each batch continues where the
 * last one stopped, so the kept messages of open conversations are read once per run.
 */
async function removeOldMessages(run: Run, createdBefore: string): Promise<void> {
  const { db } = run.ctx;
  const organizations = await db.selectFrom('organizations').select('id').execute();
  for (const { id: organizationId } of organizations) {
    let from = '';
    await inBatches(run, async (limit) => {
      const batch = await db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select(['m.id', 'm.media', 'm.created_at'])
        .where('m.organization_id', '=', organizationId)
        .where('m.created_at', '<', createdBefore)
        .where('m.created_at', '>=', from)
        .where('c.status', '=', 'closed')
        .orderBy('m.created_at')
        .limit(limit)
        .execute();
      if (batch.length === 0) return 0;
      from = batch.at(-1)!.created_at;
      const ids = batch.map((m) => m.id);
      // The files first (objects, then rows): a message whose file is gone is removed on the next run should this one stop.
      run.counts.messageFiles += await deleteMedia(run.ctx, { messageIds: ids });
      const uploads = batch.map((m) => uploadIdOf(m.media)).filter((id): id is string => id !== undefined);
      run.counts.widgetUploads += await deleteMedia(run.ctx, { uploadIds: uploads });
      await giveWayToRequests();
      // The usage report's counters (usage_counts, migration 371) are left as they are: a month's
      // usage and cost stay reported after its messages are removed.
      const removed = Number((await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
      run.counts.messages += removed;
      return batch.length;
    });
  }
}

/** A visitor's file is named by its URL in the message's media (widgets/uploads.ts). */
function uploadIdOf(media: string | null): string | undefined {
  if (!media) return undefined;
  const url = (JSON.parse(media) as { url?: unknown }).url;
  return typeof url === 'string' ? /\/api\/widget\/uploads\/([0-9a-f-]{36})$/.exec(url)?.[1] : undefined;
}

/**
 * Visitor sessions unseen for MESSAGE_RETENTION_DAYS whose visitor has no open conversation: their
 * messages are gone, so the widget starts a new session. Their remaining uploads go with them (041).
 */
async function removeIdleVisitorSessions(run: Run, lastSeenBefore: string): Promise<void> {
  const { db } = run.ctx;
  run.counts.widgetSessions += await inBatches(run, async (limit) => {
    const idle = await db
      .selectFrom('widget_sessions as s')
      .select('s.id')
      .where('s.last_seen_at', '<', lastSeenBefore)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('conversations as c').select('c.id').whereRef('c.contact_id', '=', 's.contact_id').where('c.status', '<>', 'closed'))),
      )
      .limit(limit)
      .execute();
    if (idle.length === 0) return 0;
    const ids = idle.map((session) => session.id);
    // Their uploads' stored files first: deleting the sessions alone would leave the objects behind.
    run.counts.widgetUploads += await deleteMedia(run.ctx, { sessionIds: ids });
    return Number((await db.deleteFrom('widget_sessions').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
  });
}

/** Gives the pages the removed rows left free back to the system, a budget's worth at a time. */
async function reclaimSqliteSpace(run: Run): Promise<void> {
  const sqlite = run.ctx.database.sqlite!;
  let pages = RECLAIM_PAGES;
  while (!run.stopped() && freePages(sqlite) > 0) {
    const started = performance.now();
    const freed = reclaimFreePages(sqlite, pages);
    if (freed === 0) return;
    run.counts.reclaimedPages += freed;
    pages = resized(pages, performance.now() - started, RECLAIM_PAGES * 16);
    await giveWayToRequests();
  }
}

/**
 * Repeats `batch(limit)` until it handles fewer rows than asked (or the server stops), adjusting
 * the batch to the time budget and giving the event loop back between batches. Resolves to the
 * rows the batches reported.
 */
async function inBatches(run: Run, batch: (limit: number) => Promise<number | DeleteResult>): Promise<number> {
  let total = 0;
  while (!run.stopped()) {
    const limit = run.batch;
    const started = performance.now();
    const result = await batch(limit);
    const rows = typeof result === 'number' ? result : Number(result.numDeletedRows);
    run.batch = resized(limit, performance.now() - started, MAX_BATCH);
    total += rows;
    if (rows < limit) break;
    await giveWayToRequests();
  }
  return total;
}

function resized(size: number, tookMs: number, max: number): number {
  if (tookMs > BATCH_BUDGET_MS) return Math.max(MIN_BATCH, Math.floor(size / 2));
  if (tookMs < BATCH_BUDGET_MS / 4) return Math.min(max, size * 2);
  return size;
}

/** Lets waiting requests and webhooks run before the next batch (SQLite statements hold the process). */
function giveWayToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function emptyCounts(): RetentionCounts {
  return {
    jobs: 0,
    unroutedEvents: 0,
    handoverAssignments: 0,
    handoverNotifications: 0,
    dashboardSessions: 0,
    widgetSessions: 0,
    rateLimits: 0,
    knowledgeSuggestions: 0,
    expiredPicks: 0,
    messages: 0,
    messageFiles: 0,
    widgetUploads: 0,
    reclaimedPages: 0,
  };
}

function removedAnything(counts: RetentionCounts): boolean {
  return Object.entries(counts).some(([name, n]) => name !== 'reclaimedPages' && n > 0);
}
