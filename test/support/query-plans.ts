// The hot queries of issue 21 as the product builds them (the services' own query builders), and
// what their plans may not contain: a full scan of a big table or a sort of unbounded rows.
import type { CompiledQuery } from 'kysely';
import { monthOf } from '../../src/core/plans.js';
import { claimStatement, dueJobs, expiredLeases } from '../../src/jobs/queue.js';
import type { AppContext } from '../../src/services/context.js';
import { conversationListQuery } from '../../src/services/conversations/conversations.js';
import { swipedMessageQuery } from '../../src/services/handover/agent-replies.js';
import { staleAssignmentsQuery } from '../../src/services/handover/close.js';
import { unclaimedHandoversQuery } from '../../src/services/handover/escalation.js';
import { handedOverQuery } from '../../src/services/handover/inactivity.js';
import { followedFailuresQuery, skippedNotificationsQuery } from '../../src/services/handover/notify.js';
import { planUsageQuery } from '../../src/services/tenancy/plans.js';
import { usageCountsQuery } from '../../src/services/tenancy/usage.js';
import { BIG_ORGANIZATION, type LoadedYear } from '../../bench/growth-loader.js';

/** Tables that grow with use: never read whole. */
export const BIG_TABLES = ['messages', 'conversations', 'jobs', 'contacts', 'handover_assignments', 'handover_notifications', 'usage_counts'];

export function hotQueries(ctx: AppContext, year: LoadedYear): Array<{ name: string; query: CompiledQuery }> {
  const { db } = ctx;
  const now = ctx.clock.now();
  const nowText = now.toISOString();
  const compile = (query: { compile(): CompiledQuery }) => query.compile();
  return [
    { name: 'swipe-reply: the conversation of the swiped message', query: compile(swipedMessageQuery(db, year.notification)) },
    { name: 'inbox conversation list', query: compile(conversationListQuery(db, BIG_ORGANIZATION)) },
    { name: 'inbox conversation list of one status', query: compile(conversationListQuery(db, BIG_ORGANIZATION, { status: 'waiting_agent' })) },
    { name: 'usage: six months of counters', query: compile(usageCountsQuery(db, BIG_ORGANIZATION, year.months.slice(-6))) },
    { name: 'plan limit on a bot reply', query: compile(planUsageQuery(db, BIG_ORGANIZATION, monthOf(now))) },
    { name: 'handover sweep: inactivity', query: compile(handedOverQuery(db)) },
    { name: 'handover sweep: escalation', query: compile(unclaimedHandoversQuery(db, nowText)) },
    { name: 'handover sweep: numbers of closed conversations', query: compile(staleAssignmentsQuery(db)) },
    { name: 'handover sweep: notifications failed since', query: compile(followedFailuresQuery(db, new Date(now.getTime() - 86_400_000).toISOString())) },
    { name: 'handover sweep: agents skipped, tried again', query: compile(skippedNotificationsQuery(db, 200)) },
    { name: 'job claim: due jobs', query: claimStatement(ctx, dueJobs(nowText), 10, nowText).compile(db) },
    { name: 'job claim: expired leases', query: claimStatement(ctx, expiredLeases(new Date(now.getTime() - 60_000).toISOString()), 10, nowText).compile(db) },
  ];
}

/** SQLite: EXPLAIN QUERY PLAN lines that read a big table whole or sort for ORDER BY. */
export function sqliteProblems(ctx: AppContext, query: CompiledQuery): { plan: string[]; problems: string[] } {
  const rows = ctx.database.sqlite!.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as Array<{
    id: number;
    parent: number;
    detail: string;
  }>;
  const plan = rows.map((r) => r.detail);
  // Steps run once per row of the outer query (a correlated subquery's).
  const perRow = new Set<number>();
  for (const r of rows) if (r.detail.startsWith('CORRELATED') || perRow.has(r.parent)) perRow.add(r.id);
  const problems = rows.flatMap(({ id, detail }) => {
    const problem = isProblem(ctx, query, detail, perRow.has(id));
    return problem ? [detail] : [];
  });
  return { plan, problems };
}

