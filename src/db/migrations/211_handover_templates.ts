// 211: the managed handover template of each provider account that carries handovers (SPEC §8
// "Reaching an agent"): one row per account, whatever the number of its senders or of retries.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('handover_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('account_key', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text')
    .addColumn('organization_id', 'text')
    .addColumn('account_ref', 'text')
    .addColumn('provider_template_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rejection_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('handover_templates_account_unique', ['provider', 'account_key'])
    .execute();
  // Meta's status webhook names the WABA and the template id.
  await db.schema.createIndex('handover_templates_ref_idx').on('handover_templates').columns(['provider', 'account_ref']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('handover_templates').execute();
}
