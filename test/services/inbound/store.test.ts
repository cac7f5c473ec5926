// Group commit: writes of one event-loop turn share a transaction, yet one bad write does not fail
// the others stored with it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeInbound, type InboundMessageRow } from '../../../src/services/inbound/store.js';
import { makeTestContext } from '../../support/context.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;

beforeEach(async () => {
  ctx = await makeTestContext();
});
afterEach(async () => {
  await ctx.database.close();
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

const reaction = (messageId: number) => ({ kind: 'inbound.react' as const, payload: { messageId }, idempotencyKey: `react:${messageId}` });

describe('storeInbound', () => {
  it('stores the good writes of a turn even when one of them is rejected by the database', async () => {
    const good = storeInbound(ctx, { kind: 'message', row: row('good-1'), reaction });
    const bad = storeInbound(ctx, { kind: 'message', row: { ...row('bad-1'), direction: null as unknown as string }, reaction });
    const alsoGood = storeInbound(ctx, { kind: 'message', row: row('good-2'), reaction });
    await expect(good).resolves.toMatchObject({ inserted: true });
    await expect(alsoGood).resolves.toMatchObject({ inserted: true });
    await expect(bad).rejects.toThrow();
    const stored = await ctx.db.selectFrom('messages').select('provider_message_id').orderBy('id').execute();
    expect(stored.map((m) => m.provider_message_id)).toEqual(['good-1', 'good-2']);
    expect(await ctx.db.selectFrom('jobs').selectAll().execute()).toHaveLength(2);
  });

  it('inserts a message once and enqueues its reaction once, however often it arrives', async () => {
    const results = await Promise.all([1, 2, 3].map(() => storeInbound(ctx, { kind: 'message', row: row('same'), reaction })));
    expect(results.filter((r) => r.kind === 'message' && r.inserted)).toHaveLength(1);
    expect(await ctx.db.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
  });
});
