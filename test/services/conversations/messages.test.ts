// What the answerer reads of a conversation (WhatsApp and widget alike), and a message found again
// by its idempotency key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, NewMessage } from '../../../src/db/schema.js';
import type { AppContext } from '../../../src/services/context.js';
import { conversationHistory, getMessageByIdempotencyKey } from '../../../src/services/conversations/messages.js';
import { HISTORY_TURNS } from '../../../src/services/knowledge/llm.js';
import { insertMessage, visitorMessageRow } from '../../../src/services/widgets/visitor-outbound.js';
import { makeTestContext } from '../../support/context.js';
import { makeContact, makeConversation, makeOrganization } from '../../support/factories.js';

describe('conversationHistory', () => {
  let ctx: AppContext;
  let conversation: Conversation;

  beforeEach(async () => {
    ctx = await makeTestContext();
    const org = await makeOrganization(ctx);
    const contact = await makeContact(ctx, { organization_id: org.id });
    conversation = await makeConversation(ctx, { organization_id: org.id, contact_id: contact.id });
  });
  afterEach(() => ctx.database.close());

  const add = (fields: Partial<NewMessage> & Pick<NewMessage, 'direction' | 'author'>, to = conversation) =>
    insertMessage(ctx.db, visitorMessageRow(ctx, to, fields));

  it('gives the turns before the message, oldest first: the customer as user, every reply as assistant', async () => {
    await add({ direction: 'in', author: 'contact', body: 'Do you rent bikes?' });
    await add({ direction: 'out', author: 'bot', body: 'Yes, $8 per hour.' });
    await add({ direction: 'in', author: 'visitor', body: 'And e-bikes?' });
    await add({ direction: 'out', author: 'agent', body: '$15 per hour.' });
    const question = await add({ direction: 'in', author: 'contact', body: 'Can I book one?' });
    await add({ direction: 'out', author: 'bot', body: 'after the question' });

    expect(await conversationHistory(ctx, conversation.id, question.id)).toEqual([
      { role: 'user', text: 'Do you rent bikes?' },
      { role: 'assistant', text: 'Yes, $8 per hour.' },
      { role: 'user', text: 'And e-bikes?' },
      { role: 'assistant', text: '$15 per hour.' },
    ]);
  });

  it("leaves out files without text, what agents were told, and other conversations' messages", async () => {
    const other = await makeConversation(ctx, { organization_id: conversation.organization_id, contact_id: conversation.contact_id });
    await add({ direction: 'in', author: 'contact', body: 'Hello' });
    await add({ direction: 'in', author: 'contact', body: null, media: JSON.stringify({ type: 'image', url: 'https://example.test/a.png' }) });
    await add({ direction: 'out', author: 'system', audience: 'agent', body: 'New handover #1' });
    await add({ direction: 'in', author: 'contact', body: 'elsewhere' }, other);
    const question = await add({ direction: 'in', author: 'contact', body: 'Are you open?' });

    expect(await conversationHistory(ctx, conversation.id, question.id)).toEqual([{ role: 'user', text: 'Hello' }]);
  });

  it('keeps only the turns the answerer reads', async () => {
    for (let i = 1; i <= HISTORY_TURNS + 3; i++) await add({ direction: 'in', author: 'contact', body: `message ${i}` });
    const question = await add({ direction: 'in', author: 'contact', body: 'last' });

    const history = await conversationHistory(ctx, conversation.id, question.id);
    expect(history).toHaveLength(HISTORY_TURNS);
    expect(history[0]!.text).toBe('message 4');
    expect(history.at(-1)!.text).toBe(`message ${HISTORY_TURNS + 3}`);
  });

  it('finds a stored message by its idempotency key, and nothing for an unknown key', async () => {
    const stored = await add({ direction: 'out', author: 'bot', body: 'once', idempotency_key: 'auto-reply:42' });
    expect((await getMessageByIdempotencyKey(ctx, 'auto-reply:42'))?.id).toBe(stored.id);
    expect(await getMessageByIdempotencyKey(ctx, 'auto-reply:43')).toBeUndefined();
  });
});
