// Secrets that travel in URLs (SPEC §11): Meta's `hub.verify_token`, Whapi's `?token=`, a visitor's
// event-stream token, anything named like a key. Redacted wherever a URL is logged or kept.

/** A query parameter name that carries a secret: `token`, `hub.verify_token`, `access_token`, `key`, `api_key`, `secret`, `signature`… */
const SECRET_NAME = /token|key|secret|signature|password|^sig$|^auth/i;

/** Each `name=value` of a query (one pass, linear: a name never spans a separator). */
const QUERY_PARAM = /([?&])([^=&#]*)=([^&#]*)/g;

/** The URL with the value of every secret-named query parameter replaced by `[redacted]`, each occurrence. */
export function redactUrl(url: string): string {
  if (!url.includes('?')) return url;
  return url.replace(QUERY_PARAM, (whole, separator: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // a malformed escape: judge the name as written
    }
    return SECRET_NAME.test(decoded) ? `${separator}${name}=[redacted]` : whole;
  });
}
