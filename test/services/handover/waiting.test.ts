// Visitors waiting with nobody reached are offered to the next active agent who writes in (once per
// burst, and on /list), and `#ref: text` takes one — from whichever sender the agent wrote to.
import { afterEach, describe, expect, it } from 'vitest';
import { drainJobs } from '../../../src/jobs/queue.js';
import { removeAgent } from '../../../src/services/handover/removal.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { readWidgetSettings } from '../../../src/services/widgets/settings.js';
import { agentWrites, conversationOf, MAYA, makeWorld, seenByVisitor, sentToAgents, TOM, visitor, type World } from './setup.js';

let world: World;
afterEach(async () => {
  await world.ctx.database.close();
});

/** Maya alone answers the widget (Tom is an agent of the organization, on no widget); she takes Gus and Dana, then is removed. */
async function leftWaiting(pool: number) {
  world = await makeWorld({ pool, settings: { agentWhatsappNumbers: [MAYA] } });
  const visitors = [];
  for (const name of ['Gus', 'Dana']) {
    const v = await visitor(world, name);
    await v.say('Do you have gluten-free bread?');
    await requestHandover(world.ctx, v.sessionId);
    visitors.push(v);
  }
  await agentWrites(world, MAYA, world.pool[0]!, '#1: Hi Gus');
  await agentWrites(world, MAYA, world.pool[0]!, '#2: Hi Dana');
  const maya = await world.ctx.db.selectFrom('agents').select('id').where('number', '=', MAYA).executeTakeFirstOrThrow();
  const effect = await removeAgent(world.ctx, world.org.id, maya.id);
  expect(effect).toMatchObject({ handedOff: [], waiting: [1, 2] });
  return visitors;
}

const offers = async () => (await sentToAgents(world, TOM)).filter((m) => m.body?.startsWith('🙋'));

describe('waiting visitors and the next agent who writes in', () => {
  it('tells the agent how many wait, once per burst and again on /list', async () => {
    await leftWaiting(1);
    await agentWrites(world, TOM, world.pool[0]!, 'hello, anything for me?');
    expect((await offers()).map((m) => m.body)).toEqual(['🙋 2 visitors are waiting: #1 Gus, #2 Dana\nReply #1: your message — to take one.']);
    await agentWrites(world, TOM, world.pool[0]!, 'hello?');
    expect(await offers()).toHaveLength(1);
    await agentWrites(world, TOM, world.pool[0]!, '/list');
    expect(await offers()).toHaveLength(2);
    // Maya had them and left: she is told nothing more.
    const toMaya = (await sentToAgents(world, MAYA)).filter((m) => m.body?.startsWith('🙋'));
    expect(toMaya).toEqual([]);
  });

  it('is not told about a visitor whose notification reached them', async () => {
    world = await makeWorld({ pool: 1 });
    const v = await visitor(world, 'Gus');
    await v.say('hi');
    await requestHandover(world.ctx, v.sessionId);
    await agentWrites(world, TOM, world.pool[0]!, 'hello');
    expect(await offers()).toEqual([]);
  });

  it('`#ref: text` takes a waiting visitor: delivered, the widget lists the agent, the visitor’s next message reaches them', async () => {
    const [gus, dana] = await leftWaiting(1);
    await agentWrites(world, TOM, world.pool[0]!, 'hi');
    const { handled } = await agentWrites(world, TOM, world.pool[0]!, '#2: Tom here, yes we do');
    expect(handled).toBe(true);
    expect(await conversationOf(world, 2)).toMatchObject({ status: 'agent', agent_number: TOM });
    expect((await seenByVisitor(world, dana!.sessionId)).at(-1)).toMatchObject({ author: 'agent', body: 'Tom here, yes we do', from_address: TOM });
    const widget = await world.ctx.db.selectFrom('widgets').selectAll().where('id', '=', world.widget.id).executeTakeFirstOrThrow();
    expect(readWidgetSettings(widget).agentWhatsappNumbers).toEqual([TOM]);
    await dana!.say('great, thanks');
    await drainJobs(world.ctx);
    expect((await sentToAgents(world, TOM)).at(-1)?.body).toBe('#2 Dana: great, thanks');
    // Gus still waits, and is the one offered now.
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'waiting_agent', agent_number: null });
    await agentWrites(world, TOM, world.pool[0]!, '#2: anything else?');
    expect((await seenByVisitor(world, gus!.sessionId)).filter((m) => m.body === 'anything else?')).toEqual([]);
  });

  it('takes it from another sender than the one that carried it, and the conversation moves there', async () => {
    await leftWaiting(2);
    expect((await conversationOf(world, 1)).assigned_whatsapp_number).toBe(world.pool[0]!.phone_number);
    await agentWrites(world, TOM, world.pool[1]!, '#1: Tom here');
    expect(await conversationOf(world, 1)).toMatchObject({ status: 'agent', agent_number: TOM, assigned_whatsapp_number: world.pool[1]!.phone_number });
    const gus = await world.ctx.db.selectFrom('contacts').select('external_id').where('name', '=', 'Gus').executeTakeFirstOrThrow();
    expect((await seenByVisitor(world, gus.external_id!)).at(-1)).toMatchObject({ author: 'agent', body: 'Tom here' });
  });
});
