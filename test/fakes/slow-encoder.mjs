// A stand-in for the sentence encoder's thread (src/services/knowledge/meaning/encoder-worker.mjs),
// answering the same messages: each text costs `msPerText` of busy thread (workerData), its
// vector is its words hashed into 64 dimensions, and a text containing STUCK never ends — the
// thread spins as a model lost in an endless text would, so only terminating it stops it.
import { parentPort, workerData } from 'node:worker_threads';

const DIMENSIONS = 64;
const msPerText = workerData?.msPerText ?? 5;

function vectorOf(text) {
  const vector = new Float32Array(DIMENSIONS);
  for (const word of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    let hash = 7;
    for (const ch of word.slice(0, 5)) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_003;
    vector[hash % DIMENSIONS] += 3;
  }
  vector[DIMENSIONS - 1] += 0.5;
  const norm = Math.hypot(...vector);
  return vector.map((v) => v / norm);
}

parentPort.on('message', ({ id, texts }) => {
  const until = Date.now() + msPerText * texts.length;
  while (Date.now() < until || texts.some((text) => text.includes('STUCK'))) {
    // busy, as the model's arithmetic is
  }
  const flat = new Float32Array(texts.length * DIMENSIONS);
  for (const [i, text] of texts.entries()) flat.set(vectorOf(text), i * DIMENSIONS);
  parentPort.postMessage({ id, flat, dimensions: DIMENSIONS }, [flat.buffer]);
});
