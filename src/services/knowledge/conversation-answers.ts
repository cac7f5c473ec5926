// The bot's answer within a conversation, the same on WhatsApp and in the widget: a reply that
// picks one of the choices just offered ("2", or a button's title) answers from that entry and
// teaches it the question asked (learning.ts); anything else is asked afresh. The choices offered
// are remembered with their question for the next reply, and a question the bot was not sure of
// waits for an agent's answer (suggestions.ts).
import type { Conversation } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { type Answer, type AnswerOptions, answerFromChoice, answerQuestion } from './answers.js';
import { pickedChoice, rememberChoices } from './choices.js';
import { learnFromPick } from './learning.js';
import { questionAnswered, questionAwaitsAgent } from './suggestions.js';

export async function botAnswer(ctx: AppContext, conversation: Conversation, text: string, options: AnswerOptions = {}): Promise<Answer> {
  const picked = await pickedChoice(ctx, conversation.id, text);
  const answer = picked
    ? await answerFromChoice(ctx, conversation.organization_id, picked.choice.id)
    : await answerQuestion(ctx, conversation.organization_id, text, options);
  await rememberChoices(ctx, conversation, answer.choices, text);
  if (picked?.question && answer.kind === 'answer') await learnPick(ctx, conversation, picked.choice.id, picked.question);
  // A pick answers the question that waited; "1" itself is no question to learn from.
  if (answer.kind === 'answer') await questionAnswered(ctx, conversation.id);
  else if (!picked && (answer.kind === 'not-sure' || answer.kind === 'choices')) await questionAwaitsAgent(ctx, conversation, text);
  return answer;
}

/** Learning is the bot's own gain: when it fails, the customer's answer still goes out. */
async function learnPick(ctx: AppContext, conversation: Conversation, entryId: string, question: string): Promise<void> {
  try {
    await learnFromPick(ctx, conversation.organization_id, entryId, question);
  } catch (err) {
    ctx.log.warn({ organizationId: conversation.organization_id, entryId, reason: (err as Error).message }, 'a pick was not learned');
  }
}
