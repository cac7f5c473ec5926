// Conversation statuses every flow reads the same way: who has the conversation.

/** A human has the conversation while it waits for an agent or an agent has it: the bot keeps quiet. */
export const HUMAN_STATUSES = ['waiting_agent', 'agent'] as const;

export function humanHasIt(status: string): boolean {
  return (HUMAN_STATUSES as readonly string[]).includes(status);
}
