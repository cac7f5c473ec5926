// pino JSON logs with every secret-bearing field redacted.
import pino, { type Logger } from 'pino';
import { redactUrl } from './core/secrets.js';

/** Field names whose values are secrets, wherever they appear in a logged object (top level or one level down). */
export const SECRET_FIELDS = new Set(['authToken', 'accessToken', 'appSecret', 'token', 'apiKey', 'password', 'credentials', 'webhookSecret', 'metricsToken']);
const CENSOR = '[redacted]';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);
}

/** `object` with every secret field censored; the object itself when it has none (the usual case: no copy). */
function withoutSecrets(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    let replaced: unknown = value;
    if (SECRET_FIELDS.has(key)) replaced = value === undefined ? value : CENSOR;
    else if (depth > 0 && isPlainObject(value)) replaced = withoutSecrets(value, depth - 1);
    if (replaced !== value) {
      copy ??= { ...object };
      copy[key] = replaced;
    }
  }
  return copy ?? object;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      // One loop over the logged object's own keys (and those of its object values) instead of
      // pino's wildcard redaction, which clones and walks every value of every line.
      formatters: { log: (object) => withoutSecrets(object, 1) },
      serializers: {
        // Only method and URL of a request (no headers), every secret query value redacted.
        req: (req) => ({ method: req.method, url: redactUrl(String(req.url)) }),
      },
    },
    destination,
  );
}
