// How far a message got: the statuses providers report, and the order they only move forward in.

/** What a provider may report about a message we sent. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;

/**
 * A message's status rank. Statuses only move forward (providers deliver callbacks out of order:
 * a `sent` can arrive after `delivered`); `failed` ranks last and is terminal.
 */
export const STATUS_RANK: Readonly<Record<string, number>> = Object.fromEntries(['received', ...DELIVERY_STATUSES].map((status, rank) => [status, rank]));
