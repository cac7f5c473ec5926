// Every notification names the agent's commands in its last line once a day (SPEC §8 "The agent's
// phone"), remembered per agent's phone across organizations.
import type { AppContext } from '../context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * True when the agent has not been shown the commands in the last 24 hours; it then counts as
 * shown now (claimed atomically, so two notifications at once carry it once).
 */
export async function commandsLineDue(ctx: AppContext, agent: string): Promise<boolean> {
  const now = ctx.clock.now();
  const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
  await ctx.db
    .insertInto('agent_phones')
    .values({ number: agent, commands_shown_at: null })
    .onConflict((oc) => oc.column('number').doNothing())
    .execute();
  const claimed = await ctx.db
    .updateTable('agent_phones')
    .set({ commands_shown_at: now.toISOString() })
    .where('number', '=', agent)
    .where((eb) => eb.or([eb('commands_shown_at', 'is', null), eb('commands_shown_at', '<=', dayAgo)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) > 0;
}
