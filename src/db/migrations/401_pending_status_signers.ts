// 401: whose secret verified a delivery status kept before its send stored the provider id, so it is
// applied only to a message its signer may change (core/signers.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pending_statuses').addColumn('verified_by', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pending_statuses').dropColumn('verified_by').execute();
}
