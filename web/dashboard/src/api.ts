// Talking to the admin API. Signing in exchanges the key for an HttpOnly session cookie
// (POST /api/session): the key is never kept where a script could read it, and every call rides on
// the cookie. Every error answer ({ok:false, error}) becomes an ApiError carrying the server's sentence.

/** Where older dashboards kept the key in clear; removed on load. */
const OLD_KEY_STORAGE = 'switchboard.key';
export const forgetOldStoredKey = () => localStorage.removeItem(OLD_KEY_STORAGE);

/** Sent on every call: a change made with the session cookie must be JSON or carry this header. */
const DASHBOARD_HEADER = { 'x-switchboard-dashboard': '1' };

/** Fired when the server no longer knows the session (signed out elsewhere, expired, key revoked). */
export const SIGNED_OUT_EVENT = 'switchboard:signed-out';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: an untyped call's answer, for the few calls that name no server type
type Json = Record<string, any>;

export async function api<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...DASHBOARD_HEADER };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is Switchboard running?');
  }
  const text = await response.text();
  let data: Json = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: text.slice(0, 200) };
  }
  if (response.status === 401 && path !== '/api/session') dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!response.ok || data.ok === false || data.success === false) {
    throw new ApiError(response.status, data.error ?? `The server answered ${response.status}.`);
  }
  return data as T;
}

export const get = <T = Json>(path: string) => api<T>('GET', path);
export const post = <T = Json>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T = Json>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T = Json>(path: string) => api<T>('DELETE', path);

/** Exchanges the key for the session cookie; the key is not kept anywhere afterwards. */
export const signIn = (key: string) => api<{ kind: string }>('POST', '/api/session', { key });
export const signOut = () => api('DELETE', '/api/session');

/**
 * Cents as usual; fractions of a cent (per-message fees) with four decimals. Amounts shown are
 * costs and prices, never below zero; a sign that slips through reads "−$0.04", not "$-0.04".
 */
export function money(dollars = 0): string {
  const size = Math.abs(dollars);
  const digits = size > 0 && size < 0.01 ? 4 : 2;
  return `${dollars < 0 && size.toFixed(digits) !== (0).toFixed(digits) ? '−' : ''}$${size.toFixed(digits)}`;
}
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * Follows an organization's live events (Server-Sent Events read with fetch, the session cookie
 * going along) and reconnects after a drop. Returns the function that stops it.
 */
export function followOrganization(orgId: string, onEvent: (type: string) => void): () => void {
  let stopped = false;
  let controller = new AbortController();
  const connect = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch(`/api/organizations/${orgId}/events`, { credentials: 'same-origin', signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const frames = buffer.split('\n\n');
          buffer = frames.pop() ?? '';
          for (const frame of frames) {
            const type = /^event: (.+)$/m.exec(frame)?.[1];
            if (type) onEvent(type);
          }
        }
      } catch {
        // dropped or refused: polling keeps the page current while we wait to reconnect
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void connect();
  return () => {
    stopped = true;
    controller.abort();
  };
}
