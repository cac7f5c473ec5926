// A message an agent sent without naming a usable conversation is held, not lost (SPEC §8 "The
// agent's phone"): the agent gets a numbered pick, and their reply `1` delivers it there. One held
// message per agent and sender — a newer one replaces it — for ten minutes.
import type { HeldAgentMessageTable } from '../../db/schema.js';
import type { AppContext } from '../context.js';

export const HELD_MINUTES = 10;

export interface HeldMessage {
  messageId: number;
  text: string | null;
  /** conversation ids, in the order the pick listed them */
  choices: string[];
}

type Thread = { agent: string; numberId: string };

export async function holdMessage(ctx: AppContext, thread: Thread, held: HeldMessage): Promise<void> {
  const row: HeldAgentMessageTable = {
    agent_number: thread.agent,
    number_id: thread.numberId,
    message_id: held.messageId,
    text: held.text,
    choices: JSON.stringify(held.choices),
    expires_at: new Date(ctx.clock.now().getTime() + HELD_MINUTES * 60_000).toISOString(),
  };
  await ctx.db
    .insertInto('held_agent_messages')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['agent_number', 'number_id']).doUpdateSet({ message_id: row.message_id, text: row.text, choices: row.choices, expires_at: row.expires_at }),
    )
    .execute();
}

/**
 * Takes the agent's held message off this thread when `choice` is one of its numbers: only one pick
 * ever takes it (two picks at once deliver it once). `expired`/`none` leave nothing to deliver;
 * `out-of-range` keeps it held.
 */
export async function takeHeldMessage(
  ctx: AppContext,
  thread: Thread,
  choice: number,
): Promise<{ kind: 'taken'; held: HeldMessage; conversationId: string } | { kind: 'none' } | { kind: 'out-of-range'; count: number }> {
  const row = await ctx.db
    .selectFrom('held_agent_messages')
    .selectAll()
    .where('agent_number', '=', thread.agent)
    .where('number_id', '=', thread.numberId)
    .where('expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  if (!row) return { kind: 'none' };
  const choices = JSON.parse(row.choices) as string[];
  if (choice < 1 || choice > choices.length) return { kind: 'out-of-range', count: choices.length };
  const taken = await ctx.db
    .deleteFrom('held_agent_messages')
    .where('agent_number', '=', thread.agent)
    .where('number_id', '=', thread.numberId)
    .where('message_id', '=', row.message_id)
    .executeTakeFirst();
  if (Number(taken.numDeletedRows) === 0) return { kind: 'none' };
  return { kind: 'taken', held: { messageId: row.message_id, text: row.text, choices }, conversationId: choices[choice - 1]! };
}
