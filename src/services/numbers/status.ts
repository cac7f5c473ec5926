// How an organization's numbers are doing: send health from the message log (for the dashboard),
// and the WhatsApp sender status the operator records after registering at the provider (SPEC §12).
import { notFound } from '../../core/errors.js';
import { isCurrentSendError } from '../../core/send-failures.js';
import type { NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { numbersOf } from '../tenancy/organizations.js';
import { invalidateLookups } from '../lookup-cache.js';
import { usableNumbers } from './usable.js';

export interface NumberHealth {
  messagesIn: number;
  messagesOut: number;
  failedSends: number;
  lastSendError: string | null;
  lastSendErrorAt: string | null;
}

/**
 * Messages in and out through one number, its failed sends and the last send error. `organizationId`:
 * only that organization's messages (a platform number carries several organizations').
 */
export async function numberHealth(ctx: AppContext, numberId: string, organizationId?: string): Promise<NumberHealth> {
  let counting = ctx.db
    .selectFrom('messages')
    .select(['direction', (eb) => eb.fn.countAll<number>().as('n')])
    .select((eb) => eb.fn.sum<number>(eb.case().when('send_success', '=', 0).then(1).else(0).end()).as('failed'))
    .where('number_id', '=', numberId);
  if (organizationId) counting = counting.where('organization_id', '=', organizationId);
  const counts = await counting.groupBy('direction').execute();
  const lastError = await currentSendError(ctx, [numberId], organizationId);
  const of = (direction: string) => counts.find((c) => c.direction === direction);
  return {
    messagesIn: Number(of('in')?.n ?? 0),
    messagesOut: Number(of('out')?.n ?? 0),
    failedSends: Number(of('out')?.failed ?? 0),
    lastSendError: lastError?.text ?? null,
    lastSendErrorAt: lastError?.at ?? null,
  };
}

/**
 * The last send error of these numbers while it is current (core/send-failures.ts): none when a
 * later send worked or it is older than a day. `organizationId`: that organization's messages only.
 */
export async function currentSendError(ctx: AppContext, numberIds: string[], organizationId?: string): Promise<{ text: string; at: string } | undefined> {
  if (numberIds.length === 0) return undefined;
  let errors = ctx.db.selectFrom('messages').select(['id', 'send_error', 'updated_at']).where('number_id', 'in', numberIds).where('send_error', 'is not', null);
  let successes = ctx.db
    .selectFrom('messages')
    .select((eb) => eb.fn.max<number>('id').as('id'))
    .where('number_id', 'in', numberIds)
    .where('direction', '=', 'out')
    .where('send_success', '=', 1);
  if (organizationId) {
    errors = errors.where('organization_id', '=', organizationId);
    successes = successes.where('organization_id', '=', organizationId);
  }
  const error = await errors.orderBy('id', 'desc').executeTakeFirst();
  if (!error?.send_error) return undefined;
  const success = await successes.executeTakeFirst();
  const lastSuccessId = success?.id == null ? null : Number(success.id);
  if (!isCurrentSendError({ id: Number(error.id), at: error.updated_at }, lastSuccessId, ctx.clock.now())) return undefined;
  return { text: error.send_error, at: error.updated_at };
}

/** The numbers the organization can use, each with its send health (on a platform number: the organization's own messages). */
export async function numbersWithHealth(ctx: AppContext, organizationId: string): Promise<Array<{ number: NumberRow; health: NumberHealth }>> {
  const rows = await usableNumbers(ctx, organizationId);
  const result = [];
  for (const number of rows) result.push({ number, health: await numberHealth(ctx, number.id, number.organization_id ? undefined : organizationId) });
  return result;
}

/** Records the sender status of one of the organization's numbers (another organization's → 404). */
export async function recordSenderStatus(
  ctx: AppContext,
  organizationId: string,
  numberId: string,
  senderStatus: NumberRow['sender_status'],
): Promise<NumberRow> {
  const row = (await numbersOf(ctx, [organizationId])).find((n) => n.id === numberId);
  if (!row) throw notFound('Number');
  await ctx.db.updateTable('numbers').set({ sender_status: senderStatus }).where('id', '=', row.id).execute();
  invalidateLookups(ctx);
  return { ...row, sender_status: senderStatus };
}
