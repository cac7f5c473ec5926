import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeConversation } from '../../../src/services/conversations/conversations.js';
import { closeInactiveConversations, startInactivitySweeper, sweepHandovers } from '../../../src/services/handover/inactivity.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { numberStats } from '../../../src/services/handover/stats.js';
import { visitorText } from '../../../src/core/handover-text.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world?.ctx.database.close();
});

const MINUTE = 60_000;

describe('inactivity', () => {
  it('closes a handover after the timeout with no message either way, tells both sides and frees the pool number', async () => {
    world = await makeWorld({ pool: 1, settings: { inactivityTimeoutMinutes: 10 } });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);

    world.ctx.clock.advance(6 * MINUTE);
    await agentWrites(world, MAYA, world.pool[0]!, 'Hi Ana, one moment');
    world.ctx.clock.advance(6 * MINUTE);
    // 12 minutes since the request, but only 6 since the agent's message: still open.
    expect(await closeInactiveConversations(world.ctx)).toBe(0);
    expect((await conversationOf(world, 1)).status).toBe('agent');

    world.ctx.clock.advance(5 * MINUTE);
    expect(await closeInactiveConversations(world.ctx)).toBe(1);
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'closed' });
    const assignment = await world.ctx.db.selectFrom('handover_assignments').selectAll().executeTakeFirstOrThrow();
    expect(assignment.released_at).toBe(world.ctx.clock.now().toISOString());
    expect((await seenByVisitor(world, ana.sessionId)).at(-1)!.body).toBe(
      'This conversation was closed after 10 minutes without messages. Write again any time and our assistant will help you.',
    );
    // Maya claimed it, so only she is told.
    expect((await sentToAgents(world, MAYA)).at(-1)!.body).toBe('⏱️ #1 Ana was closed after 10 minutes without messages.');
    expect((await sentToAgents(world, TOM)).at(-1)!.body).not.toContain('closed');

    // A second sweep closes nothing twice, and the number carries nothing any more.
    expect(await closeInactiveConversations(world.ctx)).toBe(0);
    expect((await numberStats(world.ctx, world.widget.id))[0]).toMatchObject({ number: '+15550100011', openConversations: 0, assignmentsTotal: 1 });
  });

  it('counts a visitor message as activity too', async () => {
    world = await makeWorld({ handoverNumber: true, settings: { inactivityTimeoutMinutes: 10 } });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    world.ctx.clock.advance(9 * MINUTE);
    await ana.say('still there?');
    world.ctx.clock.advance(9 * MINUTE);
    expect(await closeInactiveConversations(world.ctx)).toBe(0);
    world.ctx.clock.advance(2 * MINUTE);
    expect(await closeInactiveConversations(world.ctx)).toBe(1);
  });
});

describe('the sweep also', () => {
  it('takes the next path when a notification fails later; with none left for any agent the visitor is told once and keeps waiting', async () => {
    world = await makeWorld({ pool: 1 });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    const [toMaya, toTom] = await sentToAgents(world);
    await world.ctx.db.updateTable('messages').set({ status: 'failed', send_success: 0, error_code: '63016' }).where('id', '=', toMaya!.id).execute();
    await sweepHandovers(world.ctx);
    expect((await conversationOf(world, 1)).status).toBe('waiting_agent'); // Tom may still answer
    expect(await seenByVisitor(world, ana.sessionId).then((ms) => ms.filter((m) => m.body === visitorText.noAgentReachable))).toHaveLength(0);

    await world.ctx.db.updateTable('messages').set({ status: 'failed', send_success: 0, error_code: '63016' }).where('id', '=', toTom!.id).execute();
    await sweepHandovers(world.ctx);
    await sweepHandovers(world.ctx);
    // No template and no other number: each agent is skipped, nothing more was sent.
    expect(await sentToAgents(world)).toHaveLength(2);
    const outcomes = await world.ctx.db
      .selectFrom('handover_notifications')
      .select(['agent_number', 'path', 'failed_at'])
      .orderBy('agent_number')
      .orderBy('path')
      .execute();
    expect(outcomes.map((o) => [o.agent_number, o.path, o.failed_at !== null])).toEqual([
      [MAYA, 'free_form', true],
      [MAYA, 'skipped', false],
      [TOM, 'free_form', true],
      [TOM, 'skipped', false],
    ]);
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent', assigned_whatsapp_number: '+15550100011' });
    const told = (await seenByVisitor(world, ana.sessionId)).filter((m) => m.body === visitorText.noAgentReachable);
    expect(told).toHaveLength(1);
  });

  it('frees the number of a conversation closed from the inbox and connects the visitor waiting for it', async () => {
    world = await makeWorld({ handoverNumber: true, settings: { enableMultipleWhatsappChats: false } });
    const ana = await visitor(world, 'Ana');
    await ana.say('hi');
    await requestHandover(world.ctx, ana.sessionId);
    const ben = await visitor(world, 'Ben');
    await ben.say('hi');
    expect((await requestHandover(world.ctx, ben.sessionId)).assignedWhatsappNumber).toBeNull();

    await closeConversation(world.ctx, await conversationOf(world, 1));
    await sweepHandovers(world.ctx);
    expect((await conversationOf(world, 2)).assigned_whatsapp_number).toBe('+15550100001');
    expect((await sentToAgents(world)).filter((m) => m.body?.includes('USER: Ben')).map((m) => m.to_address)).toEqual([MAYA, TOM]);
  });
});

describe('the background sweeper', () => {
  it('sweeps on its interval and stops cleanly', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      world = await makeWorld({ handoverNumber: true, settings: { inactivityTimeoutMinutes: 1 } });
      const ana = await visitor(world, 'Ana');
      await ana.say('hi');
      await requestHandover(world.ctx, ana.sessionId);
      world.ctx.clock.advance(2 * MINUTE);
      const stop = startInactivitySweeper(world.ctx, 30_000);
      expect((await conversationOf(world, 1)).status).toBe('waiting_agent');
      await vi.advanceTimersByTimeAsync(30_000);
      await stop();
      expect((await conversationOf(world, 1)).status).toBe('closed');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a handover no agent could be told of', () => {
  it('is not closed for inactivity: it stays waiting in the inbox', async () => {
    world = await makeWorld({ pool: 1, agentsWrote: false, settings: { inactivityTimeoutMinutes: 10 } });
    const ana = await visitor(world, 'Ana');
    await ana.say('hello?');
    await requestHandover(world.ctx, ana.sessionId);
    world.ctx.clock.advance(60 * MINUTE);
    expect(await closeInactiveConversations(world.ctx)).toBe(0);
    expect((await conversationOf(world, 1)).status).toBe('waiting_agent');
  });
});
