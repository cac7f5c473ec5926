// Group commit for the webhook hot path: every write that arrives in one event-loop turn goes into
// one transaction, and each webhook is answered after that commit. With synchronous=FULL an fsync
// per webhook would cap throughput; one fsync per turn keeps "answered 200 = on disk" cheaply
// (SPEC §13). De-duplication is the unique index on (provider, provider_message_id): a repeated
// message inserts nothing and enqueues nothing.
import { sql } from 'kysely';
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { Tx } from '../../db/database.js';
import type { Message, NewMessage } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import type { InboundMessageRow, InboundWriter, StoreResult, StoreWrite } from './writes.js';
import { showSeenByAgent } from '../handover/presence.js';
import { newJobRow, wakeWorkers } from '../../jobs/queue.js';
import { STATUS_RANK } from '../../core/delivery.js';
import { publishMessage } from '../conversations/messages.js';
import { lockProviderMessage } from './pending-statuses.js';

export type { InboundMessageRow, StoreResult, StoreWrite } from './writes.js';

interface Pending {
  write: StoreWrite;
  resolve: (result: StoreResult) => void;
  reject: (err: unknown) => void;
}

/** STATUS_RANK in SQL; a status it does not know ranks with `failed` and is never overwritten. */
const RANK_SQL = `case status ${Object.entries(STATUS_RANK)
  .map(([status, rank]) => `when '${status}' then ${rank}`)
  .join(' ')} else ${STATUS_RANK.failed} end`;

const MESSAGE_COLUMNS = [
  'organization_id',
  'direction',
  'author',
  'audience',
  'body',
  'media',
  'provider',
  'provider_message_id',
  'reply_to_provider_message_id',
  'number_id',
  'from_address',
  'to_address',
  'status',
  'category',
  'cost',
  'created_at',
  'updated_at',
] as const;
const JOB_COLUMNS = ['kind', 'payload', 'status', 'run_at', 'attempts', 'max_attempts', 'idempotency_key', 'created_at', 'updated_at'] as const;

// A late `sent` after `delivered` matches nothing; `failed` is terminal and records why.
const STATUS_UPDATE = `update messages set status = @status, updated_at = @at,
  send_success = case when @status = 'failed' then 0 else coalesce(send_success, 1) end,
  send_error = case when @status = 'failed' then @error else send_error end,
  error_code = case when @status = 'failed' then @code else error_code end
  where provider = @provider and provider_message_id = @id and direction = 'out' and status <> 'failed' and ${RANK_SQL} < @rank
  returning *`;

/** A status's rank in SQL, from STATUS_RANK (statuses reaching SQL are known ones, checked in receive.ts). */
const rankOf = (column: string) =>
  `case ${column} ${Object.entries(STATUS_RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(' ')} else 0 end`;

// A status for an id no message carries yet arrived before its send stored the id: it is kept (the
// higher of two kept ones wins) and applied by applyPendingStatus (pending-statuses.ts). A message
// that has the id and was not updated already has a later status: nothing to keep.
const KEEP_PENDING = `insert into pending_statuses (provider, provider_message_id, status, error_code, error_message, reference, received_at)
  select cast(@provider as text), cast(@id as text), cast(@status as text), cast(@code as text), cast(@error as text), cast(@reference as text), cast(@at as text)
  where not exists (select 1 from messages where provider = @provider and provider_message_id = @id)
  on conflict (provider, provider_message_id) do update set
    status = excluded.status, error_code = excluded.error_code, error_message = excluded.error_message, received_at = excluded.received_at,
    reference = coalesce(excluded.reference, pending_statuses.reference)
  where ${rankOf('excluded.status')} > ${rankOf('pending_statuses.status')}`;
// Statuses of messages that were never ours (another system on the same account) do not pile up.
const SWEEP_PENDING = 'delete from pending_statuses where received_at < @before';
const PENDING_KEPT_MS = 7 * 24 * 3600_000;

class GroupCommit implements InboundWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private statements?: ReturnType<typeof prepareSqlite>;

  constructor(private ctx: AppContext) {}

  submit(write: StoreWrite): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (!this.scheduled && !this.flushing) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      let results: StoreResult[];
      try {
        results = await this.commit(batch.map((p) => p.write));
      } catch (err) {
        // One bad write must not fail its neighbours: retry each on its own.
        if (batch.length === 1) throw err;
        for (const pending of batch) {
          this.commit([pending.write])
            .then(async ([result]) => {
              pending.resolve(result!);
              await this.afterCommit([result!]);
            })
            .catch(pending.reject);
        }
        return;
      }
      for (const [i, pending] of batch.entries()) pending.resolve(results[i]!);
      await this.afterCommit(results);
    } catch (err) {
      for (const pending of batch) pending.reject(err);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    }
  }

  private async afterCommit(results: StoreResult[]): Promise<void> {
    if (results.some((r) => r.kind === 'message' && r.inserted)) wakeWorkers(this.ctx);
    for (const result of results) {
      if (result.kind !== 'status') continue;
      for (const message of result.updated) {
        await publishMessage(this.ctx, message, 'status').catch(() => {});
        // An agent reading a forwarded visitor message shows as "seen" in the widget.
        if (message.audience === 'agent') await showSeenByAgent(this.ctx, message).catch(() => false);
      }
    }
  }

  private commit(writes: StoreWrite[]): Promise<StoreResult[]> {
    const { ctx } = this;
    if (ctx.database.sqlite) {
      const sqlite = ctx.database.sqlite;
      this.statements ??= prepareSqlite(sqlite);
      const statements = this.statements;
      // Hold Kysely's connection while the raw statements run: a Kysely transaction awaiting between
      // its statements would otherwise silently include ours (one shared better-sqlite3 handle).
      return ctx.db.connection().execute(async () => sqlite.transaction(() => writes.map((w) => applySqlite(statements, w)))());
    }
    return ctx.db.transaction().execute(async (trx) => {
      const results: StoreResult[] = [];
      for (const write of writes) results.push(await applyKysely(trx, write));
      return results;
    });
  }
}

