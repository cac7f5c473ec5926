// An organization's knowledge base: documents, training (chunk + index, stored so a restart needs
// no retraining) and the loaded index, cached in memory per organization.
import { randomUUID } from 'node:crypto';
import type { DocumentText, SourceType } from '../../core/documents.js';
import { badRequest, notFound, unprocessable } from '../../core/errors.js';
import { meaningText, packVectors, unpackVectors } from '../../core/meaning.js';
import { documentRemovalText } from '../../core/removal-text.js';
import { loadIndexAsync, storedEntries, type KnowledgeIndex } from '../../core/retrieval.js';
import { BUILT_IN_ENCODER } from './meaning/encoder.js';
import { loadEntries } from './entries.js';
import { indexInWorker, type TrainingResult, type TrainingRun, type TrainingStatus } from './indexer.js';
import { wordnetLexicon } from './synonyms.js';
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';

export type { TrainingResult, TrainingStatus } from './indexer.js';

export interface KnowledgeDocumentJson {
  id: string;
  title: string;
  sourceType: string;
  createdAt: string;
  characters: number;
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
  const limit = ctx.config.knowledgeLimits.documents;
  const held = await ctx.db
    .selectFrom('knowledge_documents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  if (Number(held.n) >= limit) {
    throw unprocessable(`The knowledge base already holds ${limit} documents, the most an organization may have. Remove one first.`, 'TOO_MANY_DOCUMENTS');
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
  await markKnowledgeChanged(ctx, organizationId);
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
 * The organization's knowledge changed (a document added or removed, an entry edited): answers
 * keep coming from the last training until the next one, and the knowledge base says it changed
 * since. Each mark is later than the one before, even within one millisecond, so a training that
 * read an earlier mark (trainedKnowledgeAsOf) never passes for one that saw this change.
 */
export async function markKnowledgeChanged(ctx: AppContext, organizationId: string): Promise<void> {
  const row = await ctx.db.selectFrom('organizations').select('knowledge_changed_at').where('id', '=', organizationId).executeTakeFirst();
  const now = ctx.clock.now().getTime();
  const previous = row?.knowledge_changed_at ? Date.parse(row.knowledge_changed_at) : Number.NEGATIVE_INFINITY;
  const at = new Date(Math.max(now, previous + 1)).toISOString();
  await ctx.db.updateTable('organizations').set({ knowledge_changed_at: at }).where('id', '=', organizationId).execute();
}

/** Whether the knowledge base was trained, and whether it changed since (documents added or removed, entries edited). */
export interface KnowledgeFreshness {
  trainedAt: string | null;
  /** a change was made that the last training did not see (false before the first training: there is nothing to be newer than) */
  changedSinceTraining: boolean;
  knowledgeChangedAt: string | null;
}

export async function knowledgeFreshness(ctx: AppContext, organizationId: string): Promise<KnowledgeFreshness> {
  const organization = await ctx.db.selectFrom('organizations').select('knowledge_changed_at').where('id', '=', organizationId).executeTakeFirst();
  const index = await ctx.db
    .selectFrom('knowledge_indexes')
    .select(['trained_at', 'knowledge_as_of'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  const changedAt = organization?.knowledge_changed_at ?? null;
  return {
    trainedAt: index?.trained_at ?? null,
    changedSinceTraining: Boolean(index) && changedAt !== null && changedAt !== index?.knowledge_as_of,
    knowledgeChangedAt: changedAt,
  };
}

/**
 * Removes a document. When the organization has been trained, it is retrained at once, so the
 * removed text stops answering customers now rather than at the next training.
 */
export interface DocumentRemoval {
  document: { id: string; title: string };
  /** entries (passages) of the trained knowledge base that came from it */
  passages: number;
  trained: boolean;
  summary: string;
}

/** What deleting the document would do to what the bot answers; nothing changes. */
export async function previewDocumentRemoval(ctx: AppContext, organizationId: string, documentId: string): Promise<DocumentRemoval> {
  const document = await ctx.db
    .selectFrom('knowledge_documents')
    .select(['id', 'title'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', documentId)
    .executeTakeFirst();
  if (!document) throw notFound('Document');
  const index = await ctx.db.selectFrom('knowledge_indexes').select('chunks_json').where('organization_id', '=', organizationId).executeTakeFirst();
  const entries = index ? storedEntries(index.chunks_json).entries : [];
  const passages = entries.filter((entry) => entry.documentId === documentId).length;
  const trained = index !== undefined;
  return { document, passages, trained, summary: documentRemovalText({ title: document.title, passages, trained }) };
}

/** Deletes the document; a trained knowledge base is trained again at once. Answers what it did. */
export async function deleteDocument(ctx: AppContext, organizationId: string, documentId: string): Promise<DocumentRemoval> {
  const removal = await previewDocumentRemoval(ctx, organizationId, documentId);
  const removed = await ctx.db.deleteFrom('knowledge_documents').where('organization_id', '=', organizationId).where('id', '=', documentId).executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw notFound('Document');
  await markKnowledgeChanged(ctx, organizationId);
  if (removal.trained) await trainKnowledge(ctx, organizationId);
  return removal;
}

/**
 * Starts training the organization's knowledge base — chunking and indexing in the indexing
 * thread, sentence vectors in the encoder's — and answers at once with the training. One training
 * per organization runs at a time: asked while one runs, the next is queued (once: a later request
 * joins the queued one, which reads the documents when it starts).
 */
export async function startTraining(ctx: AppContext, organizationId: string): Promise<TrainingRun> {
  await getOrganization(ctx, organizationId);
  const trainings = ctx.state.trainings.get(organizationId) ?? {};
  ctx.state.trainings.set(organizationId, trainings);
  if (trainings.queued) return trainings.queued;
  const status: TrainingStatus = {
    id: randomUUID(),
    phase: 'queued',
    documentsDone: 0,
    documents: 0,
    chunksDone: 0,
    chunks: 0,
    startedAt: ctx.clock.now().toISOString(),
  };
  const before = trainings.running?.finished.catch(() => undefined);
  const run = { status } as TrainingRun;
  run.finished = (async () => {
    await before;
    if (trainings.queued === run) trainings.queued = undefined;
    trainings.running = run;
    try {
      return await train(ctx, organizationId, status);
    } catch (err) {
      status.error = (err as Error).message;
      status.phase = 'failed';
      ctx.log.error({ organizationId, trainingId: status.id, reason: status.error }, 'knowledge training failed');
      throw err;
    } finally {
      status.finishedAt = ctx.clock.now().toISOString();
      trainings.running = undefined;
      trainings.last = run;
    }
  })();
  // Whoever asked may not wait for it (a 202): its failure is logged and kept in its status.
  run.finished.catch(() => undefined);
  if (trainings.running) trainings.queued = run;
  else trainings.running = run;
  return run;
}

/** Trains the organization's knowledge base and waits until it is stored. */
export async function trainKnowledge(ctx: AppContext, organizationId: string): Promise<TrainingResult> {
  return (await startTraining(ctx, organizationId)).finished;
}

/** A training of the organization this process knows (queued, running or the last one); undefined when unknown. */
export async function trainingStatus(ctx: AppContext, organizationId: string, trainingId?: string): Promise<TrainingStatus | undefined> {
  await getOrganization(ctx, organizationId);
  const { queued, running, last } = ctx.state.trainings.get(organizationId) ?? {};
  const runs = [queued, running, last].filter((run): run is TrainingRun => run !== undefined);
  return (trainingId ? runs.find((run) => run.status.id === trainingId) : runs[0])?.status;
}

async function train(ctx: AppContext, organizationId: string, status: TrainingStatus): Promise<TrainingResult> {
  status.phase = 'chunking';
  // Read before the documents: a change made while they are read counts as one this training missed.
  const changes = await ctx.db.selectFrom('organizations').select('knowledge_changed_at').where('id', '=', organizationId).executeTakeFirst();
  const { documents, entries } = await loadEntries(ctx, organizationId, (done, total) => {
    [status.documentsDone, status.documents] = [done, total];
  });
  status.documents = documents;
  const indexed = await indexInWorker(entries, (progress) => {
    status.phase = progress.phase;
    [status.chunksDone, status.chunks] = [progress.done, progress.total];
  });
  [status.documentsDone, status.chunks, status.chunksDone] = [documents, indexed.chunkCount, 0];
  const limit = ctx.config.knowledgeLimits.entries;
  if (indexed.chunkCount > limit) {
    throw unprocessable(
      `The knowledge base makes ${indexed.chunkCount} entries, more than the ${limit} an organization may have. Remove or shorten documents, then train again.`,
      'TOO_MANY_ENTRIES',
    );
  }
  status.phase = 'meaning';
  const meaning = await meaningVectors(
    ctx,
    organizationId,
    indexed.meaningTexts,
    (done) => {
      status.chunksDone = done;
    },
    (reason) => {
      status.meaningError = reason;
    },
  );
  status.phase = 'storing';
  status.chunksDone = indexed.chunkCount;
  const row = {
    organization_id: organizationId,
    index_json: indexed.indexJson,
    chunks_json: indexed.chunksJson,
    chunk_count: indexed.chunkCount,
    document_count: documents,
    trained_at: ctx.clock.now().toISOString(),
    meaning_vectors: meaning?.vectors ?? null,
    meaning_dimensions: meaning?.dimensions ?? null,
    meaning_encoder: meaning?.encoder ?? null,
    knowledge_as_of: changes?.knowledge_changed_at ?? null,
  };
  await ctx.db
    .insertInto('knowledge_indexes')
    .values(row)
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...row, organization_id: undefined }))
    .execute();
  ctx.state.knowledgeIndexes.delete(organizationId);
  status.result = { trainedAt: row.trained_at, documents, chunks: indexed.chunkCount, byMeaning: row.meaning_vectors !== null };
  status.phase = 'done';
  return status.result;
}

/** Texts sent to the encoder at once, to report progress between: a multiple of its batches (4 for a training, 64 for an endpoint). */
const MEANING_SLICE = 256;

/**
 * Each passage's sentence vector, packed for storage, and the encoder that made them: the
 * embeddings endpoint, or the built-in encoder when the endpoint fails (every passage by the same
 * one: vectors of two encoders are never compared). Undefined without an encoder or when all fail
 * (answers then match by words alone; the failure is logged and given to `onFailure`).
 */
async function meaningVectors(
  ctx: AppContext,
  organizationId: string,
  texts: string[],
  onProgress: (done: number) => void = () => {},
  onFailure: (reason: string) => void = () => {},
): Promise<{ vectors: string; dimensions: number; encoder: string } | undefined> {
  if (texts.length === 0) return undefined;
  let failure: string | undefined;
  for (const encoder of [ctx.sentences, ctx.sentencesFallback]) {
    if (!encoder) continue;
    try {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += MEANING_SLICE) {
        for (const vector of await encoder.embed(texts.slice(i, i + MEANING_SLICE), { lane: 'training', organizationId })) vectors.push(vector);
        onProgress(vectors.length);
      }
      return { ...packVectors(vectors), encoder: encoder.name };
    } catch (err) {
      ctx.log.warn({ organizationId, encoder: encoder.name, reason: (err as Error).message }, 'sentence vectors failed');
      failure = (err as Error).message;
    }
  }
  if (failure) onFailure(`sentence vectors failed (${failure}); answers match by words alone`);
  if (ctx.sentences) ctx.log.warn({ organizationId }, 'no sentence vectors; the index matches by words only');
  return undefined;
}

/**
 * A question's vector from the encoder that made the index's passage vectors; undefined when
 * that encoder is not configured any more (answers then match by words alone).
 */
export async function questionVector(ctx: AppContext, index: KnowledgeIndex, question: string): Promise<Float32Array | undefined> {
  const encoder = [ctx.sentences, ctx.sentencesFallback].find((e) => e?.name === (index.encoder ?? BUILT_IN_ENCODER));
  if (!encoder) return undefined;
  const [vector] = await encoder.embed([question], { lane: 'question' });
  return vector && vector.length === index.vectors?.[0]?.length ? vector : undefined;
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
    .select(['index_json', 'chunks_json', 'trained_at', 'meaning_vectors', 'meaning_dimensions', 'meaning_encoder'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  const vectors = row.meaning_vectors && row.meaning_dimensions ? unpackVectors(row.meaning_vectors, row.meaning_dimensions) : undefined;
  const index = await loadIndexAsync(row.index_json, row.chunks_json, wordnetLexicon, vectors);
  index.encoder = vectors ? (row.meaning_encoder ?? BUILT_IN_ENCODER) : undefined;
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
    const meaning = await meaningVectors(ctx, organizationId, [...index.passages.values()].map(meaningText));
    if (!meaning) return;
    const updated = await ctx.db
      .updateTable('knowledge_indexes')
      .set({ meaning_vectors: meaning.vectors, meaning_dimensions: meaning.dimensions, meaning_encoder: meaning.encoder })
      .where('organization_id', '=', organizationId)
      .where('trained_at', '=', trainedAt)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      index.vectors = unpackVectors(meaning.vectors, meaning.dimensions);
      index.encoder = meaning.encoder;
    }
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
