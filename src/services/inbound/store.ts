// Group commit for the webhook hot path: every write that arrives in one event-loop turn goes into
// one transaction, and each webhook is answered after that commit. With synchronous=FULL an fsync
// per webhook would cap throughput; one fsync per turn keeps "answered 200 = on disk" cheaply
// (SPEC §13). De-duplication is the unique index on (provider, provider_message_id): a repeated
// message inserts nothing and enqueues nothing.
//
// A batch's messages go in as one multi-row insert and their reaction jobs as another, through
// statements prepared once outside Kysely. On PostgreSQL both are one statement (one round trip,
// committed on its own with synchronous_commit on); statuses and unrouted events, rarer and
// needing a lock, take Kysely's transaction.
import { sql } from 'kysely';
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { Pool } from 'pg';
import type { Tx } from '../../db/database.js';
import type { Message } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import type { InboundWriter, MessageReaction, StoreResult, StoreWrite } from './writes.js';
import { showSeenByAgent } from '../handover/presence.js';
import { newJobRow, wakeWorkers } from '../../jobs/queue.js';
import { STATUS_RANK } from '../../core/delivery.js';
import { PLATFORM_SECRET } from '../../core/signers.js';
import { publishMessage } from '../conversations/messages.js';
import { lockProviderMessage } from '../outbound/pending-statuses.js';

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

// A status signed with a connection's own secret changes only messages sent from that connection's
// numbers: else an organization holding its own secret could mark another's messages read or failed
// by naming their provider ids. The platform's secret verifies the platform's numbers, all of them.
const SIGNED_BY_ITS_SECRET = `(@verifiedBy = '${PLATFORM_SECRET}' or number_id in (select id from numbers where connection_id = @verifiedBy))`;

// A late `sent` after `delivered` matches nothing; `failed` is terminal and records why.
const STATUS_UPDATE = `update messages set status = @status, updated_at = @at,
  send_success = case when @status = 'failed' then 0 else coalesce(send_success, 1) end,
  send_error = case when @status = 'failed' then @error else send_error end,
  error_code = case when @status = 'failed' then @code else error_code end
  where provider = @provider and provider_message_id = @id and direction = 'out' and status <> 'failed' and ${RANK_SQL} < @rank
    and ${SIGNED_BY_ITS_SECRET}
  returning *`;

/** A status's rank in SQL, from STATUS_RANK (statuses reaching SQL are known ones, checked in receive.ts). */
const rankOf = (column: string) =>
  `case ${column} ${Object.entries(STATUS_RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(' ')} else 0 end`;

// A status for an id no message carries yet arrived before its send stored the id: it is kept (the
// higher of two kept ones wins) and applied by applyPendingStatus (pending-statuses.ts). A message
// that has the id and was not updated already has a later status: nothing to keep.
const KEEP_PENDING = `insert into pending_statuses (provider, provider_message_id, status, error_code, error_message, reference, verified_by, received_at)
  select cast(@provider as text), cast(@id as text), cast(@status as text), cast(@code as text), cast(@error as text), cast(@reference as text),
    cast(@verifiedBy as text), cast(@at as text)
  where not exists (select 1 from messages where provider = @provider and provider_message_id = @id)
  on conflict (provider, provider_message_id) do update set
    status = excluded.status, error_code = excluded.error_code, error_message = excluded.error_message, received_at = excluded.received_at,
    reference = coalesce(excluded.reference, pending_statuses.reference), verified_by = excluded.verified_by
  where ${rankOf('excluded.status')} > ${rankOf('pending_statuses.status')}`;
// Statuses of messages that were never ours (another system on the same account) do not pile up.
const SWEEP_PENDING = 'delete from pending_statuses where received_at < @before';
const PENDING_KEPT_MS = 7 * 24 * 3600_000;

/** Messages per multi-row statement (SQLite binds at most 32,766 values; a message has 17). */
const ROWS_PER_STATEMENT = 64;

/**
 * Batches committing at once. SQLite commits synchronously, one at a time. PostgreSQL waits on the
 * network and on its WAL flush: the next turn's writes go out while earlier batches are in flight
 * (the server then flushes their commits together), within the pool's connections.
 */
const POSTGRES_BATCHES_IN_FLIGHT = 4;

class GroupCommit implements InboundWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private statements?: SqliteStatements;
  private readonly maxInFlight: number;

  constructor(private ctx: AppContext) {
    this.maxInFlight = ctx.database.sqlite ? 1 : POSTGRES_BATCHES_IN_FLIGHT;
  }

  submit(write: StoreWrite): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.inFlight += 1;
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
      this.inFlight -= 1;
      this.schedule();
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
    const sqlite = ctx.database.sqlite;
    if (sqlite) {
      this.statements ??= new SqliteStatements(sqlite);
      const statements = this.statements;
      // Hold Kysely's connection while the raw statements run: a Kysely transaction awaiting between
      // its statements would otherwise silently include ours (one shared better-sqlite3 handle).
      return ctx.db.connection().execute(async () => sqlite.transaction(() => commitSqlite(statements, writes))());
    }
    return commitPostgres(ctx, writes);
  }
}

