// Delivery statuses that beat their send: a provider can call back (Twilio's StatusCallback, Meta's
// `statuses`) before the send's answer stored the provider id. inbound/store.ts keeps such a status in
// `pending_statuses`; the send applies it in the transaction that stores the id. In outbound/ with
// the send it completes: inbound/ builds on outbound/ (replies), never the other way round.
import { sql } from 'kysely';
import type { Dialect, Tx } from '../../db/database.js';
import type { Message } from '../../db/schema.js';
import { STATUS_RANK } from '../../core/delivery.js';
import { signerMayChange } from '../../core/signers.js';

/**
 * PostgreSQL: serializes a status for an unknown id with the send storing that id, so one of the
 * two always sees the other's commit (SQLite has one writer, so it needs nothing).
 */
export async function lockProviderMessage(trx: Tx, provider: string, providerMessageId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${provider}:${providerMessageId}`}, 0))`.execute(trx);
}

/** A kept status signed with a connection's own secret applies only to that connection's numbers' messages. */
async function keptStatusMayChange(trx: Tx, verifiedBy: string | null, sent: Message): Promise<boolean> {
  if (signerMayChange(verifiedBy, null)) return true;
  if (!sent.number_id) return false;
  const number = await trx.selectFrom('numbers').select('connection_id').where('id', '=', sent.number_id).executeTakeFirst();
  return signerMayChange(verifiedBy, number?.connection_id ?? null);
}

/**
 * Applies the status kept for `sent`'s provider id, inside the transaction that stored that id.
 * Never backwards (STATUS_RANK, as store.ts's update): a kept `sent` does not undo a send answered
 * `sent`, and a failed send stays failed. Returns the message when its status changed.
 */
export async function applyPendingStatus(trx: Tx, dialect: Dialect, sent: Message, at: string): Promise<Message | undefined> {
  if (!sent.provider || !sent.provider_message_id) return undefined;
  if (dialect === 'postgres') await lockProviderMessage(trx, sent.provider, sent.provider_message_id);
  const kept = await trx
    .deleteFrom('pending_statuses')
    .where('provider', '=', sent.provider)
    .where('provider_message_id', '=', sent.provider_message_id)
    .returningAll()
    .executeTakeFirst();
  if (!kept) return undefined;
  if (!(await keptStatusMayChange(trx, kept.verified_by, sent))) return undefined;
  if (sent.status === 'failed' || (STATUS_RANK[kept.status] ?? -1) <= (STATUS_RANK[sent.status] ?? -1)) return undefined;
  const failed = kept.status === 'failed';
  return trx
    .updateTable('messages')
    .set({
      status: kept.status,
      updated_at: at,
      // As a callback that finds its message (store.ts STATUS_UPDATE): failed records why.
      send_success: failed ? 0 : (sent.send_success ?? 1),
      send_error: failed ? (kept.error_message ?? 'The provider reported the message as failed.') : sent.send_error,
      error_code: failed ? kept.error_code : sent.error_code,
    })
    .where('id', '=', sent.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
