// "A year of data" (issue 21), written straight into the product's own tables (src/db/schema.ts)
// after its migrations ran: organizations, their numbers and contacts, conversations over twelve
// months with their messages, finished jobs, unrouted events, handovers with their assignments and
// the agent notifications a swipe-reply points at. Scale 1 is the 100%: 2,000
// organizations, 500,000 contacts, 1,000,000 conversations, 10,000,000 messages, 2,000,000
// finished jobs, 50,000 unrouted events, with one large organization holding 5% of it.
// Bulk-written (see Writer): secondary indexes built after the rows, prepared statements in large
// transactions (SQLite), one INSERT … SELECT FROM unnest of column arrays per batch (PostgreSQL).
import type { Insertable } from 'kysely';
import type { Database } from '../src/db/database.js';
import { fillUsageCounts } from '../src/db/migrations/371_usage_counts.js';
import type { Database as Tables } from '../src/db/schema.js';
import { BENCH_NUMBERS } from './payloads.js';

export const FULL_YEAR = {
  organizations: 2_000,
  contacts: 500_000,
  conversations: 1_000_000,
  messages: 10_000_000,
  finishedJobs: 2_000_000,
  unroutedEvents: 50_000,
  /** the claim's backlog in the table: due jobs nobody has run yet */
  dueJobs: 226_000,
};

/** The organization holding 5% of everything; it owns the bench's numbers, so webhooks land on it. */
export const BIG_ORGANIZATION = 'org_big';
/** Its agents' phones (E.164): one of them swipe-replies in the bench. */
export const BIG_AGENTS = ['+447700900101', '+447700900102', '+447700900103'];
/** Open handovers of the large organization (a live inbox, not a year's worth: they do not grow with the data). */
const OPEN_HANDOVERS = 12;
const BIG_SHARE = 0.05;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

export interface LoadedYear {
  scale: number;
  counts: Record<string, number>;
  /** a notification the large organization sent to BIG_AGENTS[0], with its provider id (the swipe-reply's target) */
  notification: { providerMessageId: string; conversationId: string; agent: string; provider: string };
  /** the months with data, oldest first (YYYY-MM) */
  months: string[];
  seconds: number;
}

type Row<T extends keyof Tables> = Insertable<Tables[T]>;

/**
 * Writes rows of one table in bulk. `flush` writes the last batches and ends the bulk load (the
 * indexes and constraints set aside are back, as the migrations made them); a transaction is open
 * after it on SQLite, as before the bulk load.
 */
interface Writer {
  /**
   * `alike`: the values every row of the table has (the same object at each call), written once as
   * literals of the table's statement instead of bound again for each of millions of rows.
   */
  add<T extends keyof Tables>(table: T, row: Partial<Row<T>>, alike?: Partial<Row<T>>): Promise<void>;
  flush(): Promise<void>;
}

