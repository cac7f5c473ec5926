// The choices a conversation was offered ("Did you mean: 1 … 2 …"), remembered with the question
// that made them so the customer's reply `1`, `2` or a choice's title answers from that entry (and
// teaches it the question: learning.ts). They last a while and are replaced by the next answer's
// (or cleared when it offers none).
import type { AppContext } from '../context.js';
import type { AnswerChoice } from './answers.js';

/** How long a list of choices can be picked from. */
export const CHOICES_LAST_MINUTES = 30;

export async function rememberChoices(
  ctx: AppContext,
  conversation: { id: string; organization_id: string },
  choices: AnswerChoice[] | undefined,
  question: string,
): Promise<void> {
  if (!choices?.length) {
    await ctx.db.deleteFrom('answer_choices').where('conversation_id', '=', conversation.id).execute();
    return;
  }
  const row = {
    conversation_id: conversation.id,
    organization_id: conversation.organization_id,
    choices: JSON.stringify(choices),
    question,
    expires_at: new Date(ctx.clock.now().getTime() + CHOICES_LAST_MINUTES * 60_000).toISOString(),
  };
  await ctx.db
    .insertInto('answer_choices')
    .values(row)
    .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ choices: row.choices, question, expires_at: row.expires_at }))
    .execute();
}

/** "1", "2.", "#2", "option 2", "number 2" → 2; anything else → undefined. */
function pickedNumber(text: string): number | undefined {
  const match = /^\s*(?:#|no\.?|number|option|choice)?\s*([1-9])\s*[.)!]?\s*$/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

const plain = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** A choice picked, and the question whose choices it was (null for choices offered before 361). */
export interface Pick {
  choice: AnswerChoice;
  question: string | null;
}

/** The choice the message picks among the conversation's offered ones, while they last. */
export async function pickedChoice(ctx: AppContext, conversationId: string, text: string): Promise<Pick | undefined> {
  const row = await ctx.db.selectFrom('answer_choices').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
  if (!row || row.expires_at <= ctx.clock.now().toISOString()) return undefined;
  const choices = JSON.parse(row.choices) as AnswerChoice[];
  const number = pickedNumber(text);
  // The widget's buttons send the title itself.
  const choice = number !== undefined ? choices[number - 1] : choices.find((c) => plain(c.title) === plain(text));
  return choice && { choice, question: row.question };
}
