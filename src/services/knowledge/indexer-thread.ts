// Runs in the indexing thread (indexer-worker.mjs): each message is one organization's entries;
// it answers with progress reports, then the index or the error.
import { parentPort } from 'node:worker_threads';
import type { KnowledgeEntry } from '../../core/entries.js';
import { prepareIndex } from './indexer.js';

const port = parentPort!;

port.on('message', ({ id, entries }: { id: number; entries: KnowledgeEntry[] }) => {
  try {
    const result = prepareIndex(entries, (progress) => port.postMessage({ id, progress }));
    port.postMessage({ id, result });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
