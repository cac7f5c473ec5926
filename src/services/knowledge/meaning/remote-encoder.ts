// Sentence vectors from an OpenAI-compatible embeddings endpoint (OpenAI, Ollama, vLLM, a local
// text-embeddings server), when EMBEDDINGS_BASE_URL is set. Like LLM_BASE_URL, the base is the
// API root with its version path (https://api.openai.com/v1, http://localhost:11434/v1); we POST
// {base}/embeddings with `{model, input: [texts]}` and read `data[].embedding` by `index`.
import type { Config } from '../../../config.js';
import type { SentenceEncoder } from './encoder.js';

/** Texts sent in one request: endpoints cap a request's inputs (OpenAI at 2048), local servers far lower. */
export const EMBEDDINGS_BATCH = 64;

export class EmbeddingsError extends Error {}

type EmbeddingsConfig = NonNullable<Config['embeddings']>;

export function remoteEncoder(embeddings: EmbeddingsConfig): SentenceEncoder {
  const url = `${embeddings.baseUrl.replace(/\/+$/, '')}/embeddings`;
  const batch = async (input: string[]): Promise<Float32Array[]> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(embeddings.apiKey ? { authorization: `Bearer ${embeddings.apiKey}` } : {}) },
        body: JSON.stringify({ model: embeddings.model, input, encoding_format: 'float' }),
        signal: AbortSignal.timeout(embeddings.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new EmbeddingsError(timedOut ? `no answer within ${embeddings.timeoutMs} ms` : `request failed: ${(err as Error).message}`);
    }
    let body: { data?: { embedding?: unknown; index?: unknown }[] };
    try {
      body = (await response.json()) as typeof body;
    } catch (err) {
      throw new EmbeddingsError((err as Error).name === 'TimeoutError' ? `no answer within ${embeddings.timeoutMs} ms` : `HTTP ${response.status}, not JSON`);
    }
    if (!response.ok) throw new EmbeddingsError(`HTTP ${response.status}`);
    const vectors: Float32Array[] = [];
    for (const [position, item] of (body.data ?? []).entries()) {
      const at = typeof item.index === 'number' ? item.index : position;
      if (!Array.isArray(item.embedding) || !item.embedding.every((n) => typeof n === 'number'))
        throw new EmbeddingsError('an embedding is not a list of numbers');
      vectors[at] = unit(item.embedding as number[]);
    }
    const dimensions = vectors[0]?.length;
    if (vectors.length !== input.length || !dimensions || vectors.some((v) => v?.length !== dimensions)) {
      throw new EmbeddingsError(`expected ${input.length} embeddings of one size, got ${body.data?.length ?? 0}`);
    }
    return vectors;
  };
  return {
    name: `embeddings:${embeddings.model}`,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += EMBEDDINGS_BATCH) out.push(...(await batch(texts.slice(i, i + EMBEDDINGS_BATCH))));
      return out;
    },
  };
}

/** Stored vectors are unit length; not every server normalizes its embeddings. */
function unit(values: number[]): Float32Array {
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return Float32Array.from(values, (v) => v / norm);
}
