// The `inbound.react` job: the bot answers an organization's customer unless a human has the
// conversation; the shared trial number goes through join routing; repeats within the content
// window get no second answer; a username-only sender is still one stable contact.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import { providers } from '../../../src/providers/registry.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { webhookRequest } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { makeNumber, makeOrganization } from '../../support/factories.js';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
let org: Organization;
let number: NumberRow;
let sequence = 0;

beforeEach(async () => {
  ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
  org = await makeOrganization(ctx, { name: 'Amber Shop' });
  number = await makeNumber(ctx, { organization_id: org.id });
});
afterEach(async () => {
  await ctx.database.close();
});

/** A simulated customer message to `to`, stored through the pipeline and reacted to. */
async function customerWrites(text: string, { from = '+5511987654321', to = number.phone_number!, name }: { from?: string; to?: string; name?: string } = {}) {
  const body = JSON.stringify({ id: `sim-react-${++sequence}`, from, to, text, ...(name ? { name } : {}) });
  await receiveWebhook(ctx, providers.simulator, webhookRequest({ url: '/api/webhooks/sim', body, headers: { 'content-type': 'application/json' } }));
  await drainJobs(ctx);
}

const outbound = () => ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'out').orderBy('id').execute();

describe('reacting to a customer message', () => {
  it('attaches it to an open conversation, extends the window, and the bot answers in the same thread', async () => {
    await customerWrites('What are your opening hours?');
    await customerWrites('And on Sundays?');
    const conversations = await ctx.db.selectFrom('conversations').selectAll().execute();
    expect(conversations).toHaveLength(1);
    const replies = await outbound();
    expect(replies).toHaveLength(2);
    expect(replies.every((m) => m.author === 'bot' && m.conversation_id === conversations[0]!.id && m.to_address === '+5511987654321')).toBe(true);
  });

  it('stays silent while a human has the conversation', async () => {
    await customerWrites('Hello');
    const before = (await outbound()).length;
    await ctx.db.updateTable('conversations').set({ status: 'agent' }).execute();
    await customerWrites('Are you still there?');
    expect(await outbound()).toHaveLength(before);
    const messages = await ctx.db.selectFrom('messages').select('conversation_id').where('direction', '=', 'in').execute();
    expect(new Set(messages.map((m) => m.conversation_id)).size).toBe(1);
  });

  it('opens a new conversation with the next reference after a close', async () => {
    await customerWrites('First question');
    await ctx.db.updateTable('conversations').set({ status: 'closed' }).execute();
    await customerWrites('A new question');
    const refs = (await ctx.db.selectFrom('conversations').select('ref').orderBy('ref').execute()).map((c) => c.ref);
    expect(refs).toEqual([1, 2]);
  });

  it('gives a repeat of the same text within the content window no second answer', async () => {
    await ctx.db.updateTable('organizations').set({ dedupe_window_seconds: 60 }).where('id', '=', org.id).execute();
    await customerWrites('Where is my order?');
    await customerWrites('Where is my order?');
    expect(await ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'in').execute()).toHaveLength(2);
    expect(await outbound()).toHaveLength(1);
    ctx.clock.advance(61_000);
    await customerWrites('Where is my order?');
    expect(await outbound()).toHaveLength(2);
  });

  it('keeps one stable contact for a sender with a username and no phone', async () => {
    await customerWrites('hi', { from: 'US.13491208655302741918' });
    await customerWrites('hello again', { from: 'US.13491208655302741918' });
    const contacts = await ctx.db.selectFrom('contacts').selectAll().execute();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ phone: null, external_id: 'US.13491208655302741918' });
  });
});

describe('the shared trial number', () => {
  it('answers an unbound customer with instructions, then routes to the organization they join', async () => {
    const shared = await makeNumber(ctx, { organization_id: null, is_shared_trial: 1, is_dedicated: 0 });
    await customerWrites('hello', { to: shared.phone_number! });
    const [instructions] = await outbound();
    expect(instructions!.body).toMatch(/join/);
    expect(await ctx.db.selectFrom('conversations').selectAll().execute()).toHaveLength(0);

    await customerWrites(`join ${org.join_code}`, { to: shared.phone_number! });
    await customerWrites('What do you sell?', { to: shared.phone_number! });
    const conversation = await ctx.db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({ organization_id: org.id, number_id: shared.id });
    const question = await ctx.db.selectFrom('messages').selectAll().where('body', '=', 'What do you sell?').executeTakeFirstOrThrow();
    expect(question).toMatchObject({ organization_id: org.id, conversation_id: conversation.id });
  });
});
