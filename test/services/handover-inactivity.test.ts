import { afterEach, describe, expect, it } from 'vitest';
import { closeInactiveConversations, numberStats, requestHandover } from '../../src/services/handover.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './handover-setup.js';

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
