// An organization's knowledge base as the entries training indexes: each document read into its
// entries (core/entries.ts), in the order the documents were added. This is the one place entries
// are made from documents, so whatever changes an entry before it is indexed belongs here: the
// organization's edits are applied and the phrasings its customers' picks taught are appended.
import { entriesOfDocument, type KnowledgeEntry } from '../../core/entries.js';
import { type EntryEdit, type KeptEntry, keptEntry, type LearnedPhrasing } from '../../core/entry-edits.js';
import type { AppContext } from '../context.js';

export interface LoadedEntries {
  /** how many documents they come from */
  documents: number;
  entries: KeptEntry[];
}

/** Documents read between two turns given to the event loop: a large document takes milliseconds to read. */
const READ_SLICE = 10;

/**
 * The organization's entries, as training indexes them (only one document's with `documentId`);
 * `onProgress` hears how many documents are read.
 */
export async function loadEntries(
  ctx: AppContext,
  organizationId: string,
  onProgress: (done: number, total: number) => void = () => {},
  { documentId }: { documentId?: string } = {},
): Promise<LoadedEntries> {
  const documents = await documentsOf(ctx, organizationId, documentId);
  const entries: KnowledgeEntry[] = [];
  for (let i = 0; i < documents.length; i++) {
    if (i > 0 && i % READ_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const entry of entriesOfDocument(documents[i]!)) entries.push(entry);
    onProgress(i + 1, documents.length);
  }
  return { documents: documents.length, entries: await withChanges(ctx, organizationId, entries, documentId) };
}

function documentsOf(ctx: AppContext, organizationId: string, documentId?: string) {
  let query = ctx.db.selectFrom('knowledge_documents').select(['id', 'title', 'content']).where('organization_id', '=', organizationId);
  if (documentId) query = query.where('id', '=', documentId);
  return query.orderBy('created_at').orderBy('id').execute();
}

/** One document's entries as the document has them, without the organization's changes. */
export async function documentEntries(ctx: AppContext, organizationId: string, documentId: string): Promise<KnowledgeEntry[]> {
  return (await documentsOf(ctx, organizationId, documentId)).flatMap(entriesOfDocument);
}

/** The document an entry id names (`${documentId}#${n}`); undefined for what is no entry id. */
export function documentOfEntry(entryId: string): string | undefined {
  const hash = entryId.lastIndexOf('#');
  return hash > 0 && /^\d+$/.test(entryId.slice(hash + 1)) ? entryId.slice(0, hash) : undefined;
}

/** The entries with the organization's edits and learned phrasings (of one document's entries with `documentId`). */
async function withChanges(ctx: AppContext, organizationId: string, entries: KnowledgeEntry[], documentId?: string): Promise<KeptEntry[]> {
  let edits = ctx.db.selectFrom('knowledge_entry_edits').selectAll().where('organization_id', '=', organizationId);
  let learned = ctx.db.selectFrom('knowledge_learned_phrasings').selectAll().where('organization_id', '=', organizationId);
  if (documentId) {
    edits = edits.where('document_id', '=', documentId);
    learned = learned.where('document_id', '=', documentId);
  }
  const editOf = new Map<string, EntryEdit>();
  for (const row of await edits.execute()) {
    editOf.set(row.entry_id, {
      question: row.question,
      phrasings: row.phrasings_json === null ? null : (JSON.parse(row.phrasings_json) as string[]),
      answer: row.answer,
    });
  }
  const learnedOf = new Map<string, LearnedPhrasing[]>();
  for (const row of await learned.orderBy('created_at').orderBy('id').execute()) {
    const list = learnedOf.get(row.entry_id) ?? [];
    list.push({ id: row.id, phrasing: row.phrasing, createdAt: row.created_at });
    learnedOf.set(row.entry_id, list);
  }
  return entries.map((entry) => keptEntry(entry, editOf.get(entry.id), learnedOf.get(entry.id)));
}
