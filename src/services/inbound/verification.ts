// Whose secret a webhook event must be signed with: the one of the number it is routed to (SPEC §4).
// A payload can name several numbers (Meta batches changes of several phone_number_ids); each event
// is checked against its own number's credentials, so an organization that holds its own app secret
// can sign events for its own numbers only, never for another organization's.
import { conflict } from '../../core/errors.js';
import { PLATFORM_SECRET } from '../../core/signers.js';
import type { NumberRow } from '../../db/schema.js';
import type { Credentials, NormalizedEvent, ProviderAdapter, WebhookRequest } from '../../providers/provider.js';
import type { AppContext } from '../context.js';
import { credentialsForNumber, ownCredentials, platformCredentials } from '../numbers/connections.js';
import { findNumberByRoutingKey, type RoutingKey } from '../numbers/lookup.js';

export interface Verifier {
  /** whose secret verifies: the connection id when the connection has its own, else `platform` */
  by: string;
  credentials: Credentials | undefined;
}

/** The credentials that verify webhooks for `number` (the platform's when no number is known). */
export async function verifierFor(ctx: AppContext, adapter: ProviderAdapter, number: NumberRow | undefined): Promise<Verifier> {
  if (!number) return { by: PLATFORM_SECRET, credentials: platformCredentials(ctx, adapter.name) };
  const credentials = await credentialsForNumber(ctx, number);
  // A connection without its own secret borrows the platform's (credentialsForNumber): the platform's secret verifies then.
  const own = number.connection_id ? await ownCredentials(ctx, number.connection_id) : undefined;
  const field = adapter.webhookSecretField;
  const ownSecret = own && field ? (own as Record<string, unknown>)[field] : undefined;
  return { by: ownSecret && number.connection_id ? number.connection_id : PLATFORM_SECRET, credentials };
}

/** The business number an event names; a status that names none belongs to the payload's routing hint. */
export function routingKeyOf(event: NormalizedEvent, hint: RoutingKey | undefined): RoutingKey | undefined {
  return event.to ?? hint;
}

/** One request's signature, checked once per secret holder however many events name that holder. */
export function signatureChecker(ctx: AppContext, adapter: ProviderAdapter, req: WebhookRequest): (verifier: Verifier) => boolean {
  const results = new Map<string, boolean>();
  return (verifier) => {
    let verified = results.get(verifier.by);
    if (verified === undefined) {
      try {
        verified = adapter.verify(req, verifier.credentials as never, ctx.config.publicUrl) === true;
      } catch {
        verified = false;
      }
      results.set(verifier.by, verified);
    }
    return verified;
  };
}

export interface CheckedEvent {
  event: NormalizedEvent;
  key: RoutingKey | undefined;
  number: NumberRow | undefined;
  verifier: Verifier;
}

/** Each event with the number it is routed to and the verifier of that number. */
export async function withVerifiers(
  ctx: AppContext,
  adapter: ProviderAdapter,
  events: NormalizedEvent[],
  hint: RoutingKey | undefined,
): Promise<CheckedEvent[]> {
  return Promise.all(
    events.map(async (event) => {
      const key = routingKeyOf(event, hint);
      const number = key ? await findNumberByRoutingKey(ctx, adapter.name, key) : undefined;
      return { event, key, number, verifier: await verifierFor(ctx, adapter, number) };
    }),
  );
}

const holderOf = (by: string) => (by === PLATFORM_SECRET ? "the platform's secret" : `the secret of connection ${by}`);

/**
 * A replay writes only into numbers verified by the secret that verified the event on arrival: else
 * one organization's secret could write into another's inbox. `verifiedBy` null (kept before this
 * was recorded) counts as the platform's. Events whose number is still unknown are left to the
 * "still unrouted" answer, except statuses, which are stored whatever their number.
 */
export function assertSameSecret(
  checked: Array<{ kind: NormalizedEvent['kind']; number: NumberRow | undefined; verifier: Verifier }>,
  verifiedBy: string | null,
): void {
  const expected = verifiedBy ?? PLATFORM_SECRET;
  for (const { kind, number, verifier } of checked) {
    if (!number && kind !== 'status') continue;
    if (verifier.by === expected) continue;
    const named = number ? (number.phone_number ?? number.provider_id) : 'a number no one holds';
    throw conflict(
      `This event was verified with ${holderOf(expected)}, but ${named} is verified with ${holderOf(verifier.by)}; replaying it would write into an organization that did not sign it, so nothing was stored.`,
      'SIGNED_FOR_ANOTHER_NUMBER',
    );
  }
}