type MessageWrite = Extract<StoreWrite, { kind: 'message' }>;
type StoredMessage = { id: number; provider: string; provider_message_id: string };

const messageKey = (provider: string, providerMessageId: string) => `${provider}\u0000${providerMessageId}`;

/**
 * The batch's messages, each (provider, message id) once. A second copy in the same batch (a
 * concurrent duplicate delivery) is answered as the duplicate it is, in `results`.
 */
function distinctMessages(writes: StoreWrite[], results: StoreResult[]): Array<{ index: number; write: MessageWrite }> {
  const seen = new Set<string>();
  const messages: Array<{ index: number; write: MessageWrite }> = [];
  writes.forEach((write, index) => {
    if (write.kind !== 'message') return;
    const key = messageKey(write.row.provider, write.row.provider_message_id);
    if (seen.has(key)) results[index] = { kind: 'message', inserted: false };
    else {
      seen.add(key);
      messages.push({ index, write });
    }
  });
  return messages;
}

/** Puts each message's outcome in `results`; returns the stored ones with their ids. */
function settleMessages(messages: Array<{ index: number; write: MessageWrite }>, stored: StoredMessage[], results: StoreResult[]) {
  const ids = new Map(stored.map((row) => [messageKey(row.provider, row.provider_message_id), row.id]));
  const inserted: Array<{ id: number; write: MessageWrite }> = [];
  for (const { index, write } of messages) {
    const id = ids.get(messageKey(write.row.provider, write.row.provider_message_id));
    results[index] = id === undefined ? { kind: 'message', inserted: false } : { kind: 'message', inserted: true, id };
    if (id !== undefined) inserted.push({ id, write });
  }
  return inserted;
}

/** The reaction's job row for the stored message `messageId`. */
function reactionJob(reaction: MessageReaction, messageId: number, at: string) {
  return newJobRow({ kind: reaction.kind, payload: { messageId, ...reaction.payload }, idempotencyKey: `${reaction.idempotencyPrefix}${messageId}` }, at);
}

