// An organization's knowledge base: documents, training (chunk + index, stored so a restart needs
// no retraining) and the loaded index, cached in memory per organization.
import { randomUUID } from 'node:crypto';
import { chunkDocument, type Chunk } from '../../core/chunking.js';
import type { DocumentText, SourceType } from '../../core/documents.js';
import { badRequest, notFound } from '../../core/errors.js';
import { meaningText, packVectors, unpackVectors } from '../../core/meaning.js';
import { buildIndex, loadIndex, type KnowledgeIndex } from '../../core/retrieval.js';
import { wordnetLexicon } from './synonyms.js';
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';

export interface KnowledgeDocumentJson {
  id: string;
  title: string;
  sourceType: string;
  createdAt: string;
  characters: number;
}

export interface TrainingResult {
  trainedAt: string;
  documents: number;
  chunks: number;
  /** the passages' sentence vectors were stored: answers match by meaning as well as by words */
  byMeaning: boolean;
}

/** Largest document accepted, in characters (about a 300-page book). */
export const MAX_DOCUMENT_CHARACTERS = 1_000_000;

export async function addDocument(
  ctx: AppContext,
  organizationId: string,
  doc: { title: string; content: string; sourceType?: SourceType },
): Promise<KnowledgeDocumentJson> {
  await getOrganization(ctx, organizationId);
  const title = doc.title.trim();
  const content = doc.content.replace(/\r\n?/g, '\n').trim();
  if (!title) throw badRequest('The document needs a title.', 'EMPTY_TITLE');
  if (!content) throw badRequest('The document is empty; there is no text to learn from.', 'EMPTY_DOCUMENT');
  if (content.length > MAX_DOCUMENT_CHARACTERS) {
    throw badRequest(
      `The document is too long (${content.length} characters; at most ${MAX_DOCUMENT_CHARACTERS}). Split it into several.`,
      'DOCUMENT_TOO_LARGE',
    );
  }
  const row = {
    id: randomUUID(),
    organization_id: organizationId,
    title: title.slice(0, 200),
    content,
    source_type: doc.sourceType ?? 'json',
    created_at: ctx.clock.now().toISOString(),
  };
  await ctx.db.insertInto('knowledge_documents').values(row).execute();
  return documentJson(row);
}

function documentJson(row: { id: string; title: string; source_type: string; created_at: string; content: string }): KnowledgeDocumentJson {
  return { id: row.id, title: row.title, sourceType: row.source_type, createdAt: row.created_at, characters: row.content.length };
}

export async function listDocuments(ctx: AppContext, organizationId: string): Promise<KnowledgeDocumentJson[]> {
  await getOrganization(ctx, organizationId);
  const rows = await ctx.db
    .selectFrom('knowledge_documents')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(documentJson);
}

/**
 * Removes a document. When the organization has been trained, it is retrained at once, so the
 * removed text stops answering customers now rather than at the next training.
 */
export async function deleteDocument(ctx: AppContext, organizationId: string, documentId: string): Promise<void> {
  const removed = await ctx.db.deleteFrom('knowledge_documents').where('organization_id', '=', organizationId).where('id', '=', documentId).executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw notFound('Document');
  const trained = await ctx.db.selectFrom('knowledge_indexes').select('organization_id').where('organization_id', '=', organizationId).executeTakeFirst();
  if (trained) await trainKnowledge(ctx, organizationId);
}

/** Chunks and indexes every document of the organization and stores the result. */
export async function trainKnowledge(ctx: AppContext, organizationId: string): Promise<TrainingResult> {
  await getOrganization(ctx, organizationId);
  const documents = await ctx.db
    .selectFrom('knowledge_documents')
    .select(['id', 'title', 'content'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const chunks = documents.flatMap((doc) => chunkDocument(doc));
  const { indexJson, chunksJson } = buildIndex(chunks);
  const meaning = await meaningVectors(ctx, organizationId, chunks);
  const row = {
    organization_id: organizationId,
    index_json: indexJson,
    chunks_json: chunksJson,
    chunk_count: chunks.length,
    document_count: documents.length,
    trained_at: ctx.clock.now().toISOString(),
    meaning_vectors: meaning?.vectors ?? null,
    meaning_dimensions: meaning?.dimensions ?? null,
  };
  await ctx.db
    .insertInto('knowledge_indexes')
    .values(row)
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...row, organization_id: undefined }))
    .execute();
  ctx.state.knowledgeIndexes.delete(organizationId);
  return { trainedAt: row.trained_at, documents: documents.length, chunks: chunks.length, byMeaning: row.meaning_vectors !== null };
}

