// pino JSON logs with every secret-bearing field redacted.
import pino, { type Logger } from 'pino';
import { redactUrl } from './core/secrets.js';

// Secrets inside logged objects; a request is logged by its serializer below (method and redacted URL only).
export const REDACTED_PATHS = ['*.authToken', '*.accessToken', '*.appSecret', '*.token', '*.apiKey', '*.password', '*.credentials', '*.webhookSecret'];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        // Only method and URL of a request (no headers), every secret query value redacted.
        req: (req) => ({ method: req.method, url: redactUrl(String(req.url)) }),
      },
    },
    destination,
  );
}
