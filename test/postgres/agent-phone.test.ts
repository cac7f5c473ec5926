// The agent's phone on PostgreSQL: the held message and its pick, the daily commands line and a
// bot answer marked wrong use tables of their own (migration 241).
import { afterEach, describe, expect, it } from 'vitest';
import { requestHandover } from '../../src/services/handover/request.js';
import { freshPostgresDatabase } from '../support/context.js';
import { agentWrites, MAYA, makeWorld, seenByVisitor, sentToAgents, visitor, type World } from '../services/handover/setup.js';

let world: World | undefined;
let drop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await world?.ctx.database.close();
  await drop?.();
  world = undefined;
  drop = undefined;
});

describe("the agent's phone on PostgreSQL", () => {
  it('holds a message for a pick, replaces it with a newer one, delivers it once; the commands line comes once', async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    const w = (world = await makeWorld({ handoverNumber: true, databaseUrl: database.url }));
    const handedOver = async (name: string) => {
      const v = await visitor(w, name);
      await v.say('I need a person');
      await requestHandover(w.ctx, v.sessionId);
      return v;
    };
    const gus = await handedOver('Gus');
    const dana = await handedOver('Dana');
    const toMaya = (await sentToAgents(w, MAYA)).map((m) => m.body ?? '');
    expect(toMaya.filter((b) => b.includes('\nCommands: '))).toHaveLength(1);

    await agentWrites(w, MAYA, w.handoverNumber!, 'first');
    await agentWrites(w, MAYA, w.handoverNumber!, 'second');
    await agentWrites(w, MAYA, w.handoverNumber!, '2');
    await agentWrites(w, MAYA, w.handoverNumber!, '2');
    const replies = async (sessionId: string) => (await seenByVisitor(w, sessionId)).filter((m) => m.author === 'agent').map((m) => m.body);
    expect(await replies(dana.sessionId)).toEqual(['second']);
    expect(await replies(gus.sessionId)).toEqual([]);
    await agentWrites(w, MAYA, w.handoverNumber!, '#1 /wrong');
    expect((await sentToAgents(w, MAYA)).at(-1)?.body).toBe('⚠️ The assistant has not answered in #1 Gus; there is nothing to mark wrong.');
  });
});
