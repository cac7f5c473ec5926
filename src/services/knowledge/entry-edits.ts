// An organization's entries as the dashboard shows and edits them (SPEC §7): listed by document,
// edited (question, phrasings, answer) or restored to the document's text, and their learned
// phrasings removed. Each change is retrained at once when the knowledge base has been trained,
// so the next question is answered from it.
import { type KeptEntry, type LearnedPhrasing, phrasingKey } from '../../core/entry-edits.js';
import { notFound } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';
import { documentEntries, documentOfEntry, loadEntries } from './entries.js';
import { knowledgeFreshness, markKnowledgeChanged, trainKnowledge, type TrainingResult } from './training.js';

/** An entry as the API shows it. */
export interface EntryJson {
  id: string;
  documentId: string;
  documentTitle: string;
  question: string;
  /** its own other phrasings (the document's, or as edited) */
  phrasings: string[];
  /** questions customers asked before picking this entry among choices, searched like phrasings */
  learnedPhrasings: LearnedPhrasing[];
  answer: string;
  /** the organization changed it: restoring brings back the document's text */
  edited: boolean;
}

export interface EntryPatch {
  question?: string;
  phrasings?: string[];
  answer?: string;
}

export function entryJson(entry: KeptEntry): EntryJson {
  return {
    id: entry.id,
    documentId: entry.documentId,
    documentTitle: entry.documentTitle,
    question: entry.question,
    phrasings: entry.ownPhrasings,
    learnedPhrasings: entry.learnedPhrasings,
    answer: entry.answer,
    edited: entry.edited,
  };
}

/** The organization's entries, in document order; only one document's with `documentId`. */
export async function listEntries(ctx: AppContext, organizationId: string, documentId?: string): Promise<EntryJson[]> {
  await getOrganization(ctx, organizationId);
  const { documents, entries } = await loadEntries(ctx, organizationId, undefined, { documentId });
  if (documentId && documents === 0) throw notFound('Document');
  return entries.map(entryJson);
}

/** One entry of the organization's; 404 for an id of another organization's or of a deleted document. */
export async function getEntry(ctx: AppContext, organizationId: string, entryId: string): Promise<KeptEntry> {
  await getOrganization(ctx, organizationId);
  const documentId = documentOfEntry(entryId);
  const entry = documentId ? (await loadEntries(ctx, organizationId, undefined, { documentId })).entries.find((e) => e.id === entryId) : undefined;
  if (!entry) throw notFound('Entry');
  return entry;
}

/** The entry's own phrasings as given: trimmed, each once, not repeating the question. */
function cleanPhrasings(question: string, phrasings: string[]): string[] {
  const seen = new Set([phrasingKey(question)]);
  const out: string[] = [];
  for (const raw of phrasings) {
    const phrasing = raw.replace(/\s+/g, ' ').trim();
    const key = phrasingKey(phrasing);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(phrasing);
  }
  return out;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Stores the organization's edit of an entry — the parts given replace the entry's, the others
 * stay as they are — and retrains. A part edited back to the document's text is the document's
 * again; when all are, the entry is no longer edited.
 */
export async function editEntry(
  ctx: AppContext,
  organizationId: string,
  entryId: string,
  patch: EntryPatch,
): Promise<{ entry: EntryJson; training: TrainingResult | null }> {
  const current = await getEntry(ctx, organizationId, entryId);
  const original = (await documentEntries(ctx, organizationId, current.documentId)).find((e) => e.id === entryId)!;
  const question = patch.question?.replace(/\s+/g, ' ').trim() ?? current.question;
  const phrasings = cleanPhrasings(question, patch.phrasings ?? current.ownPhrasings);
  const answer = patch.answer?.trim() ?? current.answer;
  const edit = {
    question: question === original.question ? null : question,
    phrasings_json: sameList(phrasings, original.phrasings) ? null : JSON.stringify(phrasings),
    answer: answer === original.answer ? null : answer,
  };
  if (edit.question === null && edit.phrasings_json === null && edit.answer === null) {
    await dropEdit(ctx, organizationId, entryId);
  } else {
    const row = { organization_id: organizationId, document_id: current.documentId, entry_id: entryId, ...edit, updated_at: ctx.clock.now().toISOString() };
    await ctx.db
      .insertInto('knowledge_entry_edits')
      .values(row)
      .onConflict((oc) => oc.columns(['organization_id', 'entry_id']).doUpdateSet({ ...edit, updated_at: row.updated_at }))
      .execute();
  }
  return { training: await retrain(ctx, organizationId), entry: entryJson(await getEntry(ctx, organizationId, entryId)) };
}

/** Drops the organization's edit: the entry answers with its document's text again. */
export async function restoreEntry(ctx: AppContext, organizationId: string, entryId: string): Promise<{ entry: EntryJson; training: TrainingResult | null }> {
  const current = await getEntry(ctx, organizationId, entryId);
  if (!current.edited) return { entry: entryJson(current), training: null };
  await dropEdit(ctx, organizationId, entryId);
  return { training: await retrain(ctx, organizationId), entry: entryJson(await getEntry(ctx, organizationId, entryId)) };
}

async function dropEdit(ctx: AppContext, organizationId: string, entryId: string): Promise<void> {
  await ctx.db.deleteFrom('knowledge_entry_edits').where('organization_id', '=', organizationId).where('entry_id', '=', entryId).execute();
}

/** Forgets a learned phrasing: asked that way, the entry is no longer found by it. */
export async function removeLearnedPhrasing(
  ctx: AppContext,
  organizationId: string,
  entryId: string,
  phrasingId: string,
): Promise<{ entry: EntryJson; training: TrainingResult | null }> {
  await getEntry(ctx, organizationId, entryId);
  const removed = await ctx.db
    .deleteFrom('knowledge_learned_phrasings')
    .where('organization_id', '=', organizationId)
    .where('entry_id', '=', entryId)
    .where('id', '=', phrasingId)
    .executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw notFound('Learned phrasing');
  return { training: await retrain(ctx, organizationId), entry: entryJson(await getEntry(ctx, organizationId, entryId)) };
}

/**
 * The change is marked (the Knowledge page's "changed since last trained"); a knowledge base that
 * answers customers is retrained now, one never trained waits for its first training.
 */
async function retrain(ctx: AppContext, organizationId: string): Promise<TrainingResult | null> {
  await markKnowledgeChanged(ctx, organizationId);
  if (!(await knowledgeFreshness(ctx, organizationId)).trainedAt) return null;
  return trainKnowledge(ctx, organizationId);
}
