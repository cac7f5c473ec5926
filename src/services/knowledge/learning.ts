// A pick teaches (SPEC §7 "Clarifying choices"): when a customer picks one of the choices the bot
// offered, the question that made those choices becomes a learned phrasing of the picked entry, so
// the next customer who asks it that way gets the answer directly. What picks taught is trained in
// a durable job, at most once a minute per organization however many customers pick.
import { AppError } from '../../core/errors.js';
import { learnablePhrasing, MAX_LEARNED_PHRASINGS, phrasingKey } from '../../core/entry-edits.js';
import { randomUUID } from 'node:crypto';
import type { OrganizationJobPayload } from '../../jobs/payloads.js';
import { enqueueJob, PermanentJobError } from '../../jobs/queue.js';
import type { AppContext } from '../context.js';
import { documentOfEntry, loadEntries } from './entries.js';
import { knowledgeFreshness, markKnowledgeChanged, trainKnowledge } from './training.js';

export const TRAIN_LEARNED_JOB = 'knowledge.train-learned';

/** The shortest time between two trainings for what picks taught one organization. */
export const LEARNED_TRAINING_EVERY_MS = 60_000;

/**
 * Keeps `question` as a learned phrasing of the entry, unless it teaches nothing (small talk, a
 * bare word, too long), the entry already has it, or holds as many as it may. Returns whether it
 * was learned; a training is then scheduled.
 */
export async function learnFromPick(ctx: AppContext, organizationId: string, entryId: string, question: string): Promise<boolean> {
  const phrasing = learnablePhrasing(question);
  const documentId = documentOfEntry(entryId);
  if (!phrasing || !documentId) return false;
  // The entry as it is now: its document may have been removed since the choices were offered.
  const entry = (await loadEntries(ctx, organizationId, undefined, { documentId })).entries.find((e) => e.id === entryId);
  if (!entry || entry.learnedPhrasings.length >= MAX_LEARNED_PHRASINGS) return false;
  const key = phrasingKey(phrasing);
  if ([entry.question, ...entry.phrasings, ...entry.learnedPhrasings.map((p) => p.phrasing)].some((p) => phrasingKey(p) === key)) return false;
  const inserted = await ctx.db
    .insertInto('knowledge_learned_phrasings')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      document_id: documentId,
      entry_id: entryId,
      phrasing,
      created_at: ctx.clock.now().toISOString(),
    })
    // Two customers teaching the same words at once: the unique index keeps one.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await markKnowledgeChanged(ctx, organizationId);
  await scheduleLearnedTraining(ctx, organizationId);
  return true;
}

/**
 * One training job per organization per minute: every pick of the same minute joins the job due
 * at the minute's end (its idempotency key names the minute).
 */
export async function scheduleLearnedTraining(ctx: AppContext, organizationId: string): Promise<void> {
  const slot = Math.floor(ctx.clock.now().getTime() / LEARNED_TRAINING_EVERY_MS) + 1;
  await enqueueJob(ctx, {
    kind: TRAIN_LEARNED_JOB,
    payload: { organizationId },
    runAt: new Date(slot * LEARNED_TRAINING_EVERY_MS),
    idempotencyKey: `${TRAIN_LEARNED_JOB}:${organizationId}:${slot}`,
    maxAttempts: 5,
  });
}

/** The job: retrains the organization's knowledge base (still trained, still there) with what it learned. */
export async function trainLearned(ctx: AppContext, payload: OrganizationJobPayload): Promise<void> {
  if (!(await knowledgeFreshness(ctx, payload.organizationId)).trainedAt) return;
  try {
    await trainKnowledge(ctx, payload.organizationId);
  } catch (err) {
    // Too many entries, an organization removed meanwhile: retrying changes nothing.
    if (err instanceof AppError) throw new PermanentJobError(err.message);
    throw err;
  }
}
