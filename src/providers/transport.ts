// Small HTTP pieces the adapters share: JSON bodies in, JSON requests out, Retry-After, media downloads.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { isPublicAddress } from '../core/addresses.js';
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
 * Where a provider's media may come from (SPEC §11). Names are exact (`api.twilio.com`) or
 * `*.twilio.com` for any name under it; only HTTPS, except to the configured API base URL.
 */
export interface MediaHosts {
  /** the provider's media hosts */
  fetchFrom: string[];
  /** the hosts among them that get the connection's credentials */
  credentialsTo: string[];
  /** the configured API base URL (TWILIO_API_BASE_URL, …): its host is a media host, its origin gets the credentials */
  apiBaseUrl: string;
}

/** Error code of a media URL the server refuses to fetch (not the provider's, or not a public address). */
export const MEDIA_REFUSED = 'MEDIA_REFUSED';

function hostMatches(hostname: string, pattern: string): boolean {
  return pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern;
}

/** Why a URL is not fetched from, or undefined when it may be. */
function refusalOf(url: URL, hosts: MediaHosts | 'any'): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${url.protocol} URLs are not fetched`;
  if (hosts === 'any') return undefined;
  const api = new URL(hosts.apiBaseUrl);
  if (url.hostname === api.hostname && url.protocol === api.protocol) return undefined;
  if (url.protocol === 'https:' && hosts.fetchFrom.some((pattern) => hostMatches(url.hostname, pattern))) return undefined;
  return `${url.host} is not one of its media hosts`;
}

function carriesCredentials(url: URL, hosts: MediaHosts | 'any'): boolean {
  if (hosts === 'any') return false;
  if (url.origin === new URL(hosts.apiBaseUrl).origin) return true;
  return url.protocol === 'https:' && hosts.credentialsTo.some((pattern) => hostMatches(url.hostname, pattern));
}

/**
 * Every address the host resolves to must be public, unless MEDIA_FETCH_ALLOW_PRIVATE is on. (The
 * fetch resolves again; the host list above is what keeps an attacker's DNS out of the picture.)
 */
async function privateAddressOf(url: URL): Promise<string | undefined> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(hostname) ? [hostname] : (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
  return addresses.find((address) => !isPublicAddress(address));
}

/**
 * Downloads a provider's media file. Redirects are followed by hand (up to five), each hop checked
 * against the provider's media hosts and the public internet, and the credential header goes only
 * to the hosts that take it (a CDN a provider redirects to never sees it). A refused URL is a
 * permanent MEDIA_REFUSED error: nothing is requested from it.
 */
export async function downloadMedia(
  ctx: { config: Config },
  url: string,
  authorization: string | undefined,
  hosts: MediaHosts | 'any',
  providerLabel: string,
): Promise<{ bytes: Buffer; contentType: string }> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new ProviderSendError('permanent', `${providerLabel} media has no valid URL.`, MEDIA_REFUSED);
  }
  for (let hop = 0; hop <= 5; hop++) {
    const refusal = refusalOf(current, hosts);
    if (refusal) throw new ProviderSendError('permanent', `${providerLabel} media was not fetched: ${refusal}.`, MEDIA_REFUSED);
    if (!ctx.config.mediaFetchAllowPrivate) {
      let address: string | undefined;
      try {
        address = await privateAddressOf(current);
      } catch (error) {
        throw new ProviderSendError('transient', `${providerLabel} media could not be fetched: ${networkReason(error)}`, 'NETWORK');
      }
      if (address) {
        throw new ProviderSendError(
          'permanent',
          `${providerLabel} media was not fetched: ${current.hostname} is a private address (${address}).`,
          MEDIA_REFUSED,
        );
      }
    }
    const headers: Record<string, string> = {};
    if (authorization && carriesCredentials(current, hosts)) headers.authorization = authorization;
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
