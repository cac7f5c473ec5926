// ACCEPT <code> and STOP AGENT from an agent's own phone: only a listed phone of the organization the
// code names becomes active, only on a sender that organization may use; anything else is an
// ordinary message of the number it was written to.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Organization } from '../../../src/db/schema.js';
import { addAgent, agentCode } from '../../../src/services/agents/agents.js';
import { reactToInbound } from '../../../src/services/inbound/reaction.js';
import { ACCEPT_REFUSED, handleAgentCommand } from '../../../src/services/agents/consent.js';
import type { ManualClock } from '../../../src/core/clock.js';
import type { AppContext } from '../../../src/services/context.js';
import { seatText } from '../../../src/core/seat-text.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { makeTestContext } from '../../support/context.js';
import { agentWrites, conversationOf, MAYA as WORLD_MAYA, makeWorld, seenByVisitor, sentToAgents, TOM as WORLD_TOM, visitor } from '../handover/setup.js';
import { makeInboundMessage, makeNumber, makeOrganization } from '../../support/factories.js';

const MAYA = '+15550100101';
let ctx: AppContext;
let shop: Organization;
let other: Organization;

beforeEach(async () => {
  ctx = await makeTestContext();
  shop = await makeOrganization(ctx, { name: 'Lantern Lane Bikes' });
  other = await makeOrganization(ctx, { name: 'Other Shop' });
  await addAgent(ctx, shop.id, { name: 'Maya', number: MAYA });
});
afterEach(async () => {
  await ctx.database.close();
});

const statusOf = async (organizationId: string) =>
  (await ctx.db.selectFrom('agents').select('status').where('organization_id', '=', organizationId).where('number', '=', MAYA).executeTakeFirst())?.status;
const repliesTo = async (phone: string) =>
  (await ctx.db.selectFrom('messages').select('body').where('direction', '=', 'out').where('to_address', '=', phone).orderBy('id').execute()).map(
    (m) => m.body,
  );

async function writes(from: string, to: Awaited<ReturnType<typeof makeNumber>>, body: string) {
  return handleAgentCommand(ctx, await makeInboundMessage(ctx, to, { from, body }), to);
}

