// 121: agents who accepted from their own phone, the organization's code they accept with, and
// visitors numbered within their organization (`Visitor 3`) when they give no name.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .addUniqueConstraint('agents_org_number_unique', ['organization_id', 'number'])
    .execute();
  // ACCEPT <code> and reply routing look agents up by their phone.
  await db.schema.createIndex('agents_number_idx').on('agents').columns(['number', 'status']).execute();

  await db.schema.alterTable('organizations').addColumn('agent_code', 'text').execute();
  await db.schema.createIndex('organizations_agent_code_unique').on('organizations').column('agent_code').unique().execute();
  await db.schema
    .alterTable('organizations')
    .addColumn('last_visitor_number', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('contacts').addColumn('visitor_number', 'integer').execute();

  // Visitors already there are numbered in the order they came.
  const visitors = await db
    .selectFrom('contacts')
    .select(['id', 'organization_id'])
    .where('kind', '=', 'visitor')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const counts = new Map<string, number>();
  for (const v of visitors) {
    const n = (counts.get(v.organization_id) ?? 0) + 1;
    counts.set(v.organization_id, n);
    await db.updateTable('contacts').set({ visitor_number: n }).where('id', '=', v.id).execute();
  }
  for (const [organizationId, n] of counts) {
    await db.updateTable('organizations').set({ last_visitor_number: n }).where('id', '=', organizationId).execute();
  }

  // Agents widgets listed before consent existed are invited: nothing reaches them until they accept.
  // The demo's simulated agents are the exception the specification makes (they start active).
  const demo = await db.selectFrom('settings').select('value').where('key', '=', 'demo').executeTakeFirst();
  const demoInfo = demo ? (JSON.parse(demo.value) as { organizationId?: string; agentNumbers?: string[] }) : {};
  const widgets = await db.selectFrom('widgets').select(['organization_id', 'settings', 'created_at']).orderBy('created_at').execute();
  const seen = new Set<string>();
  for (const w of widgets) {
    let numbers: unknown;
    try {
      numbers = (JSON.parse(w.settings) as { agentWhatsappNumbers?: unknown }).agentWhatsappNumbers;
    } catch {
      numbers = [];
    }
    for (const number of Array.isArray(numbers) ? numbers : []) {
      if (typeof number !== 'string' || seen.has(`${w.organization_id}|${number}`)) continue;
      seen.add(`${w.organization_id}|${number}`);
      const active = demoInfo.organizationId === w.organization_id && (demoInfo.agentNumbers ?? []).includes(number);
      await db
        .insertInto('agents')
        .values({
          id: randomUUID(),
          organization_id: w.organization_id,
          name: number,
          number,
          status: active ? 'active' : 'invited',
          created_at: w.created_at,
          accepted_at: active ? w.created_at : null,
        })
        .execute();
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('visitor_number').execute();
  await db.schema.alterTable('organizations').dropColumn('last_visitor_number').execute();
  await db.schema.dropIndex('organizations_agent_code_unique').execute();
  await db.schema.alterTable('organizations').dropColumn('agent_code').execute();
  await db.schema.dropTable('agents').execute();
}
