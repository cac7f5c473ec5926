// Small HTTP pieces the adapters share: JSON bodies in, JSON requests out, Retry-After, media kinds.
import { PayloadError, ProviderSendError, type WebhookRequest } from './provider.js';

// routingHint, verify and parse each read the same body on the hot webhook path: parse it once.
const parsedBodies = new WeakMap<Buffer, { json: unknown } | { error: PayloadError }>();

/** The JSON of a webhook body; a body that is not JSON is a PayloadError (kept as unrouted). */
export function readJsonBody(req: WebhookRequest): unknown {
  let parsed = parsedBodies.get(req.rawBody);
  if (!parsed) {
    try {
      parsed = { json: JSON.parse(req.rawBody.toString('utf8')) };
    } catch {
      parsed = { error: new PayloadError('The body is not valid JSON.') };
    }
    parsedBodies.set(req.rawBody, parsed);
  }
  if ('error' in parsed) throw parsed.error;
  return parsed.json;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Retry-After` as delay-seconds or an HTTP date → milliseconds to wait. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * One JSON request to a provider. A network failure (refused, reset, timeout) is transient; the
 * caller classifies HTTP statuses, which differ per provider.
 */
export async function requestJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number },
  providerLabel: string,
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 20_000),
    });
  } catch (error) {
    throw new ProviderSendError('transient', `${providerLabel} could not be reached: ${networkReason(error)}`, 'NETWORK');
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON (an HTML error page from a proxy): keep the text for the message
  }
  return { status: response.status, headers: response.headers, body };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Downloads a file, following up to five redirects by hand so that the credential header goes only
 * to origins `mayCarryCredentials` approves (a CDN a provider redirects to never sees it).
 */
export async function downloadMedia(
  url: string,
  authorization: string | undefined,
  mayCarryCredentials: (url: URL) => boolean,
  providerLabel: string,
): Promise<{ bytes: Buffer; contentType: string }> {
  let current = new URL(url);
  for (let hop = 0; hop <= 5; hop++) {
    const headers: Record<string, string> = {};
    if (authorization && mayCarryCredentials(current)) headers.authorization = authorization;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new ProviderSendError('transient', `${providerLabel} media could not be fetched: ${networkReason(error)}`, 'NETWORK');
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    if (!response.ok) {
      const kind = response.status === 429 || response.status >= 500 ? 'transient' : 'permanent';
      await response.body?.cancel();
      throw new ProviderSendError(kind, `${providerLabel} media answered HTTP ${response.status}.`, String(response.status));
    }
    return {
      bytes: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    };
  }
  throw new ProviderSendError('permanent', `${providerLabel} media redirected too many times.`);
}