describe('ACCEPT <code>', () => {
  it('activates a listed phone on the organization’s own number or a platform number, and says so', async () => {
    const code = await agentCode(ctx, shop.id);
    expect(await agentCode(ctx, shop.id)).toBe(code); // drawn once
    const own = await makeNumber(ctx, { organization_id: shop.id });
    expect(await writes(MAYA, own, `accept ${code.toLowerCase()}`)).toBe(true);
    expect(await statusOf(shop.id)).toBe('active');
    expect(await writes(MAYA, own, `ACCEPT ${code}`)).toBe(true);
    expect(await repliesTo(MAYA)).toEqual([
      expect.stringContaining('You are now an agent of Lantern Lane Bikes'),
      'You are already an agent of Lantern Lane Bikes.',
    ]);
  });

  it('answers a code of nobody, or one written to another organization’s number, with one neutral sentence and activates nothing', async () => {
    const code = await agentCode(ctx, shop.id);
    const theirs = await makeNumber(ctx, { organization_id: other.id });
    expect(await writes(MAYA, theirs, `ACCEPT ${code}`)).toBe(true);
    expect(await writes(MAYA, theirs, 'ACCEPT ZZZZZZ')).toBe(true);
    expect(await statusOf(shop.id)).toBe('invited');
    expect(await repliesTo(MAYA)).toEqual([ACCEPT_REFUSED, ACCEPT_REFUSED]);
  });

  it('answers a right code from a phone the organization never listed with the same sentence: no name, nothing confirmed', async () => {
    const code = await agentCode(ctx, shop.id);
    const platform = await makeNumber(ctx, { organization_id: null });
    expect(await writes('+15550109999', platform, `ACCEPT ${code}`)).toBe(true);
    expect(await writes('+15550109999', platform, 'ACCEPT WRONG1')).toBe(true);
    const [right, wrong] = await repliesTo('+15550109999');
    expect(right).toBe(ACCEPT_REFUSED);
    expect(wrong).toBe(right);
    expect(right).not.toContain('Lantern');
    expect(ACCEPT_REFUSED).not.toMatch(/Lantern|Other Shop/);
    expect(await ctx.db.selectFrom('agents').select('number').where('status', '=', 'active').execute()).toEqual([]);
  });

  it('leaves the bot silent: thirty wrong codes to a number cost five neutral answers and one "wait", nothing more', async () => {
    const own = await makeNumber(ctx, { organization_id: shop.id });
    for (let i = 0; i < 30; i += 1) {
      const message = await makeInboundMessage(ctx, own, { from: '+15550107777', body: `ACCEPT TRY${String(i).padStart(3, '0')}` });
      await reactToInbound(ctx, { messageId: message.id });
    }
    const out = await ctx.db.selectFrom('messages').select(['author', 'body']).where('direction', '=', 'out').orderBy('id').execute();
    expect(out.map((m) => m.author)).toEqual(Array(6).fill('system'));
    expect(out.map((m) => m.body)).toEqual([...Array(5).fill(ACCEPT_REFUSED), 'Too many ACCEPT attempts from this phone; try again in 15 minutes.']);
    expect(await ctx.db.selectFrom('conversations').select('id').execute()).toEqual([]);
  });

  it('takes five tries per phone in 15 minutes, says once that it must wait, then answers nothing — a right code included', async () => {
    const code = await agentCode(ctx, shop.id);
    const own = await makeNumber(ctx, { organization_id: shop.id });
    for (let i = 0; i < 5; i += 1) expect(await writes(MAYA, own, `ACCEPT WRONG${i}`)).toBe(true);
    for (let i = 0; i < 5; i += 1) expect(await writes(MAYA, own, `ACCEPT ${code}`)).toBe(true);
    const replies = await repliesTo(MAYA);
    expect(replies).toEqual([...Array(5).fill(ACCEPT_REFUSED), 'Too many ACCEPT attempts from this phone; try again in 15 minutes.']);
    expect(await statusOf(shop.id)).toBe('invited');
    // another phone is not held back
    await addAgent(ctx, shop.id, { name: 'Ravi', number: '+15550100202' });
    expect(await writes('+15550100202', own, `ACCEPT ${code}`)).toBe(true);
    expect((await repliesTo('+15550100202'))[0]).toContain('You are now an agent of Lantern Lane Bikes');
    // the window ends: the right code works
    (ctx.clock as ManualClock).advance(15 * 60_000);
    expect(await writes(MAYA, own, `ACCEPT ${code}`)).toBe(true);
    expect(await statusOf(shop.id)).toBe('active');
  });
});

describe('STOP AGENT', () => {
  it('on a platform number stops the phone in every organization; from a phone that is no active agent it is an ordinary message', async () => {
    await addAgent(ctx, other.id, { name: 'Maya', number: MAYA });
    const platform = await makeNumber(ctx, { organization_id: null });
    for (const org of [shop, other]) expect(await writes(MAYA, platform, `ACCEPT ${await agentCode(ctx, org.id)}`)).toBe(true);
    expect(await writes(MAYA, platform, 'stop agent')).toBe(true);
    expect([await statusOf(shop.id), await statusOf(other.id)]).toEqual(['stopped', 'stopped']);
    expect((await repliesTo(MAYA)).at(-1)).toBe(
      'You will no longer receive chats from Lantern Lane Bikes, Other Shop. To start again, send ACCEPT with the code they give you.',
    );
    expect(await writes(MAYA, platform, 'STOP AGENT')).toBe(false);
  });

  it('hands the conversations the agent was answering to the other agent, telling the visitor', async () => {
    const world = await makeWorld({ pool: 1 });
    try {
      const v = await visitor(world, 'Ana');
      await v.say('hi');
      await requestHandover(world.ctx, v.sessionId);
      await agentWrites(world, WORLD_MAYA, world.pool[0]!, 'Hi Ana, Maya here');
      expect((await conversationOf(world, 1)).status).toBe('agent');
      const stop = await makeInboundMessage(world.ctx, world.pool[0]!, { from: WORLD_MAYA, body: 'STOP AGENT' });
      expect(await handleAgentCommand(world.ctx, stop, world.pool[0]!)).toBe(true);
      expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
      expect((await seenByVisitor(world, v.sessionId)).at(-1)?.body).toBe(seatText.agentLeftHandedOff);
      const toTom = await sentToAgents(world, WORLD_TOM);
      expect(toTom.filter((m) => m.body?.startsWith('🔔 Agent Handover Request'))).toHaveLength(2);
    } finally {
      await world.ctx.database.close();
    }
  });
});