/**
 * Each chunk's sentence vector, packed for storage; undefined without the encoder or when it
 * fails (answers then match by words alone, and the failure is logged).
 */
async function meaningVectors(ctx: AppContext, organizationId: string, chunks: Chunk[]): Promise<{ vectors: string; dimensions: number } | undefined> {
  if (!ctx.sentences || chunks.length === 0) return undefined;
  try {
    return packVectors(await ctx.sentences.embed(chunks.map(meaningText)));
  } catch (err) {
    ctx.log.warn({ organizationId, reason: (err as Error).message }, 'sentence vectors failed; the index matches by words only');
    return undefined;
  }
}

// Entries of the context's cache are checked against the stored `trained_at` on each use: another
// instance's training replaces a stale entry here too.

/** The organization's trained index, or undefined before its first training. */
export async function knowledgeIndex(ctx: AppContext, organizationId: string): Promise<KnowledgeIndex | undefined> {
  const cache = ctx.state.knowledgeIndexes;
  const stamp = await ctx.db.selectFrom('knowledge_indexes').select('trained_at').where('organization_id', '=', organizationId).executeTakeFirst();
  if (!stamp) {
    cache.delete(organizationId);
    return undefined;
  }
  const cached = cache.get(organizationId);
  if (cached?.trainedAt === stamp.trained_at) return cached.index;
  const row = await ctx.db
    .selectFrom('knowledge_indexes')
    .select(['index_json', 'chunks_json', 'trained_at', 'meaning_vectors', 'meaning_dimensions'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  const vectors = row.meaning_vectors && row.meaning_dimensions ? unpackVectors(row.meaning_vectors, row.meaning_dimensions) : undefined;
  const index = loadIndex(row.index_json, row.chunks_json, wordnetLexicon, vectors);
  cache.set(organizationId, { trainedAt: row.trained_at, index });
  if (!index.vectors && ctx.sentences) addMeaning(ctx, organizationId, row.trained_at, index);
  return index;
}

/**
 * An index trained without sentence vectors (before answers matched by meaning, or while the
 * encoder failed) gets them in the background, without retraining: answers match by words
 * meanwhile. A training in between wins: only the row of the same training is updated.
 */
function addMeaning(ctx: AppContext, organizationId: string, trainedAt: string, index: KnowledgeIndex): void {
  const key = `${organizationId}@${trainedAt}`;
  if (ctx.state.indexesGainingMeaning.has(key)) return;
  ctx.state.indexesGainingMeaning.add(key);
  const work = async () => {
    const meaning = await meaningVectors(ctx, organizationId, [...index.passages.values()]);
    if (!meaning) return;
    const updated = await ctx.db
      .updateTable('knowledge_indexes')
      .set({ meaning_vectors: meaning.vectors, meaning_dimensions: meaning.dimensions })
      .where('organization_id', '=', organizationId)
      .where('trained_at', '=', trainedAt)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) index.vectors = unpackVectors(meaning.vectors, meaning.dimensions);
  };
  work()
    .catch((err: Error) => ctx.log.warn({ organizationId, reason: err.message }, 'sentence vectors were not added to the index'))
    .finally(() => ctx.state.indexesGainingMeaning.delete(key));
}

/** For demo data and tests: adds the documents and trains. */
export async function seedKnowledge(
  ctx: AppContext,
  organizationId: string,
  documents: DocumentText[] | { title: string; content: string }[],
): Promise<TrainingResult> {
  for (const doc of documents) await addDocument(ctx, organizationId, doc);
  return trainKnowledge(ctx, organizationId);
}
