// A customer's message to a platform number (SPEC §6: platform numbers carry handovers only) is
// stored like any message — that keeps a repeated delivery single and lets the reaction job tell an
// agent from a customer — and, when it is a customer's, kept as an unrouted event pointing at it.
import type { Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { providerByName } from '../../providers/registry.js';
import { PLATFORM_SECRET } from '../../core/signers.js';
import { verifierFor } from './verification.js';

/** What the administrator reads in the list: the message as it arrived, without provider secrets. */
interface KeptMessage {
  from: string;
  to: string | null;
  text: string | null;
  media: unknown;
  providerMessageId: string | null;
  profileName?: string;
}

/** Keeps the message as an unrouted event once, however often its reaction job runs. */
export async function keepUnroutedMessage(ctx: AppContext, message: Message, number: NumberRow, profileName?: string): Promise<void> {
  const kept: KeptMessage = {
    from: message.from_address ?? '',
    to: message.to_address,
    text: message.body,
    media: message.media ? JSON.parse(message.media) : null,
    providerMessageId: message.provider_message_id,
    ...(profileName ? { profileName } : {}),
  };
  // The platform number's secret verified it on arrival; a replay must find the same one on the number.
  const adapter = providerByName(number.provider);
  const verifiedBy = adapter ? (await verifierFor(ctx, adapter, number)).by : PLATFORM_SECRET;
  const inserted = await ctx.db
    .insertInto('unrouted_events')
    .values({
      provider: message.provider ?? number.provider,
      reason: `Sent to ${number.phone_number ?? number.provider_id}, a platform number that carries handovers only; no organization takes customers' messages on it.`,
      payload: JSON.stringify(kept),
      headers: null,
      received_at: message.created_at,
      message_id: message.id,
      verified_by: verifiedBy,
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) ctx.log.info({ message: message.id, number: number.id, unroutedEvent: inserted.id }, 'customer message to a platform number kept unrouted');
}

/** The profile name kept with the message, for the replayed reaction. */
export function keptProfileName(payload: string): string | undefined {
  try {
    const name = (JSON.parse(payload) as KeptMessage).profileName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
