// The CPU part of training — cutting every entry into passages and building the word index — in a
// worker thread of its own: a large knowledge base takes seconds of it, which on the main thread
// would hold up every webhook and /healthz. One worker per process serves every context, started
// on first use; it takes one organization's entries at a time and does not keep the process alive.
import { Worker } from 'node:worker_threads';
import type { KnowledgeEntry } from '../../core/entries.js';
import { meaningText } from '../../core/meaning.js';
import { buildIndex } from '../../core/retrieval.js';

export type TrainingPhase = 'queued' | 'chunking' | 'indexing' | 'meaning' | 'storing' | 'done' | 'failed';

/** A training as GET …/train/:trainingId shows it: what it is doing and how far it is. */
export interface TrainingStatus {
  id: string;
  phase: TrainingPhase;
  /** documents read into entries so far, of `documents` */
  documentsDone: number;
  documents: number;
  /** passages indexed (then given their sentence vectors) so far, of `chunks`; 0 of 0 before chunking ends */
  chunksDone: number;
  chunks: number;
  startedAt: string;
  finishedAt?: string;
  /** why it failed, when it did */
  error?: string;
  /** why the passages got no sentence vectors although an encoder is on (it failed or took too long): answers match by words alone */
  meaningError?: string;
  /** what was stored, when done */
  result?: TrainingResult;
}

export interface TrainingResult {
  trainedAt: string;
  documents: number;
  chunks: number;
  /** the passages' sentence vectors were stored: answers match by meaning as well as by words */
  byMeaning: boolean;
}

/** One training of one organization; `finished` settles when it is stored (or has failed). */
export interface TrainingRun {
  status: TrainingStatus;
  finished: Promise<TrainingResult>;
}

/**
 * An organization's trainings in this process: one runs at a time; a request while it runs is
 * queued once (it reads the documents when it starts, so it sees every change made before it).
 */
export interface OrganizationTrainings {
  running?: TrainingRun;
  queued?: TrainingRun;
  last?: TrainingRun;
}

export interface IndexedDocuments {
  indexJson: string;
  chunksJson: string;
  chunkCount: number;
  /** each passage's text for the sentence encoder, in passage order */
  meaningTexts: string[];
}

export interface IndexingProgress {
  phase: 'indexing';
  done: number;
  total: number;
}

/** How many passages pass between two progress reports. */
const REPORT_EVERY = 50;

/** Cuts the entries into passages and indexes them, in order; what the worker runs (and tests, in-process). */
export function prepareIndex(entries: KnowledgeEntry[], onProgress: (progress: IndexingProgress) => void = () => {}): IndexedDocuments {
  const { indexJson, chunksJson, chunks } = buildIndex(entries, (done, total) => {
    if (done % REPORT_EVERY === 0 || done === total) onProgress({ phase: 'indexing', done, total });
  });
  return { indexJson, chunksJson, chunkCount: chunks.length, meaningTexts: chunks.map(meaningText) };
}

type WorkerMessage = { id: number } & ({ progress: IndexingProgress } | { result: IndexedDocuments } | { error: string });

interface Pending {
  resolve: (result: IndexedDocuments) => void;
  reject: (err: Error) => void;
  onProgress: (progress: IndexingProgress) => void;
}

class WorkerIndexer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  index(entries: KnowledgeEntry[], onProgress: (progress: IndexingProgress) => void): Promise<IndexedDocuments> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      // Keep the process alive only while a result is awaited.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, entries });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // Compiled (npm run build), the thread's JavaScript runs as it is; from the sources it needs
    // tsx's loader, which indexer-worker.mjs registers first.
    const compiled = import.meta.url.endsWith('.js');
    const worker = new Worker(new URL(compiled ? './indexer-thread.js' : './indexer-worker.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (message: WorkerMessage) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      if ('progress' in message) return pending.onProgress(message.progress);
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker?.unref();
      if ('error' in message) pending.reject(new Error(`indexing failed: ${message.error}`));
      else pending.resolve(message.result);
    });
    const fail = (err: Error) => {
      // A worker that died is replaced on the next call; what it held is refused now.
      if (this.worker === worker) this.worker = undefined;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(new Error(`the indexing thread stopped: ${err.message}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

let shared: WorkerIndexer | undefined;

/** Cuts the entries into passages and indexes them in the process's indexing thread. */
export function indexInWorker(entries: KnowledgeEntry[], onProgress: (progress: IndexingProgress) => void = () => {}): Promise<IndexedDocuments> {
  return (shared ??= new WorkerIndexer()).index(entries, onProgress);
}
