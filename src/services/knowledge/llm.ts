// Retrieval-augmented answers from any OpenAI-compatible chat-completions endpoint (OpenAI,
// Ollama, vLLM…). LLM_BASE_URL is the API root including its version path, as the OpenAI SDK
// takes it (https://api.openai.com/v1, http://localhost:11434/v1); we POST {base}/chat/completions.
import type { Config } from '../../config.js';
import type { KnowledgeEntry } from '../../core/entries.js';
import { trimToSentences } from '../../core/text.js';

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface LlmQuestion {
  organizationName: string;
  /** the organization's own instructions (tone, what to avoid) */
  instructions: string | null;
  /** the entries it answers from, best first */
  entries: KnowledgeEntry[];
  /** earlier turns of the conversation, oldest first */
  history: ChatTurn[];
  question: string;
}

export class LlmError extends Error {}

/** At most this many earlier turns go with the question; older ones rarely change the answer. */
export const HISTORY_TURNS = 8;

/** An entry's answer is given to the model up to this long: a whole long section would crowd out the rest. */
const ENTRY_CHARACTERS = 2000;

export function chatMessages(q: LlmQuestion): { role: 'system' | 'user' | 'assistant'; content: string }[] {
  const passages = q.entries
    .map((e, i) => `[${i + 1}] ${e.documentTitle}\n${e.question ? `Q: ${e.question}\nA: ` : ''}${trimToSentences(e.answer, ENTRY_CHARACTERS)}`)
    .join('\n\n');
  const system = [
    `You answer customers of ${q.organizationName} on WhatsApp.`,
    'Answer only from the knowledge-base passages below. If they do not contain the answer, say you are not sure and offer to connect the customer with a person.',
    'Be brief and friendly: plain text, at most a few sentences, no Markdown headings.',
    q.instructions ? `Instructions from ${q.organizationName}:\n${q.instructions}` : '',
    `Knowledge-base passages:\n${passages}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return [
    { role: 'system', content: system },
    ...q.history.slice(-HISTORY_TURNS).map((t) => ({ role: t.role, content: t.text })),
    { role: 'user', content: q.question },
  ];
}

/** The model's answer; throws LlmError on an HTTP error, a timeout or an empty answer. */
export async function askLlm(llm: NonNullable<Config['llm']>, q: LlmQuestion): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${llm.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
      body: JSON.stringify({ model: llm.model, messages: chatMessages(q), temperature: 0.2, max_tokens: 400 }),
      signal: AbortSignal.timeout(llm.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new LlmError(timedOut ? `no answer within ${llm.timeoutMs} ms` : `request failed: ${(err as Error).message}`);
  }
  let body: { choices?: { message?: { content?: unknown } }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch (err) {
    throw new LlmError((err as Error).name === 'TimeoutError' ? `no answer within ${llm.timeoutMs} ms` : `HTTP ${response.status}, not JSON`);
  }
  if (!response.ok) throw new LlmError(`HTTP ${response.status}`);
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== 'string' || !content.trim()) throw new LlmError('the answer was empty');
  return content.trim();
}
