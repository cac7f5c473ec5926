// SPEC §9's plan limit: only messages exchanged with customers count; messages to and from the
// organization's agents are their own cost line; at 80% and 100% the organization says so; at the
// limit the bot marks what it does not answer, and answers it once the plan is raised — once, and
// only inside the 24-hour window.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { providers } from '../../../src/providers/registry.js';
import { listConversations } from '../../../src/services/conversations/conversations.js';
import { listConversationMessages } from '../../../src/services/conversations/messages.js';
import { receiveWebhook } from '../../../src/services/inbound/receive.js';
import { enqueueSend, sendQueuedMessage } from '../../../src/services/outbound/send.js';
import { describeOrganization, updateOrganization } from '../../../src/services/tenancy/organizations.js';
import { canAutoReply, monthlyUsage } from '../../../src/services/tenancy/plans.js';
import { usageReport } from '../../../src/services/tenancy/usage.js';
import { webhookRequest } from '../../fixtures/providers/index.js';
import { makeTestContext } from '../../support/context.js';
import { activateAgents, makeNumber, makeOrganization, openServiceWindow, useAllowance } from '../../support/factories.js';

const MAYA = '+15550100101';
const TOM = '+15550100102';

let ctx: Awaited<ReturnType<typeof makeTestContext>>;
let org: Organization;
let number: NumberRow;
let sequence = 0;

beforeEach(async () => {
  ctx = await makeTestContext({ env: { SIMULATOR: '1' } });
  ctx.clock.set('2026-06-10T08:00:00Z');
  org = await makeOrganization(ctx, { name: 'Crumb & Co', plan: 'trial' });
  number = await makeNumber(ctx, { organization_id: org.id });
});
afterEach(async () => {
  await ctx.database.close();
});

/** A simulated WhatsApp message to the organization's number, through the pipeline and its jobs. */
async function writes(from: string, text: string) {
  const body = JSON.stringify({ id: `sim-limit-${++sequence}`, from, to: number.phone_number, text });
  await receiveWebhook(ctx, providers.simulator, webhookRequest({ url: '/api/webhooks/sim', body, headers: { 'content-type': 'application/json' } }));
  await drainJobs(ctx);
}

const sentTo = (to: string) => ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'out').where('to_address', '=', to).orderBy('id').execute();
const customer = (i: number) => `+55119876500${String(i).padStart(2, '0')}`;

