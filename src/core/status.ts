// Statuses every flow reads the same way: who has a conversation, and how far a message got.

/** A human has the conversation while it waits for an agent or an agent has it: the bot keeps quiet. */
export const HUMAN_STATUSES = ['waiting_agent', 'agent'] as const;

export function humanHasIt(status: string): boolean {
  return (HUMAN_STATUSES as readonly string[]).includes(status);
}

/** What a provider may report about a message we sent. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;

/**
 * A message's status rank. Statuses only move forward (providers deliver callbacks out of order:
 * a `sent` can arrive after `delivered`); `failed` ranks last and is terminal.
 */
export const STATUS_RANK: Readonly<Record<string, number>> = Object.fromEntries(
  ['received', ...DELIVERY_STATUSES].map((status, rank) => [status, rank]),
);
