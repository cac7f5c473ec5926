// Group commit, on either engine: writes of one event-loop turn share a commit (messages and their
// reaction jobs in multi-row inserts), yet one bad write does not fail the others stored with it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeInbound, type InboundMessageRow } from '../../../src/services/inbound/store.js';
import { makeTestContext } from '../../support/context.js';

export function describeStore(engine: string, database?: () => Promise<{ url: string; drop: () => Promise<void> }>): void {
  describe(`storeInbound (${engine})`, () => {
    let ctx: Awaited<ReturnType<typeof makeTestContext>>;
    let drop: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const fresh = await database?.();
      drop = fresh?.drop;
      ctx = await makeTestContext(fresh ? { databaseUrl: fresh.url } : {});
    });
    afterEach(async () => {
      await ctx.database.close();
      await drop?.();
    });

    function row(id: string): InboundMessageRow {
      const at = ctx.clock.now().toISOString();
      return {
        organization_id: null,
        direction: 'in',
        author: 'contact',
        audience: 'contact',
        body: id,
        media: null,
        provider: 'simulator',
        provider_message_id: id,
        reply_to_provider_message_id: null,
        number_id: null,
        from_address: '+5511987654321',
        to_address: '+14155550123',
        status: 'received',
        category: 'service',
        cost: 0,
        created_at: at,
        updated_at: at,
      };
    }

    const reaction = (profileName?: string) => ({ kind: 'inbound.react', payload: { profileName }, idempotencyPrefix: 'react:' });
    const store = (id: string, profileName?: string) => storeInbound(ctx, { kind: 'message', row: row(id), reaction: reaction(profileName) });

    it('stores the good writes of a turn even when one of them is rejected by the database', async () => {
      const good = store('good-1');
      const bad = storeInbound(ctx, { kind: 'message', row: { ...row('bad-1'), direction: null as unknown as string }, reaction: reaction() });
      const alsoGood = store('good-2');
      const [first, rejected, second] = await Promise.allSettled([good, bad, alsoGood]);
      expect(first).toMatchObject({ status: 'fulfilled', value: { inserted: true } });
      expect(second).toMatchObject({ status: 'fulfilled', value: { inserted: true } });
      expect(rejected.status).toBe('rejected');
      const stored = await ctx.db.selectFrom('messages').select('provider_message_id').orderBy('id').execute();
      expect(stored.map((m) => m.provider_message_id).sort()).toEqual(['good-1', 'good-2']);
      expect(await ctx.db.selectFrom('jobs').selectAll().execute()).toHaveLength(2);
    });

    it('inserts a message once and enqueues its reaction once, however often it arrives', async () => {
      const results = await Promise.all([1, 2, 3].map(() => store('same')));
      expect(results.filter((r) => r.kind === 'message' && r.inserted)).toHaveLength(1);
      expect(await ctx.db.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
      // A later turn bringing it again with new ones stores only the new ones.
      const again = await Promise.all([store('same'), store('new-1'), store('new-2')]);
      expect(again.map((r) => r.kind === 'message' && r.inserted)).toEqual([false, true, true]);
      expect(await ctx.db.selectFrom('messages').selectAll().execute()).toHaveLength(3);
      expect(await ctx.db.selectFrom('jobs').selectAll().execute()).toHaveLength(3);
    });

    it("gives each message of a large turn its own reaction job, naming that message's id", async () => {
      const ids = Array.from({ length: 150 }, (_, i) => `m-${i}`);
      const results = await Promise.all(ids.map((id, i) => store(id, i % 2 ? `Customer ${i}` : undefined)));
      expect(results.every((r) => r.kind === 'message' && r.inserted)).toBe(true);
      const messages = await ctx.db.selectFrom('messages').select(['id', 'provider_message_id']).execute();
      const idOf = new Map(messages.map((m) => [m.provider_message_id, m.id]));
      expect(results.map((r) => (r.kind === 'message' ? r.id : undefined))).toEqual(ids.map((id) => idOf.get(id)));
      const jobs = await ctx.db.selectFrom('jobs').selectAll().execute();
      expect(jobs).toHaveLength(150);
      const byMessage = new Map(jobs.map((job) => [(JSON.parse(job.payload) as { messageId: number }).messageId, job]));
      ids.forEach((id, i) => {
        const job = byMessage.get(idOf.get(id)!)!;
        expect(job).toMatchObject({ kind: 'inbound.react', status: 'pending', idempotency_key: `react:${idOf.get(id)}`, attempts: 0 });
        expect(JSON.parse(job.payload)).toEqual({ messageId: idOf.get(id), ...(i % 2 ? { profileName: `Customer ${i}` } : {}) });
      });
    });
  });
}
