// The app's list of job kinds reaches every context through createContext: each kind the app
// enqueues finds its handler there, and the context's per-process state is its own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainJobs, enqueueJob, type JobSpec } from '../../src/jobs/queue.js';
import { setSendRate, takeSendToken } from '../../src/services/outbound/send-rate.js';
import { makeTestContext } from '../support/context.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => {
  await ctx.database.close();
});

describe('the list of job kinds', () => {
  it('gives a context a handler for every kind the app enqueues', async () => {
    // jobs about a message that does not exist: every handler finds nothing to do and finishes
    const specs: JobSpec[] = [
      { kind: 'inbound.react', payload: { messageId: 999 } },
      { kind: 'inbound.media', payload: { messageId: 999 } },
      { kind: 'outbound.send', payload: { messageId: 999 } },
      { kind: 'widget.react', payload: { messageId: 999 } },
      { kind: 'inbound.answer-unanswered', payload: { organizationId: 'no-such-organization' } },
      { kind: 'knowledge.train-learned', payload: { organizationId: 'no-such-organization' } },
      { kind: 'template.create', payload: { templateId: 'no-such-template' } },
      { kind: 'template.check', payload: { templateId: 'no-such-template' } },
    ];
    for (const spec of specs) await enqueueJob(ctx, spec);
    expect(await drainJobs(ctx)).toBe(specs.length);
    const jobs = await ctx.db.selectFrom('jobs').select(['kind', 'status', 'last_error']).orderBy('id').execute();
    expect(jobs).toEqual(specs.map((spec) => ({ kind: spec.kind, status: 'done', last_error: null })));
    expect([...ctx.jobs.handlers.keys()].sort()).toEqual(specs.map((spec) => spec.kind).sort());
  });
});

describe('per-process state', () => {
  it('belongs to its context: another context on the same process keeps its own', async () => {
    const other = await makeTestContext();
    try {
      setSendRate(ctx, 1);
      expect(takeSendToken(ctx, 'number-1', 0)).toBe(0);
      expect(takeSendToken(ctx, 'number-1', 0)).toBe(1000);
      // the other context's bucket for the same number id is full, at the default rate
      expect(other.state.sendRate.perSecond).toBe(20);
      expect(takeSendToken(other, 'number-1', 0)).toBe(0);
      expect(ctx.state.sendRate.byNumber.get('number-1')).toMatchObject({ tokens: 0 });
    } finally {
      await other.database.close();
    }
  });
});
