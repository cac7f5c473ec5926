// X-Twilio-Signature, computed as twilio-node 6.2.0's `validateRequest` does (providers.md §1.3):
// base64 HMAC-SHA1 of the URL followed by each sorted key and its value(s). Our own function so the
// hot webhook path does not build the SDK's candidate URLs with `new URL()` unless it must.
import { createHash, createHmac } from 'node:crypto';
import { parse as parseLegacyQuery, stringify as stringifyLegacyQuery } from 'node:querystring';
import { safeEqual } from '../../core/keys.js';
import type { TwilioParams } from './payloads.js';

/** The signature Twilio sends for `url` and the decoded form `params`. */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  // Default sort: UTF-16 code units, case-sensitive, like the SDK's Object.keys().sort().
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) data += key + v;
    else data += key + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * True when `signature` matches `url` (exactly as Twilio requested it) and `params`. Like the SDK,
 * it tries the URL as received without and with the default port first, then the URL normalised by
 * `new URL()` (percent-encoded), also with the query re-encoded the legacy `querystring` way.
 */
export function isValidTwilioSignature(authToken: string, signature: string, url: string, params: TwilioParams): boolean {
  const matches = (candidate: string) => safeEqual(signature, twilioSignature(authToken, candidate, params));
  if (matches(removePort(url)) || matches(addPort(url))) return true;
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return false;
  }
  const bare = removePort(normalized);
  const withPort = addPort(normalized);
  return [bare, withPort, withLegacyQuery(bare), withLegacyQuery(withPort)].some(matches);
}

/**
 * JSON-bodied webhooks: Twilio signs the URL alone (no params) and puts the body's hex SHA-256 in
 * the `bodySHA256` query parameter.
 */
export function isValidTwilioBodySignature(authToken: string, signature: string, url: string, rawBody: Buffer): boolean {
  let expectedHash: string | null;
  try {
    expectedHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  return isValidTwilioSignature(authToken, signature, url, {}) && safeEqual(expectedHash ?? '', bodyHash);
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits without normalising, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // in an IPv6 literal the port colon comes after the closing bracket
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

/** Adds :443 / :80 when the URL names no port. */
function addPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

/** Drops any port; a non-default port therefore only matches through addPort's unchanged URL. */
function removePort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function withLegacyQuery(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  return `${url.slice(0, queryStart)}?${stringifyLegacyQuery(parseLegacyQuery(url.slice(queryStart + 1)))}`;
}
