// The handover on PostgreSQL, where several instances may choose senders at once: the widget row
// lock must keep simultaneous visitors on different numbers.
import { afterEach, describe, expect, it } from 'vitest';
import { visitorText } from '../../src/core/handover-text.js';
import { closeInactiveConversations, sweepHandovers } from '../../src/services/handover/inactivity.js';
import { requestHandover } from '../../src/services/handover/request.js';
import { numberStats } from '../../src/services/handover/stats.js';
import { reactToInbound } from '../../src/services/inbound/reaction.js';
import { freshPostgresDatabase } from '../support/context.js';
import { makeInboundMessage, makeNumber, openServiceWindow } from '../support/factories.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from '../services/handover/setup.js';

let world: World | undefined;
let drop: (() => Promise<void>) | undefined;

async function postgresWorld(options: Parameters<typeof makeWorld>[0]): Promise<World> {
  const database = await freshPostgresDatabase();
  drop = database.drop;
  world = await makeWorld({ ...options, databaseUrl: database.url });
  return world;
}

afterEach(async () => {
  await world?.ctx.database.close();
  await drop?.();
  world = undefined;
  drop = undefined;
});

describe('handover on PostgreSQL', () => {
  it('gives visitors asking at the same instant different free pool numbers', async () => {
    const w = await postgresWorld({ pool: 3 });
    const visitors = await Promise.all(['Ana', 'Ben', 'Cy'].map((name) => visitor(w, name)));
    for (const v of visitors) await v.say('help');
    const results = await Promise.all(visitors.map((v) => requestHandover(w.ctx, v.sessionId)));
    expect(new Set(results.map((r) => r.assignedWhatsappNumber))).toEqual(new Set(['+15550100011', '+15550100012', '+15550100013']));
    const stats = await numberStats(w.ctx, w.widget.id);
    expect(stats.map((n) => [n.number, n.openConversations, n.assignments24h, n.messagesOut])).toEqual([
      ['+15550100011', 1, 1, 2],
      ['+15550100012', 1, 1, 2],
      ['+15550100013', 1, 1, 2],
    ]);
  });

  it('with one chat per agent, simultaneous visitors beyond the free numbers wait in line', async () => {
    const w = await postgresWorld({ pool: 2, settings: { enableMultipleWhatsappChats: false } });
    const visitors = await Promise.all(['Ana', 'Ben', 'Cy', 'Dee'].map((name) => visitor(w, name)));
    for (const v of visitors) await v.say('help');
    const results = await Promise.all(visitors.map((v) => requestHandover(w.ctx, v.sessionId)));
    const assigned = results.map((r) => r.assignedWhatsappNumber).filter(Boolean);
    expect(assigned.sort()).toEqual(['+15550100011', '+15550100012']);
  });

  it('delivers an agent reply and closes for inactivity', async () => {
    const w = await postgresWorld({ handoverNumber: true, settings: { inactivityTimeoutMinutes: 5 } });
    const ana = await visitor(w, 'Ana');
    await ana.say('hello');
    await requestHandover(w.ctx, ana.sessionId);
    await agentWrites(w, MAYA, w.handoverNumber!, '#1: Hi Ana');
    expect((await seenByVisitor(w, ana.sessionId)).filter((m) => m.author === 'agent').map((m) => m.body)).toEqual(['Hi Ana']);
    w.ctx.clock.advance(5 * 60_000);
    expect(await closeInactiveConversations(w.ctx)).toBe(1);
    expect((await conversationOf(w, 1)).status).toBe('closed');
  });

  it("a WhatsApp customer's two requests for a person processed at once hand over once; the agent's reply reaches the customer", async () => {
    const w = await postgresWorld({ handoverNumber: true });
    const customer = '+15550100200';
    const number = w.handoverNumber!;
    const asked = [
      await makeInboundMessage(w.ctx, number, { from: customer, body: 'human' }),
      await makeInboundMessage(w.ctx, number, { from: customer, body: 'a person please' }),
    ];
    await Promise.all(asked.map((m) => reactToInbound(w.ctx, { messageId: m.id, profileName: 'Ana' })));
    const notified = (await sentToAgents(w)).filter((m) => m.body?.startsWith('🔔'));
    expect(notified.map((m) => m.to_address).sort()).toEqual([MAYA, TOM]);
    expect(await w.ctx.db.selectFrom('handover_assignments').select('widget_id').execute()).toEqual([{ widget_id: null }]);

    await agentWrites(w, MAYA, number, '#1: Hi Ana, Maya here');
    const toCustomer = await w.ctx.db.selectFrom('messages').select(['body', 'author']).where('to_address', '=', customer).orderBy('id').execute();
    expect(toCustomer.at(-1)).toEqual({ body: 'Hi Ana, Maya here', author: 'agent' });
    expect((await conversationOf(w, 1)).status).toBe('agent');
  });

  it('records each agent’s path, and two sweeps at once escalate an unclaimed handover once', async () => {
    const w = await postgresWorld({ pool: 1, agentsWrote: false });
    const own = await makeNumber(w.ctx, { organization_id: w.org.id, phone_number: '+15550100099' });
    await openServiceWindow(w.ctx, own.id, MAYA);
    const ana = await visitor(w, 'Ana');
    await ana.say('help');
    await requestHandover(w.ctx, ana.sessionId);
    const paths = await w.ctx.db.selectFrom('handover_notifications').select(['agent_number', 'path', 'sender']).orderBy('agent_number').execute();
    expect(paths).toEqual([
      { agent_number: MAYA, path: 'other_sender', sender: '+15550100099' },
      { agent_number: TOM, path: 'skipped', sender: null },
    ]);
    w.ctx.clock.advance(4 * 60_000);
    await Promise.all([sweepHandovers(w.ctx), sweepHandovers(w.ctx)]);
    expect((await seenByVisitor(w, ana.sessionId)).filter((m) => m.body === visitorText.teamAlerted)).toHaveLength(1);
    expect((await conversationOf(w, 1)).escalated_at).toBe(w.ctx.clock.now().toISOString());
  });
});
