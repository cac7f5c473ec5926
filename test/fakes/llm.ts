// A local OpenAI-compatible chat-completions server: it records each request and answers with a
// scripted text, fails with 500, or hangs (never answers) so the caller's timeout is exercised.
import { startFakeServer, type FakeServer } from './server.js';

export type FakeLlmMode = { kind: 'answer'; text: string } | { kind: 'fail' } | { kind: 'hang' };

export interface FakeLlm extends FakeServer {
  /** the LLM_BASE_URL to configure: the fake's root plus /v1, as OpenAI's own base URL */
  baseUrl: string;
  mode: FakeLlmMode;
}

export async function startFakeLlm(initial: FakeLlmMode = { kind: 'answer', text: 'Hello from the model.' }): Promise<FakeLlm> {
  const state: { mode: FakeLlmMode } = { mode: initial };
  const server = await startFakeServer([
    {
      method: 'POST',
      pattern: '/v1/chat/completions',
      handler: (req) => {
        const mode = state.mode;
        if (mode.kind === 'fail')
          return { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error' } } };
        if (mode.kind === 'hang') return new Promise(() => {}); // closed by server.close()
        return {
          status: 200,
          body: {
            id: `chatcmpl-${req.rawBody.length}`,
            object: 'chat.completion',
            created: 1767225600,
            model: (req.body as { model?: string })?.model ?? 'unknown',
            choices: [{ index: 0, message: { role: 'assistant', content: mode.text }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
          },
        };
      },
    },
  ]);
  const llm = Object.assign(server, { baseUrl: `${server.url}/v1` }) as FakeLlm;
  Object.defineProperty(llm, 'mode', { get: () => state.mode, set: (next: FakeLlmMode) => void (state.mode = next) });
  return llm;
}
