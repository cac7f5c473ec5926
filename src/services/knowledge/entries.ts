// An organization's knowledge base as the entries training indexes: each document read into its
// entries (core/entries.ts), in the order the documents were added. This is the one place entries
// are made from documents, so whatever changes an entry before it is indexed belongs here.
import { entriesOfDocument, type KnowledgeEntry } from '../../core/entries.js';
import type { AppContext } from '../context.js';

export interface LoadedEntries {
  /** how many documents they come from */
  documents: number;
  entries: KnowledgeEntry[];
}

/** Documents read between two turns given to the event loop: a large document takes milliseconds to read. */
const READ_SLICE = 10;

/** The organization's entries, as training indexes them; `onProgress` hears how many documents are read. */
export async function loadEntries(
  ctx: AppContext,
  organizationId: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<LoadedEntries> {
  const documents = await ctx.db
    .selectFrom('knowledge_documents')
    .select(['id', 'title', 'content'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const entries: KnowledgeEntry[] = [];
  for (let i = 0; i < documents.length; i++) {
    if (i > 0 && i % READ_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const entry of entriesOfDocument(documents[i]!)) entries.push(entry);
    onProgress(i + 1, documents.length);
  }
  return { documents: documents.length, entries };
}
