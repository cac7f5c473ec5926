// A local OpenAI-compatible embeddings server (POST /v1/embeddings): it records each request and
// answers with a vector per input — words hashed into 64 dimensions, so texts sharing words are
// near — in reverse order with their `index`, as a server may; or fails with 500, or hangs (never
// answers) so the caller's timeout is exercised.
import { startFakeServer, type FakeServer } from './server.js';

export type FakeEmbeddingsMode = 'answer' | 'fail' | 'hang';

export const FAKE_DIMENSIONS = 64;

export interface FakeEmbeddings extends FakeServer {
  /** the EMBEDDINGS_BASE_URL to configure: the fake's root plus /v1 */
  baseUrl: string;
  mode: FakeEmbeddingsMode;
  /** the inputs of every request, in order */
  inputs(): string[][];
}

/** Not normalized on purpose: the client must make unit vectors itself. */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(FAKE_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    let hash = 7;
    for (const ch of word.slice(0, 5)) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_003;
    vector[hash % FAKE_DIMENSIONS]! += 3;
  }
  vector[FAKE_DIMENSIONS - 1]! += 0.5; // never the zero vector
  return vector;
}

export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const state: { mode: FakeEmbeddingsMode } = { mode: 'answer' };
  const server = await startFakeServer([
    {
      method: 'POST',
      pattern: '/v1/embeddings',
      handler: (req) => {
        if (state.mode === 'fail') return { status: 500, body: { error: { message: 'The server had an error.', type: 'server_error' } } };
        if (state.mode === 'hang') return new Promise(() => {}); // closed by server.close()
        const { input, model } = req.body as { input: string[]; model: string };
        const data = input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })).reverse();
        return { status: 200, body: { object: 'list', data, model, usage: { prompt_tokens: input.length, total_tokens: input.length } } };
      },
    },
  ]);
  const fake = Object.assign(server, {
    baseUrl: `${server.url}/v1`,
    inputs: () => server.requests.map((r) => (r.body as { input: string[] }).input),
  }) as FakeEmbeddings;
  Object.defineProperty(fake, 'mode', { get: () => state.mode, set: (next: FakeEmbeddingsMode) => void (state.mode = next) });
  return fake;
}