describe('the plan limit', () => {
  it('a trial organization with a 50-message limit does a day of handovers: the agents use none of it, and the bot keeps answering', async () => {
    await activateAgents(ctx, org.id, [MAYA, TOM], { [MAYA]: 'Maya', [TOM]: 'Tom' });
    await openServiceWindow(ctx, number.id, MAYA);
    await openServiceWindow(ctx, number.id, TOM);
    for (let i = 1; i <= 10; i++) {
      await writes(customer(i), 'human');
      await writes(MAYA, `#${i}: Hello, Maya here`);
      ctx.clock.advance(30 * 60_000);
    }
    const agentMessages = await ctx.db.selectFrom('messages').selectAll().where('organization_id', '=', org.id).where('audience', '=', 'agent').execute();
    // Two notifications a handover, Maya's ten replies, and each "taken by" to Tom: far past 50 on their own.
    expect(agentMessages.length).toBeGreaterThanOrEqual(40);
    // Each customer: "human", the confirmation, Maya's answer.
    expect(await monthlyUsage(ctx, org.id)).toMatchObject({ used: 30, limit: 50, limitState: 'ok' });
    expect(await canAutoReply(ctx, org.id)).toBe(true);

    await writes(customer(11), 'What are your opening hours?');
    const answer = await sentTo(customer(11));
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatchObject({ author: 'bot', audience: 'contact' });

    const usage = await usageReport(ctx, org.id, '2026-06');
    expect(usage).toMatchObject({ used: 32, remaining: 18, limitState: 'ok' });
    expect(usage.agentMessages.out + usage.agentMessages.in).toBe(agentMessages.length);
    expect(usage.agentMessages.in).toBe(10);
    expect(usage.cost.agents).toBeCloseTo(agentMessages.length * 0.005, 6);
    expect(usage.cost.total).toBeCloseTo(usage.cost.provider + usage.cost.meta + usage.cost.rental + usage.cost.agents, 6);
  });

  it('says near from 80% and reached at 100%, in usage and in the organization', async () => {
    await useAllowance(ctx, org.id, 39);
    expect((await describeOrganization(ctx, org.id)).limitState).toBe('ok');
    await useAllowance(ctx, org.id, 40);
    expect(await describeOrganization(ctx, org.id)).toMatchObject({ limitState: 'near', messagesUsed: 40, messageLimit: 50 });
    expect((await usageReport(ctx, org.id, '2026-06')).limitState).toBe('near');
    await useAllowance(ctx, org.id, 50);
    expect((await describeOrganization(ctx, org.id)).limitState).toBe('reached');
    expect(await usageReport(ctx, org.id, '2026-06')).toMatchObject({ limitState: 'reached', remaining: 0 });
  });

  it('at the limit a customer message is not answered and is marked for a human, in the thread and the list', async () => {
    await useAllowance(ctx, org.id, 50);
    await writes(customer(1), 'Do you deliver on Sundays?');
    expect(await sentTo(customer(1))).toHaveLength(0);
    const [conversation] = await listConversations(ctx, org.id);
    expect(conversation).toMatchObject({ contactNumber: customer(1), unanswered: 1 });
    const [message] = await listConversationMessages(ctx, conversation!.id);
    expect(message).toMatchObject({ direction: 'in', body: 'Do you deliver on Sundays?', unanswered: 'Not answered: monthly limit reached' });
    // the customer's message itself still counts: inbound is stored and counted at the limit
    expect((await monthlyUsage(ctx, org.id)).used).toBe(51);

    // An agent answers the customer (as a WhatsApp agent reply is sent): the mark is handled.
    await enqueueSend(ctx, {
      organizationId: org.id,
      conversationId: conversation!.id,
      numberId: number.id,
      to: customer(1),
      text: 'Yes, we do!',
      author: 'agent',
    });
    expect((await listConversations(ctx, org.id))[0]).toMatchObject({ unanswered: 0 });
    expect((await listConversationMessages(ctx, conversation!.id))[0]).toMatchObject({ unanswered: null });
  });

  it('answers the marked messages once the plan is raised — once each, and not one older than 24 hours', async () => {
    await useAllowance(ctx, org.id, 50);
    await writes(customer(1), 'Is the shop open tomorrow?');
    ctx.clock.advance(20 * 3600_000);
    await writes(customer(2), 'Do you deliver on Sundays?');
    ctx.clock.advance(5 * 3600_000);

    await updateOrganization(ctx, org.id, { plan: 'starter' });
    await drainJobs(ctx);
    expect(await sentTo(customer(1))).toHaveLength(0);
    const answered = await sentTo(customer(2));
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ author: 'bot' });

    const marks = async () =>
      (await ctx.db.selectFrom('messages').select(['from_address', 'unanswered']).where('direction', '=', 'in').orderBy('id').execute()).map((m) => [
        m.from_address,
        m.unanswered,
      ]);
    expect(await marks()).toEqual([
      [customer(1), 'limit_reached'],
      [customer(2), null],
    ]);

    // Another change of plan runs the job again: nothing is answered twice.
    await updateOrganization(ctx, org.id, { plan: 'business' });
    await drainJobs(ctx);
    expect(await sentTo(customer(2))).toHaveLength(1);
    expect(await sentTo(customer(1))).toHaveLength(0);
  });

  it('gives a send that fails before reaching the provider back to the plan', async () => {
    await writes(customer(1), 'Hello');
    const before = (await monthlyUsage(ctx, org.id)).used;
    expect(before).toBe(2);
    const reply = (await sentTo(customer(1)))[0]!;
    await ctx.db.deleteFrom('numbers').where('id', '=', number.id).execute();
    await ctx.db.updateTable('messages').set({ status: 'queued', provider_message_id: null }).where('id', '=', reply.id).execute();
    await sendQueuedMessage(ctx, { messageId: reply.id, text: 'x' }, { id: 0, attempt: 1, isLastAttempt: false });
    expect((await ctx.db.selectFrom('messages').select('status').where('id', '=', reply.id).executeTakeFirstOrThrow()).status).toBe('failed');
    expect((await monthlyUsage(ctx, org.id)).used).toBe(1);
  });
});
