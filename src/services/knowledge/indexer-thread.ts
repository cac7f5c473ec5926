// Runs in the indexing thread (indexer-worker.mjs): each message is one organization's documents;
// it answers with progress reports, then the index or the error.
import { parentPort } from 'node:worker_threads';
import { prepareIndex } from './indexer.js';

const port = parentPort!;

port.on('message', ({ id, documents }: { id: number; documents: { id: string; title: string; content: string }[] }) => {
  try {
    const result = prepareIndex(documents, (progress) => port.postMessage({ id, progress }));
    port.postMessage({ id, result });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
