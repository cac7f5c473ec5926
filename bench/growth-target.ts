// The product on a loaded year (bench/growth.ts): the whole server from the environment, plus
// in-process timings over IPC of what no HTTP request starts (the handover sweep, a job claim, the
// plan-limit check of a bot reply, the swipe-reply's lookup) and the longest event-loop blocks
// seen since the last ask, split into the server's own CPU and the machine's (bench/loop-blocks.ts).
import { loadConfig } from '../src/config.js';
import { HUMAN_STATUSES } from '../src/core/status.js';
import { claimJobs } from '../src/jobs/queue.js';
import { createContext, startServer } from '../src/server.js';
import { swipedMessageQuery } from '../src/services/handover/agent-replies.js';
import { loadHandover } from '../src/services/handover/handovers.js';
import { sweepHandovers } from '../src/services/handover/inactivity.js';
import { monthlyUsage } from '../src/services/tenancy/plans.js';
import { BIG_ORGANIZATION } from './growth-loader.js';
import { watchLoopBlocks } from './loop-blocks.js';

export type GrowthOp = 'sweep' | 'claim' | 'planLimit' | 'swipe';
export interface Swiped {
  providerMessageId: string;
  conversationId: string;
  agent: string;
  provider: string;
}

const swiped = JSON.parse(process.argv[2]!) as Swiped;
const ctx = await createContext(loadConfig());
// The year ended when it was loaded; its live handovers were active a moment ago, so the sweep
// finds them busy (not idle past their timeout) as it would in a running shop.
await ctx.db
  .updateTable('conversations')
  .set({ last_message_at: ctx.clock.now().toISOString() })
  .where('status', 'in', [...HUMAN_STATUSES])
  .execute();
const blocks = watchLoopBlocks();
const server = await startServer(ctx);

const ops: Record<GrowthOp, () => Promise<unknown>> = {
  sweep: () => sweepHandovers(ctx),
  claim: async () => {
    const claimed = await claimJobs(ctx, 10);
    if (claimed.length !== 10) throw new Error(`a claim took ${claimed.length} jobs of the backlog, not 10`);
  },
  // What assertCanSend reads before a bot reply (it throws once the limit is reached; the read is the cost).
  planLimit: () => monthlyUsage(ctx, BIG_ORGANIZATION),
  swipe: async () => {
    const original = await swipedMessageQuery(ctx.db, swiped).executeTakeFirst();
    const handover = original ? await loadHandover(ctx, original.conversation_id!) : undefined;
    if (handover?.conversation.id !== swiped.conversationId) throw new Error('the swipe-reply did not find its conversation');
  },
};

process.on('message', (message: { op: GrowthOp } | 'probe' | 'lag') => {
  if (message === 'probe') {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    process.send!({ probe: { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed } });
  } else if (message === 'lag') {
    process.send!({ lag: blocks.take() });
  } else {
    const started = performance.now();
    const done = blocks.label(message.op);
    ops[message.op]()
      .then(() => process.send!({ took: performance.now() - started }))
      .catch((err: Error) => process.send!({ took: -1, error: err.message }))
      .finally(done);
  }
});
process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
process.send!({ ready: { url: server.url, organizationId: BIG_ORGANIZATION } });
