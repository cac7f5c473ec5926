// pino JSON logs with every secret-bearing field redacted.
import pino, { type Logger } from 'pino';
import { redactUrl } from './core/secrets.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-webhook-token"]',
  'req.query.token',
  '*.authToken',
  '*.accessToken',
  '*.appSecret',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.credentials',
  '*.webhookSecret',
];

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
