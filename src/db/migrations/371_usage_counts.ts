// 371: the usage report's monthly counters (issue 21): messages and their summed cost per
// organization, month and every group the report prices, kept by the database itself on each
// insert and on each update that moves a message between groups, so a report reads a few rows
// instead of grouping a month of messages. Messages removed for retention leave their counts: the
// usage history outlives the messages (no delete trigger). A later migration that rebuilds the
// messages table on SQLite must create these triggers again.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from './001_initial.js';

/** The counter's key, in the order of its primary key; a null number or provider is '' (a key column cannot be null). */
const KEY_COLUMNS = ['organization_id', 'month', 'number_id', 'provider', 'direction', 'audience', 'category', 'failed'] as const;

/** The key of the message `row` (`new.`, `old.` or a table alias with its dot), as SQL expressions in KEY_COLUMNS order. */
function keyOf(row: string): string[] {
  return [
    `${row}organization_id`,
    `substr(${row}created_at, 1, 7)`,
    `coalesce(${row}number_id, '')`,
    `coalesce(${row}provider, '')`,
    `${row}direction`,
    `${row}audience`,
    `${row}category`,
    // a failed send is counted apart: not billed, not toward the plan (services/tenancy/usage.ts)
    `case when ${row}status = 'failed' and ${row}direction = 'out' then 1 else 0 end`,
  ];
}

const COLUMNS = `${KEY_COLUMNS.join(', ')}, messages, cost`;
const ADD_TO_COUNT = `on conflict (${KEY_COLUMNS.join(', ')}) do update set messages = usage_counts.messages + excluded.messages, cost = usage_counts.cost + excluded.cost`;

/** The counts of the messages in `source`, grouped by the counter's key (messages without an organization count nowhere). */
function groupedCounts(source: string): string {
  const positions = KEY_COLUMNS.map((_, i) => i + 1).join(', ');
  // ORDER BY: concurrent statements take the counters' row locks in one order (no deadlock on PostgreSQL).
  return `select ${keyOf('').join(', ')}, count(*), sum(cost) from ${source} where organization_id is not null group by ${positions} order by ${positions}`;
}

/** One message `row` (`new.` or `old.`) moved into its group (`sign` 1) or out of it (-1). */
function countOne(row: string, sign: 1 | -1): string {
  // SQLite reads `insert … select … on conflict` only with a WHERE in the select.
  return `insert into usage_counts (${COLUMNS}) select ${keyOf(row).join(', ')}, ${sign}, ${sign === 1 ? '' : '-'}${row}cost where ${row}organization_id is not null ${ADD_TO_COUNT}`;
}

/** A message changed group: any column of the key, or its cost (set after a send, or by a status). */
function groupChanged(dialect: 'sqlite' | 'postgres'): string {
  const differs = (a: string, b: string) => (dialect === 'postgres' ? `${a} is distinct from ${b}` : `${a} is not ${b}`);
  const before = keyOf('old.');
  const after = keyOf('new.');
  return [...before.map((b, i) => differs(b, after[i]!)), differs('old.cost', 'new.cost')].join(' or ');
}

/** Columns whose update may change a message's group. */
const WATCHED = 'organization_id, created_at, number_id, provider, direction, audience, category, status, cost';

/**
 * Replaces every counter by the counts of the messages stored now: the upgrade's backfill, and the
 * bench loader's after it writes a year of messages in bulk. It forgets what retention removed, so
 * it is not for a running installation's history.
 */
export async function fillUsageCounts(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('usage_counts').execute();
  await sql.raw(`insert into usage_counts (${COLUMNS}) ${groupedCounts('messages')}`).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_counts')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('cost', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_counts_pk', [...KEY_COLUMNS])
    .execute();

  if (isPostgres(db)) {
    // Inserts: one upsert per group of the statement (a webhook batch is one multi-row insert).
    await sql
      .raw(
        `create function usage_counts_add() returns trigger language plpgsql as $$
        begin
          insert into usage_counts (${COLUMNS}) ${groupedCounts('added')} ${ADD_TO_COUNT};
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(
        'create trigger messages_usage_insert after insert on messages referencing new table as added for each statement execute function usage_counts_add()',
      )
      .execute(db);
    await sql
      .raw(
        `create function usage_counts_move() returns trigger language plpgsql as $$
        begin
          ${countOne('old.', -1)};
          ${countOne('new.', 1)};
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger messages_usage_update after update of ${WATCHED} on messages for each row when (${groupChanged('postgres')}) execute function usage_counts_move()`,
      )
      .execute(db);
  } else {
    await sql.raw(`create trigger messages_usage_insert after insert on messages begin ${countOne('new.', 1)}; end`).execute(db);
    await sql
      .raw(
        `create trigger messages_usage_update after update of ${WATCHED} on messages when ${groupChanged('sqlite')}
        begin ${countOne('old.', -1)}; ${countOne('new.', 1)}; end`,
      )
      .execute(db);
  }
  await fillUsageCounts(db);

  // The report no longer groups messages: the 9-column index that let it (311) only cost every
  // insert. Retention, de-duplication and a number's traffic still find an organization's messages
  // by (organization_id, created_at).
  await db.schema.createIndex('messages_org_created_idx').ifNotExists().on('messages').columns(['organization_id', 'created_at']).execute();
  await db.schema.dropIndex('messages_usage_idx').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('messages_usage_idx')
    .ifNotExists()
    .on('messages')
    .columns(['organization_id', 'created_at', 'number_id', 'provider', 'direction', 'audience', 'category', 'status', 'cost'])
    .execute();
  await db.schema.dropIndex('messages_org_created_idx').ifExists().execute();
  if (isPostgres(db)) {
    await sql.raw('drop trigger messages_usage_update on messages').execute(db);
    await sql.raw('drop trigger messages_usage_insert on messages').execute(db);
    await sql.raw('drop function usage_counts_move()').execute(db);
    await sql.raw('drop function usage_counts_add()').execute(db);
  } else {
    await sql.raw('drop trigger messages_usage_update').execute(db);
    await sql.raw('drop trigger messages_usage_insert').execute(db);
  }
  await db.schema.dropTable('usage_counts').execute();
}
