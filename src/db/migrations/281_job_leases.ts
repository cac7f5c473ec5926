// 281: claiming jobs reads two indexes in their order, with no sort: due jobs by (status, run_at, id)
// and running ones by when their lease was last renewed (an expired lease is taken back).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_at', 'id']).execute();
  await db.schema.createIndex('jobs_lease_idx').on('jobs').columns(['status', 'locked_at']).execute();
  await db.schema.dropIndex('jobs_ready_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_ready_idx').on('jobs').columns(['status', 'run_at']).execute();
  await db.schema.dropIndex('jobs_lease_idx').execute();
  await db.schema.dropIndex('jobs_due_idx').execute();
}
