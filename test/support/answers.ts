// What an answer puts first in front of the customer: its passage, or the first of its choices.
import type { AppContext } from '../../src/services/context.js';
import { type Answer, answerFromChoice } from '../../src/services/knowledge/answers.js';

export async function offeredFirst(ctx: AppContext, organizationId: string, answer: Answer): Promise<string> {
  if (answer.kind === 'choices' && answer.choices?.[0]) return (await answerFromChoice(ctx, organizationId, answer.choices[0].id)).answer;
  return answer.kind === 'answer' ? answer.answer : '';
}