/** `rows` groups of `columns` placeholders: the VALUES of a multi-row insert. */
function placeholders(columns: number, rows: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

/** SQLite statements of the hot path, prepared once (multi-row inserts: once per row count). */
class SqliteStatements {
  private messagesByRows = new Map<number, Statement>();
  private jobsByRows = new Map<number, Statement>();
  readonly status: Statement;
  readonly keepPending: Statement;
  readonly sweepPending: Statement;
  readonly unrouted: Statement;

  constructor(private sqlite: SqliteHandle) {
    this.status = sqlite.prepare(STATUS_UPDATE);
    this.keepPending = sqlite.prepare(KEEP_PENDING);
    this.sweepPending = sqlite.prepare(SWEEP_PENDING);
    this.unrouted = sqlite.prepare(
      'insert into unrouted_events (provider, reason, payload, headers, verified_by, received_at) values (@provider, @reason, @payload, @headers, @verifiedBy, @at) returning id',
    );
  }

  messages(rows: number): Statement {
    let statement = this.messagesByRows.get(rows);
    if (!statement) {
      statement = this.sqlite.prepare(
        `insert into messages (${MESSAGE_COLUMNS.join(', ')}) values ${placeholders(MESSAGE_COLUMNS.length, rows)}
         on conflict do nothing returning id, provider, provider_message_id`,
      );
      this.messagesByRows.set(rows, statement);
    }
    return statement;
  }

  jobs(rows: number): Statement {
    let statement = this.jobsByRows.get(rows);
    if (!statement) {
      statement = this.sqlite.prepare(`insert into jobs (${JOB_COLUMNS.join(', ')}) values ${placeholders(JOB_COLUMNS.length, rows)} on conflict do nothing`);
      this.jobsByRows.set(rows, statement);
    }
    return statement;
  }
}

/** Inside one SQLite transaction: the messages and their jobs in multi-row inserts, then the rest. */
function commitSqlite(s: SqliteStatements, writes: StoreWrite[]): StoreResult[] {
  const results: StoreResult[] = new Array(writes.length);
  const messages = distinctMessages(writes, results);
  for (let start = 0; start < messages.length; start += ROWS_PER_STATEMENT) {
    const chunk = messages.slice(start, start + ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    for (const { write } of chunk) for (const column of MESSAGE_COLUMNS) values.push(write.row[column] ?? null);
    const inserted = settleMessages(chunk, s.messages(chunk.length).all(values) as StoredMessage[], results);
    if (inserted.length === 0) continue;
    const jobValues: unknown[] = [];
    for (const { id, write } of inserted) {
      const job = reactionJob(write.reaction, id, write.row.created_at);
      for (const column of JOB_COLUMNS) jobValues.push(job[column]);
    }
    s.jobs(inserted.length).run(jobValues);
  }
  writes.forEach((write, index) => {
    if (write.kind !== 'message') results[index] = applySqlite(s, write);
  });
  return results;
}

function applySqlite(s: SqliteStatements, write: Exclude<StoreWrite, MessageWrite>): StoreResult {
  switch (write.kind) {
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

/**
 * PostgreSQL: a batch's messages and their reaction jobs in one statement, prepared once per
 * connection (one round trip; the statement commits on its own). Each column travels as one array.
 */
const POSTGRES_MESSAGES = {
  name: 'inbound-messages-with-reactions',
  text: `with input as (
    select * from unnest(${MESSAGE_COLUMNS.map((c, i) => `$${i + 1}::${c === 'cost' ? 'float8' : 'text'}[]`).join(', ')},
      $${MESSAGE_COLUMNS.length + 1}::text[], $${MESSAGE_COLUMNS.length + 2}::text[], $${MESSAGE_COLUMNS.length + 3}::text[], $${MESSAGE_COLUMNS.length + 4}::int[])
      with ordinality as i(${MESSAGE_COLUMNS.join(', ')}, job_kind, job_payload, job_key_prefix, job_max_attempts, n)
  ), stored as (
    insert into messages (${MESSAGE_COLUMNS.join(', ')})
    select ${MESSAGE_COLUMNS.join(', ')} from input order by n
    on conflict do nothing
    returning id, provider, provider_message_id
  ), reactions as (
    insert into jobs (kind, payload, status, run_at, attempts, max_attempts, idempotency_key, created_at, updated_at)
    select i.job_kind, (jsonb_build_object('messageId', s.id) || i.job_payload::jsonb)::text, 'pending', i.created_at, 0,
      i.job_max_attempts, i.job_key_prefix || s.id, i.created_at, i.created_at
    from stored s join input i on i.provider = s.provider and i.provider_message_id = s.provider_message_id
    on conflict do nothing
  )
  select id, provider, provider_message_id from stored`,
};

async function insertPostgresMessages(pool: Pool, messages: MessageWrite[]): Promise<StoredMessage[]> {
  const columns: unknown[][] = [...MESSAGE_COLUMNS.map(() => [] as unknown[]), [], [], [], []];
  const extra = MESSAGE_COLUMNS.length;
  for (const { row, reaction } of messages) {
    for (const [i, column] of MESSAGE_COLUMNS.entries()) columns[i]!.push(row[column] ?? null);
    columns[extra]!.push(reaction.kind);
    columns[extra + 1]!.push(JSON.stringify(reaction.payload));
    columns[extra + 2]!.push(reaction.idempotencyPrefix);
    columns[extra + 3]!.push(reactionJob(reaction, 0, row.created_at).max_attempts);
  }
  const result = await pool.query<StoredMessage>({ ...POSTGRES_MESSAGES, values: columns });
  return result.rows;
}

async function commitPostgres(ctx: AppContext, writes: StoreWrite[]): Promise<StoreResult[]> {
  const results: StoreResult[] = new Array(writes.length);
  const messages = distinctMessages(writes, results);
  const others = writes.flatMap((write, index) => (write.kind === 'message' ? [] : [{ index, write }]));
  if (messages.length > 0) {
    settleMessages(
      messages,
      await insertPostgresMessages(
        ctx.database.pool!,
        messages.map((m) => m.write),
      ),
      results,
    );
  }
  if (others.length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      for (const { index, write } of others) results[index] = await applyKysely(trx, write);
    });
  }
  return results;
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
    verifiedBy: write.verifiedBy,
  };
}

function pendingParams(write: Extract<StoreWrite, { kind: 'status' }>) {
  const { provider, id, status, code, error, at, verifiedBy } = statusParams(write);
  return { provider, id, status, code, error: status === 'failed' ? error : null, reference: write.reference ?? null, verifiedBy, at };
}

function sweepParams(write: Extract<StoreWrite, { kind: 'status' }>) {
  return { before: new Date(Date.parse(write.at) - PENDING_KEPT_MS).toISOString() };
}

// Statuses and unrouted events on PostgreSQL (messages go in insertPostgresMessages).
async function applyKysely(trx: Tx, write: Exclude<StoreWrite, MessageWrite>): Promise<StoreResult> {
  switch (write.kind) {
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
        .values({
          provider: write.provider,
          reason: write.reason,
          payload: write.payload,
          headers: write.headers,
          verified_by: write.verifiedBy,
          received_at: write.at,
        })
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
