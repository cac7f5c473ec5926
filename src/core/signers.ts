// Whose secret verified a webhook event (SPEC §4): the platform's, from the environment, or a
// connection's own. An event writes only where its signer may write: a connection's own secret into
// that connection's numbers, the platform's into any number it verifies.

/** The holder of the platform's secret, as `verified_by` records it. */
export const PLATFORM_SECRET = 'platform';

/**
 * Whether an event signed by `verifiedBy` may change a message sent from a number of
 * `connectionId` (null: a number on the platform's own account). A null signer was kept before
 * signers were recorded: the platform's.
 */
export function signerMayChange(verifiedBy: string | null, connectionId: string | null): boolean {
  const signer = verifiedBy ?? PLATFORM_SECRET;
  return signer === PLATFORM_SECRET || signer === connectionId;
}