/** A value of `alike` as an SQL literal (strings, numbers and null are all the loader writes). */
function literal(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * The tables that grow with the year. Their secondary indexes (and on PostgreSQL their keys and
 * foreign keys) are set aside while their rows are written and built once from the same stored
 * definitions afterwards: one sort per index instead of millions of insertions into it.
 */
const BULK_TABLES = ['contacts', 'conversations', 'messages', 'handover_assignments', 'handover_notifications', 'jobs', 'unrouted_events'];

function sqliteWriter(database: Database): Writer {
  const sqlite = database.sqlite!;
  const foreignKeys = sqlite.pragma('foreign_keys', { simple: true }) as number;
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  const indexes = sqlite
    .prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${BULK_TABLES.map(() => '?').join(', ')})`)
    .all(...BULK_TABLES) as Array<{ name: string; sql: string }>;
  for (const { name } of indexes) sqlite.exec(`drop index "${name}"`);
  // A throw-away file being filled: no check of the references the loader builds itself, a large
  // page cache (no fsync either: loadYear); both are back before the product opens it. The WAL
  // stays: the driver refuses `journal_mode = OFF`.
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('cache_size = -262144');
  // One statement per table, its columns those of the table's first row; later rows bind by name
  // (a row missing one of them is refused by the driver).
  const statements = new Map<string, { run(row: unknown): unknown }>();
  let pending = 0;
  sqlite.exec('begin');
  return {
    async add(table, row, alike = {}) {
      let statement = statements.get(table);
      if (!statement) {
        const columns = Object.keys(row);
        const fixed = Object.keys(alike);
        const values = [...columns.map((c) => `@${c}`), ...fixed.map((c) => literal(alike[c as keyof typeof alike]))];
        statement = sqlite.prepare(`insert into ${table} (${[...columns, ...fixed].join(', ')}) values (${values.join(', ')})`);
        statements.set(table, statement);
      }
      statement.run(row);
      // Commit now and then: one transaction of ten million rows would hold a WAL as big as the data.
      if (++pending >= 200_000) {
        sqlite.exec('commit');
        sqlite.exec('begin');
        pending = 0;
      }
    },
    async flush() {
      sqlite.exec('commit');
      // One transaction per index, so the WAL is checkpointed between them rather than holding all.
      for (const { sql } of indexes) sqlite.exec(sql);
      sqlite.pragma(`cache_size = ${cacheSize}`);
      sqlite.pragma(`foreign_keys = ${foreignKeys}`);
      sqlite.exec('begin');
      pending = 0;
    },
  };
}

interface Batch {
  table: string;
  /** the columns of `alike` and their literals, the same in every row */
  fixed: string[];
  literals: string[];
  columns: string[];
  /** each column's type as the catalog names it: the arrays are cast to it */
  types: string[];
  /** one array per column */
  values: unknown[][];
  rows: number;
}

/** Rows per statement: each column goes as one array parameter, unnested by the server. */
const POSTGRES_BATCH_ROWS = 25_000;

async function postgresWriter(database: Database): Promise<Writer> {
  const client = await database.pool!.connect();
  // A throw-away database being filled: a commit does not wait for the WAL's flush; index builds sort in memory.
  await client.query(`set synchronous_commit = off`);
  await client.query(`set maintenance_work_mem = '512MB'`);
  const { rows: constraints } = await client.query<{ table: string; name: string; definition: string; type: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition, contype as type
       from pg_constraint
      where connamespace = current_schema()::regnamespace
        and ((contype in ('p', 'u') and conrelid::regclass::text = any($1))
          or (contype = 'f' and (conrelid::regclass::text = any($1) or confrelid::regclass::text = any($1))))
      order by contype = 'f', conname`,
    [BULK_TABLES],
  );
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
       from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid::regclass::text = any($1)
        and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid and c.contype in ('p', 'u', 'x'))
      order by i.relname`,
    [BULK_TABLES],
  );
  // Foreign keys first: a key another table's reference depends on cannot go before it.
  for (const c of [...constraints].reverse()) await client.query(`alter table ${c.table} drop constraint ${c.name}`);
  for (const i of indexes) await client.query(`drop index ${i.name}`);

  const batches = new Map<string, Batch>();
  // One statement runs on the server while the next batch is built here; a failure surfaces at the next send.
  let running: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  const send = async (batch: Batch) => {
    if (batch.rows === 0) return;
    await running;
    if (failure) throw failure;
    const { table, fixed, literals, columns, types, values } = batch;
    const arrays = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    running = client
      .query(`insert into ${table} (${[...fixed, ...columns].join(', ')}) select ${[...literals, 'u.*'].join(', ')} from unnest(${arrays}) as u`, values)
      .then(
        () => undefined,
        (err: Error) => {
          failure = err;
        },
      );
    batch.values = columns.map(() => []);
    batch.rows = 0;
  };
  const typesOf = async (table: string, columns: string[]) => {
    const { rows } = await client.query<{ name: string; type: string }>(
      `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped`,
      [table],
    );
    const types = new Map(rows.map((r) => [r.name, r.type]));
    return columns.map((c) => types.get(c)!);
  };
  return {
    async add(table, row, alike = {}) {
      let batch = batches.get(table);
      if (!batch) {
        const columns = Object.keys(row);
        const fixed = Object.keys(alike);
        const literals = fixed.map((c) => literal(alike[c as keyof typeof alike]));
        batch = { table, fixed, literals, columns, types: await typesOf(table, columns), values: columns.map(() => []), rows: 0 };
        batches.set(table, batch);
      }
      const { columns, values } = batch;
      const fields = row as Record<string, unknown>;
      for (let i = 0; i < columns.length; i++) {
        const value = fields[columns[i]!];
        // Left out, it would be NULL here rather than the column's default.
        if (value === undefined) throw new Error(`a row of ${table} has no ${columns[i]}`);
        values[i]!.push(value);
      }
      // Every table's rows go then, in the order the tables were first written (parents first).
      if (++batch.rows >= POSTGRES_BATCH_ROWS) for (const each of batches.values()) await send(each);
    },
    async flush() {
      try {
        for (const batch of batches.values()) await send(batch);
        await running;
        if (failure) throw failure;
        for (const c of constraints.filter((c) => c.type !== 'f')) await client.query(`alter table ${c.table} add constraint ${c.name} ${c.definition}`);
        for (const i of indexes) await client.query(i.definition);
        for (const c of constraints.filter((c) => c.type === 'f')) await client.query(`alter table ${c.table} add constraint ${c.name} ${c.definition}`);
      } finally {
        await client.query('reset all');
        client.release();
      }
    },
  };
}

/** A small deterministic random source, so two runs load the same year (and a failing test's seed plays the same operations again). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Loads a year ending at `now` at `scale` (1 = the 100%) into a migrated, empty database.
 * Rows are written in creation order per table, as the product writes them.
 */
export async function loadYear(database: Database, scale: number, now = new Date()): Promise<LoadedYear> {
  const started = performance.now();
  const random = seeded(21);
  const count = (n: number) => Math.max(1, Math.round(n * scale));
  const organizations = Math.max(2, count(FULL_YEAR.organizations));
  const yearStart = now.getTime() - YEAR_MS;
  const iso = (ms: number) => new Date(Math.min(ms, now.getTime() - 1000)).toISOString();
  const counts: Record<string, number> = {};
  const tally = (table: string) => {
    counts[table] = (counts[table] ?? 0) + 1;
  };
  if (database.sqlite) database.sqlite.pragma('synchronous = OFF');
  const writer = database.dialect === 'sqlite' ? sqliteWriter(database) : await postgresWriter(database);
  const add = async <T extends keyof Tables>(table: T, row: Row<T>) => {
    tally(table);
    await writer.add(table, row);
  };
  /** Adds rows of `table` that all have `alike`; each row gives the other columns. */
  const addAlike =
    <T extends keyof Tables, K extends keyof Row<T>>(table: T, alike: Pick<Row<T>, K>) =>
    async (row: Omit<Row<T>, K>) => {
      tally(table);
      await writer.add(table, row as Partial<Row<T>>, alike as Partial<Row<T>>);
    };
  // What every message shares: carried by Twilio, a service-window message, no media, never a failed send.
  const addMessage = addAlike('messages', {
    media: null,
    provider: 'twilio',
    reply_to_provider_message_id: null,
    send_error: null,
    error_code: null,
    category: 'service',
    cost: 0.005,
    idempotency_key: null,
    send_started_at: null,
    author_name: null,
    unanswered: null,
  });
  type MessageRow = Parameters<typeof addMessage>[0];

  let messageId = 0;
  let notification: LoadedYear['notification'] | undefined;
  const planUsage = new Map<string, number>();

  // Each organization's share: the large one 5%, the others the rest in equal parts.
  const shareOf = (index: number) => (index === 0 ? BIG_SHARE : (1 - BIG_SHARE) / (organizations - 1));
  for (let o = 0; o < organizations; o++) {
    const organizationId = o === 0 ? BIG_ORGANIZATION : `org_${String(o).padStart(5, '0')}`;
    const share = shareOf(o);
    const contacts = Math.max(1, Math.round(FULL_YEAR.contacts * scale * share));
    const conversations = Math.max(1, Math.round(FULL_YEAR.conversations * scale * share));
    const messagesPerConversation = FULL_YEAR.messages / FULL_YEAR.conversations;
    const created = iso(yearStart - DAY_MS);
    await add('organizations', {
      id: organizationId,
      name: o === 0 ? 'Big Shop' : `Shop ${o}`,
      description: null,
      business_info: null,
      plan: 'business',
      join_code: `join${o}`,
      instructions: null,
      last_conversation_ref: conversations,
      dedupe_window_seconds: 0,
      created_at: created,
      updated_at: created,
    });
    const numberId = o === 0 ? 'num_big_twilio' : `num_${o}`;
    const phone = o === 0 ? BENCH_NUMBERS.twilioPhone : `+1555${String(o).padStart(7, '0')}`;
    const dedicated = (id: string, provider: string, phoneNumber: string, providerId: string): Row<'numbers'> => ({
      id,
      organization_id: organizationId,
      provider,
      phone_number: phoneNumber,
      provider_id: providerId,
      display_name: null,
      connection_id: null,
      sender_status: 'online',
      is_shared_trial: 0,
      is_dedicated: 1,
      created_at: created,
    });
    await add('numbers', dedicated(numberId, 'twilio', phone, o === 0 ? BENCH_NUMBERS.twilioSid : `PN${String(o).padStart(32, '0')}`));
    if (o === 0) {
      await add('numbers', dedicated('num_big_meta', 'meta', BENCH_NUMBERS.metaPhone, BENCH_NUMBERS.metaPhoneNumberId));
      for (const [i, number] of BIG_AGENTS.entries()) {
        await add('agents', {
          id: `agent_big_${i}`,
          organization_id: organizationId,
          name: `Agent ${i + 1}`,
          number,
          status: 'active',
          created_at: created,
          accepted_at: created,
        });
      }
    }
    const contactPhone = (c: number) => `+4479${String(o).padStart(5, '0')}${String(c).padStart(6, '0')}`;
    for (let c = 0; c < contacts; c++) {
      await add('contacts', {
        id: `ct_${o}_${c}`,
        organization_id: organizationId,
        kind: 'whatsapp',
        phone: contactPhone(c),
        external_id: null,
        name: `Customer ${c}`,
        email: null,
        created_at: iso(yearStart + (c / contacts) * YEAR_MS),
      });
    }
    for (let k = 0; k < conversations; k++) {
      const ref = k + 1;
      const conversationId = `cv_${o}_${ref}`;
      const contact = Math.floor(random() * contacts);
      const customer = contactPhone(contact);
      const startedAt = yearStart + (k / conversations) * YEAR_MS + random() * 3_600_000;
      // The large organization's last few are live handovers; a few in a hundred of all were handed over once.
      const open = o === 0 && k >= conversations - OPEN_HANDOVERS;
      const handedOver = open || random() < 0.03;
      const n = Math.max(2, Math.round(messagesPerConversation * (0.5 + random())));
      let at = startedAt;
      const agent = BIG_AGENTS[k % BIG_AGENTS.length]!;
      let notified: { id: number; providerMessageId: string } | undefined;
      const messageRows: MessageRow[] = [];
      // What every message of this conversation shares beside addMessage's: the organization's number.
      const message = (
        own: Pick<
          Row<'messages'>,
          | 'id'
          | 'direction'
          | 'author'
          | 'audience'
          | 'body'
          | 'provider_message_id'
          | 'from_address'
          | 'to_address'
          | 'status'
          | 'send_success'
          | 'plan_month'
          | 'created_at'
        >,
      ): MessageRow => ({
        organization_id: organizationId,
        conversation_id: conversationId,
        number_id: numberId,
        updated_at: own.created_at,
        ...own,
      });
      for (let m = 0; m < n; m++) {
        at += 20_000 + random() * 120_000;
        const inbound = m % 2 === 0;
        const id = ++messageId;
        const createdAt = iso(open ? now.getTime() - (n - m) * 60_000 : at);
        const month = createdAt.slice(0, 7);
        const usageKey = `${organizationId}|${month}`;
        planUsage.set(usageKey, (planUsage.get(usageKey) ?? 0) + 1);
        messageRows.push(
          message({
            id,
            direction: inbound ? 'in' : 'out',
            author: inbound ? 'contact' : handedOver && m > 2 ? 'agent' : 'bot',
            audience: 'contact',
            body: inbound ? `Hello, is order ${k}-${m} on its way?` : `Your order ${k}-${m} ships tomorrow.`,
            provider_message_id: `${inbound ? 'SM' : 'MM'}${id.toString(16).padStart(32, '0')}`,
            from_address: inbound ? customer : phone,
            to_address: inbound ? phone : customer,
            status: inbound ? 'received' : 'read',
            send_success: inbound ? null : 1,
            plan_month: month,
            created_at: createdAt,
          }),
        );
        // The handover's notification to the agent, after the customer's second message.
        if (handedOver && m === 2) {
          const nid = ++messageId;
          notified = { id: nid, providerMessageId: `MM${nid.toString(16).padStart(32, '0')}` };
          messageRows.push(
            message({
              id: nid,
              direction: 'out',
              author: 'system',
              audience: 'agent',
              body: `#${ref} Customer ${contact} asks for a person.`,
              provider_message_id: notified.providerMessageId,
              from_address: phone,
              to_address: o === 0 ? agent : `+4470000${String(o).padStart(5, '0')}`,
              status: 'read',
              send_success: 1,
              plan_month: null,
              created_at: createdAt,
            }),
          );
        }
      }
      const first = messageRows[0]!.created_at;
      const last = messageRows.at(-1)!.created_at;
      const handedAt = handedOver ? messageRows[Math.min(2, messageRows.length - 1)]!.created_at : null;
      await add('conversations', {
        id: conversationId,
        organization_id: organizationId,
        ref,
        contact_id: `ct_${o}_${contact}`,
        channel: 'whatsapp',
        status: open ? (k % 2 === 0 ? 'agent' : 'waiting_agent') : k >= conversations - 3 ? 'bot' : 'closed',
        number_id: numberId,
        widget_id: null,
        assigned_whatsapp_number: handedOver ? phone : null,
        agent_number: open && k % 2 === 0 ? agent : null,
        handed_over_at: handedAt,
        last_message_at: last,
        created_at: first,
        closed_at: open || k >= conversations - 3 ? null : last,
        // A waiting one was already escalated: the sweep finds nothing to do but look.
        escalated_at: open && k % 2 === 1 ? handedAt : null,
        read_up_to: messageRows.at(-1)!.id as number,
      });
      for (const row of messageRows) await addMessage(row);
      if (handedOver) {
        const assignmentId = `as_${o}_${ref}`;
        await add('handover_assignments', {
          id: assignmentId,
          conversation_id: conversationId,
          widget_id: null,
          number: phone,
          assigned_at: handedAt!,
          released_at: open ? null : last,
        });
        await add('handover_notifications', {
          id: `hn_${o}_${ref}`,
          conversation_id: conversationId,
          assignment_id: assignmentId,
          agent_number: o === 0 ? agent : `+4470000${String(o).padStart(5, '0')}`,
          path: 'free_form',
          number_id: numberId,
          sender: phone,
          message_id: notified?.id ?? null,
          reason: null,
          failed_at: null,
          created_at: handedAt!,
        });
        if (o === 0 && open && notified && agent === BIG_AGENTS[0]) {
          notification = { providerMessageId: notified.providerMessageId, conversationId, agent, provider: 'twilio' };
        }
      }
    }
  }
  for (const [key, customerMessages] of planUsage) {
    const [organizationId, month] = key.split('|') as [string, string];
    await add('plan_usage', { organization_id: organizationId, month, customer_messages: customerMessages });
  }
  const addJob = addAlike('jobs', {
    kind: 'process_inbound',
    max_attempts: 8,
    last_error: null,
    locked_by: null,
    locked_at: null,
    idempotency_key: null,
  });
  const addJobs = async (n: number, status: 'done' | 'pending', at: (j: number) => string) => {
    for (let j = 0; j < n; j++) {
      const time = at(j);
      await addJob({
        payload: JSON.stringify({ messageId: j + 1 }),
        status,
        run_at: time,
        attempts: status === 'done' ? 1 : 0,
        created_at: time,
        updated_at: time,
      });
    }
  };
  // Finished jobs: one per stored message's reaction, spread over the year.
  const finished = count(FULL_YEAR.finishedJobs);
  await addJobs(finished, 'done', (j) => iso(yearStart + (j / finished) * YEAR_MS));
  // The backlog a claim takes from: due in the last hour, not yet run.
  const due = count(FULL_YEAR.dueJobs);
  await addJobs(due, 'pending', (j) => iso(now.getTime() - 3_600_000 + (j / due) * 3_000_000));
  const unrouted = count(FULL_YEAR.unroutedEvents);
  for (let u = 0; u < unrouted; u++) {
    const at = iso(yearStart + (u / unrouted) * YEAR_MS);
    await add('unrouted_events', {
      provider: 'twilio',
      reason: 'unknown_number',
      payload: `SmsMessageSid=SM${u}&From=whatsapp%3A%2B4479${u}&To=whatsapp%3A%2B15550000000&Body=hello`,
      headers: JSON.stringify({ 'content-type': 'application/x-www-form-urlencoded' }),
      received_at: at,
      replayed_at: null,
      message_id: null,
      verified_by: 'platform',
    });
  }
  await writer.flush();
  // The usage report's counters of the year just written (whatever the bulk writes left in them).
  await fillUsageCounts(database.db);
  if (database.sqlite) {
    database.sqlite.exec('commit');
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    database.sqlite.pragma('synchronous = FULL');
  } else {
    // The ids were given: the identity goes on after them, as it would have.
    await database.pool!.query(`select setval(pg_get_serial_sequence('messages', 'id'), (select max(id) from messages))`);
    // What autovacuum would have done over the year: the planner knows the tables' sizes.
    await database.pool!.query('analyze');
  }
  if (!notification) throw new Error('the loaded year has no open handover notified to the first agent');
  const months = [...new Set([...planUsage.keys()].map((k) => k.split('|')[1]!))].sort();
  return { scale, counts, notification, months, seconds: (performance.now() - started) / 1000 };
}
