// 321: retention removes rows by age (services/platform/retention.ts); each delete finds its batch
// through one of these indexes instead of scanning the table.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // finished jobs (done, failed) by when they finished
  await db.schema.createIndex('jobs_finished_idx').on('jobs').columns(['status', 'updated_at']).execute();
  // replayed events by their replay; never-replayed ones (replayed_at null) by arrival
  await db.schema.createIndex('unrouted_events_age_idx').on('unrouted_events').columns(['replayed_at', 'received_at']).execute();
  await db.schema.createIndex('handover_assignments_released_idx').on('handover_assignments').column('released_at').execute();
  await db.schema.createIndex('knowledge_suggestions_decided_idx').on('knowledge_suggestions').columns(['status', 'decided_at']).execute();
  await db.schema.createIndex('widget_sessions_seen_idx').on('widget_sessions').column('last_seen_at').execute();
  // a conversation's offered choices past their expiry (one row per conversation that was ever offered some)
  await db.schema.createIndex('answer_choices_expires_idx').on('answer_choices').column('expires_at').execute();
  // a removed session's uploads go with it (041's cascade): found by session, not by a scan of every upload
  await db.schema.createIndex('widget_uploads_session_idx').on('widget_uploads').column('session_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('widget_uploads_session_idx').execute();
  await db.schema.dropIndex('answer_choices_expires_idx').execute();
  await db.schema.dropIndex('widget_sessions_seen_idx').execute();
  await db.schema.dropIndex('knowledge_suggestions_decided_idx').execute();
  await db.schema.dropIndex('handover_assignments_released_idx').execute();
  await db.schema.dropIndex('unrouted_events_age_idx').execute();
  await db.schema.dropIndex('jobs_finished_idx').execute();
}
