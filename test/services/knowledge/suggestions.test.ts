// A website visitor's question the bot was not sure of, answered by an agent from their own
// WhatsApp, becomes a suggested answer; a question the bot answered does not.
import { afterEach, describe, expect, it } from 'vitest';
import { drainJobs } from '../../../src/jobs/queue.js';
import { requestHandover } from '../../../src/services/handover/request.js';
import { listSuggestions } from '../../../src/services/knowledge/suggestions.js';
import { seedKnowledge } from '../../../src/services/knowledge/training.js';
import { agentWrites, MAYA, makeWorld, visitor, type World } from '../handover/setup.js';

let world: World;
afterEach(() => world.ctx.database.close());

async function askThenHandOver(question: string) {
  const v = await visitor(world, 'Ana');
  await v.say(question);
  await drainJobs(world.ctx);
  const { conversationRef } = await requestHandover(world.ctx, v.sessionId);
  await drainJobs(world.ctx);
  return conversationRef;
}

describe("an agent's WhatsApp answer to a question the bot was not sure of", () => {
  it('becomes a suggestion with the question and the answer as the visitor got it', async () => {
    world = await makeWorld({ handoverNumber: true });
    await seedKnowledge(world.ctx, world.org.id, [{ title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.' }]);
    const ref = await askThenHandOver('can I leave my dog with you while I ride?');
    await agentWrites(world, MAYA, world.handoverNumber!, `#${ref}: Sorry, we cannot look after pets.`);
    expect(await listSuggestions(world.ctx, world.org.id)).toEqual([
      expect.objectContaining({ question: 'can I leave my dog with you while I ride?', answer: 'Sorry, we cannot look after pets.', status: 'pending' }),
    ]);
  });

  it('leaves nothing when the bot had answered', async () => {
    world = await makeWorld({ handoverNumber: true });
    await seedKnowledge(world.ctx, world.org.id, [{ title: 'Rentals', content: 'Q: Do you rent bikes?\nA: Yes, city bikes cost $8 per hour.' }]);
    const ref = await askThenHandOver('do you rent bikes?');
    await agentWrites(world, MAYA, world.handoverNumber!, `#${ref}: Yes, come by any time.`);
    expect(await listSuggestions(world.ctx, world.org.id)).toEqual([]);
  });
});