function prepareSqlite(sqlite: SqliteHandle) {
  return {
    message: sqlite.prepare(
      `insert into messages (${MESSAGE_COLUMNS.join(', ')}) values (${MESSAGE_COLUMNS.map((c) => `@${c}`).join(', ')})
       on conflict do nothing returning id`,
    ),
    job: sqlite.prepare(`insert into jobs (${JOB_COLUMNS.join(', ')}) values (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')}) on conflict do nothing`),
    status: sqlite.prepare(STATUS_UPDATE),
    keepPending: sqlite.prepare(KEEP_PENDING),
    sweepPending: sqlite.prepare(SWEEP_PENDING),
    unrouted: sqlite.prepare(
      'insert into unrouted_events (provider, reason, payload, headers, received_at) values (@provider, @reason, @payload, @headers, @at) returning id',
    ),
  } satisfies Record<string, Statement>;
}

function messageValues(row: InboundMessageRow) {
  return Object.fromEntries(MESSAGE_COLUMNS.map((c) => [c, row[c] ?? null]));
}

function applySqlite(s: ReturnType<typeof prepareSqlite>, write: StoreWrite): StoreResult {
  switch (write.kind) {
    case 'message': {
      const inserted = s.message.get(messageValues(write.row)) as { id: number } | undefined;
      if (!inserted) return { kind: 'message', inserted: false };
      s.job.run(newJobRow(write.reaction(inserted.id), write.row.created_at));
      return { kind: 'message', inserted: true, id: inserted.id };
    }
    case 'status': {
      const updated = s.status.all(statusParams(write)) as Message[];
      if (updated.length === 0) {
        s.keepPending.run(pendingParams(write));
        s.sweepPending.run(sweepParams(write));
      }
      return { kind: 'status', updated };
    }
    case 'unrouted': {
      const { id } = s.unrouted.get(write) as { id: number };
      return { kind: 'unrouted', id };
    }
  }
}

function statusParams(write: Extract<StoreWrite, { kind: 'status' }>) {
  return {
    status: write.status,
    at: write.at,
    error: write.errorMessage ?? (write.errorCode ? `The provider reported error ${write.errorCode}.` : 'The provider reported the message as failed.'),
    code: write.errorCode ?? null,
    provider: write.provider,
    id: write.providerMessageId,
    rank: STATUS_RANK[write.status] ?? 0,
  };
}

function pendingParams(write: Extract<StoreWrite, { kind: 'status' }>) {
  const { provider, id, status, code, error, at } = statusParams(write);
  return { provider, id, status, code, error: status === 'failed' ? error : null, reference: write.reference ?? null, at };
}

function sweepParams(write: Extract<StoreWrite, { kind: 'status' }>) {
  return { before: new Date(Date.parse(write.at) - PENDING_KEPT_MS).toISOString() };
}

// Only the PostgreSQL path comes here (SQLite runs the prepared statements in applySqlite).
async function applyKysely(trx: Tx, write: StoreWrite): Promise<StoreResult> {
  switch (write.kind) {
    case 'message': {
      const inserted = await trx
        .insertInto('messages')
        .values(messageValues(write.row) as NewMessage)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return { kind: 'message', inserted: false };
      await trx
        .insertInto('jobs')
        .values(newJobRow(write.reaction(inserted.id), write.row.created_at))
        .onConflict((oc) => oc.doNothing())
        .execute();
      return { kind: 'message', inserted: true, id: inserted.id };
    }
    case 'status': {
      const update = withNamedParameters<Message>(STATUS_UPDATE, statusParams(write));
      let result = await update.execute(trx);
      if (result.rows.length === 0) {
        await lockProviderMessage(trx, write.provider, write.providerMessageId);
        // Again under the lock: a send that stored this id meanwhile is now visible.
        result = await update.execute(trx);
        if (result.rows.length === 0) {
          await withNamedParameters(KEEP_PENDING, pendingParams(write)).execute(trx);
          await withNamedParameters(SWEEP_PENDING, sweepParams(write)).execute(trx);
        }
      }
      return { kind: 'status', updated: result.rows };
    }
    case 'unrouted': {
      const row = await trx
        .insertInto('unrouted_events')
        .values({ provider: write.provider, reason: write.reason, payload: write.payload, headers: write.headers, received_at: write.at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { kind: 'unrouted', id: row.id };
    }
  }
}

/** One SQL text for both engines: `@name` placeholders become bound Kysely parameters. */
function withNamedParameters<Row>(text: string, params: Record<string, unknown>) {
  const parts = text.split(/@(\w+)/);
  return sql<Row>`${sql.join(
    parts.map((part, i) => (i % 2 === 1 ? sql`${params[part]}` : sql.raw(part))),
    sql.raw(''),
  )}`;
}

/** Stores one write with everything else of this event-loop turn; resolves after the commit. */
export function storeInbound(ctx: AppContext, write: StoreWrite): Promise<StoreResult> {
  ctx.state.inboundWriter ??= new GroupCommit(ctx);
  return ctx.state.inboundWriter.submit(write);
}