function isProblem(ctx: AppContext, query: CompiledQuery, detail: string, perRow: boolean): boolean {
  if (/USE TEMP B-TREE FOR (ORDER BY|.*ORDER BY)/.test(detail)) return true;
  // Once per outer row, a big table searched by organization alone reads all of the organization's rows each time.
  const byOrganization = /^SEARCH (\w+)(?: AS \w+)? USING (?:COVERING )?INDEX (\w+) \(organization_id=\?\)$/.exec(detail);
  if (perRow && byOrganization && !partialIndexes(ctx).has(byOrganization[2]!)) {
    return BIG_TABLES.includes(byOrganization[1]!) || BIG_TABLES.includes(tableOfAlias(query.sql, byOrganization[1]!));
  }
  // `SCAN t` (the table) or `SCAN t USING [COVERING] INDEX i` (the whole index): both read every row.
  // A partial index holds only the rows its condition keeps (e.g. unreleased assignments): reading it whole is bounded.
  const scan = /^SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?/.exec(detail);
  if (!scan || (scan[2] && partialIndexes(ctx).has(scan[2]))) return false;
  return BIG_TABLES.includes(scan[1]!) || BIG_TABLES.includes(tableOfAlias(query.sql, scan[1]!));
}

function partialIndexes(ctx: AppContext): Set<string> {
  const rows = ctx.database.sqlite!.prepare(`select name from sqlite_master where type = 'index' and sql like '% where %'`).all() as Array<{ name: string }>;
  return new Set(rows.map((r) => r.name));
}

/** `from conversations as c` → `c` is conversations. */
function tableOfAlias(sqlText: string, alias: string): string {
  const found = new RegExp(`"?(\\w+)"?\\s+as\\s+"?${alias}"?\\b`, 'i').exec(sqlText);
  return found?.[1] ?? alias;
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Plan Rows'?: number;
  Plans?: PgNode[];
}

/** PostgreSQL: EXPLAIN (FORMAT JSON) nodes that read a big table sequentially or sort outside a grouping. */
export async function postgresProblems(ctx: AppContext, query: CompiledQuery): Promise<{ plan: string[]; problems: string[] }> {
  const result = await ctx.database.pool!.query(`explain (format json) ${query.sql}`, query.parameters as unknown[]);
  const root = (result.rows[0]['QUERY PLAN'] as Array<{ Plan: PgNode }>)[0]!.Plan;
  // PostgreSQL reads a table of a few hundred rows whole because that is cheaper (the handover
  // tables at this size): a Seq Scan is a problem on a big table that holds many rows.
  const sizes = await ctx.database.pool!.query<{ relname: string; reltuples: number }>(
    `select relname, reltuples from pg_class where relkind = 'r' and relname = any($1)`,
    [BIG_TABLES],
  );
  const large = new Set(sizes.rows.filter((r) => Number(r.reltuples) >= 10_000).map((r) => r.relname));
  const plan: string[] = [];
  const problems: string[] = [];
  const walk = (node: PgNode, parent: PgNode | undefined, depth: number) => {
    const line = `${'  '.repeat(depth)}${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''} (rows ${node['Plan Rows']})`;
    plan.push(line);
    if (node['Node Type'] === 'Seq Scan' && large.has(node['Relation Name'] ?? '')) problems.push(line);
    // A sort feeding a GROUP BY sorts the month it groups; any other sorts whatever the query matched.
    if (node['Node Type'] === 'Sort' && parent?.['Node Type'] !== 'Aggregate') problems.push(line);
    for (const child of node.Plans ?? []) walk(child, node, depth + 1);
  };
  walk(root, undefined, 0);
  return { plan, problems };
}

/**
 * The database's tables, indexes and constraints as stored definitions, sorted: the loader sets
 * secondary indexes and constraints aside while it writes and must leave the schema as the
 * migrations made it. Also the SQLite connection's settings the loader changes for its writes.
 */
export async function schemaOf(ctx: AppContext): Promise<string[]> {
  const sqlite = ctx.database.sqlite;
  if (sqlite) {
    const stored = sqlite.prepare(`select type, name, tbl_name, sql from sqlite_master where type in ('table', 'index', 'trigger') order by type, name`).all();
    const settings = ['foreign_keys', 'cache_size', 'journal_mode'].map((p) => `${p}=${sqlite.pragma(p, { simple: true })}`);
    return [...stored.map((row) => JSON.stringify(row)), ...settings];
  }
  const { rows: indexes } = await ctx.database.pool!.query(
    `select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname`,
  );
  const { rows: constraints } = await ctx.database.pool!.query(
    `select conrelid::regclass::text as table, conname, pg_get_constraintdef(oid) as definition, convalidated
       from pg_constraint where connamespace = current_schema()::regnamespace order by 1, 2`,
  );
  return [...indexes, ...constraints].map((row) => JSON.stringify(row));
}
