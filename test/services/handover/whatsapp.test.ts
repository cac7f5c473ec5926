// A WhatsApp customer's request for a person, run as the `inbound.react` job runs it: at least
// once. A second run changes nothing; a run cut short after the claim finishes the notifications.
import { afterEach, describe, expect, it } from 'vitest';
import { visitorText } from '../../../src/core/handover-text.js';
import { HANDOVER_CONFIRMATION } from '../../../src/services/inbound/auto-reply.js';
import { reactToInbound } from '../../../src/services/inbound/reaction.js';
import { makeInboundMessage } from '../../support/factories.js';
import { conversationOf, MAYA, makeWorld, sentToAgents, TOM, type World } from './setup.js';

const CUSTOMER = '+15550100200';
let world: World | undefined;
afterEach(async () => {
  await world?.ctx.database.close();
  world = undefined;
});

const toCustomer = (w: World) => w.ctx.db.selectFrom('messages').select('body').where('to_address', '=', CUSTOMER).orderBy('id').execute();

describe("a WhatsApp customer's request for a person", () => {
  it('run twice, notifies each agent once, confirms once, and never forwards the request itself', async () => {
    const w = (world = await makeWorld({ handoverNumber: true }));
    const asked = await makeInboundMessage(w.ctx, w.handoverNumber!, { from: CUSTOMER, body: 'human' });
    await reactToInbound(w.ctx, { messageId: asked.id, profileName: 'Ana' });
    await reactToInbound(w.ctx, { messageId: asked.id, profileName: 'Ana' });
    expect((await sentToAgents(w)).map((m) => [m.to_address, m.body!.split('\n')[0]])).toEqual([
      [MAYA, '🔔 Agent Handover Request'],
      [TOM, '🔔 Agent Handover Request'],
    ]);
    expect(await toCustomer(w)).toEqual([{ body: HANDOVER_CONFIRMATION }]);
  });

  it('a run cut short after the claim is finished by the next run', async () => {
    const w = (world = await makeWorld({ handoverNumber: true }));
    const asked = await makeInboundMessage(w.ctx, w.handoverNumber!, { from: CUSTOMER, body: 'human' });
    await reactToInbound(w.ctx, { messageId: asked.id, profileName: 'Ana' });
    // As if the process died right after claiming: the notifications and the confirmation never left.
    await w.ctx.db.deleteFrom('messages').where('direction', '=', 'out').execute();
    await w.ctx.db.deleteFrom('handover_notifications').execute();
    expect((await conversationOf(w, 1)).status).toBe('waiting_agent');
    await reactToInbound(w.ctx, { messageId: asked.id, profileName: 'Ana' });
    expect((await sentToAgents(w)).map((m) => m.to_address)).toEqual([MAYA, TOM]);
    expect(await toCustomer(w)).toEqual([{ body: HANDOVER_CONFIRMATION }]);
  });

  it('with every agent outside the 24-hour window of every number, nothing is sent to them; the customer is told and keeps waiting for a person', async () => {
    const w = (world = await makeWorld({ handoverNumber: true, agentsWrote: false }));
    const asked = await makeInboundMessage(w.ctx, w.handoverNumber!, { from: CUSTOMER, body: 'human' });
    await reactToInbound(w.ctx, { messageId: asked.id });
    await reactToInbound(w.ctx, { messageId: asked.id });
    expect(await sentToAgents(w)).toEqual([]);
    const skipped = await w.ctx.db.selectFrom('handover_notifications').select(['agent_number', 'path']).orderBy('agent_number').execute();
    expect(skipped).toEqual([
      { agent_number: MAYA, path: 'skipped' },
      { agent_number: TOM, path: 'skipped' },
    ]);
    expect(await toCustomer(w)).toEqual([{ body: visitorText.noAgentReachable }]);
    // Never silently back to the bot: it waits, listed in the inbox.
    expect((await conversationOf(w, 1)).status).toBe('waiting_agent');
  });
});
