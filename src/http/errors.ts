// Every error becomes {ok:false, error:"<sentence>", code} with a fitting 4xx; a 500 is a bug
// and never carries a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from '../core/errors.js';

function describeZod(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'The request is not valid.';
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `Invalid request — ${where}${issue.message}.`;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: unknown }, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ ok: false, error: err.message, code: err.code });
    }
    if (err instanceof ZodError) {
      return reply.status(400).send({ ok: false, error: describeZod(err), code: 'VALIDATION_ERROR' });
    }
    const cause = (err as { cause?: unknown }).cause;
    if (err.validation && cause instanceof ZodError) {
      return reply.status(400).send({ ok: false, error: describeZod(cause), code: 'VALIDATION_ERROR' });
    }
    if (err.validation) {
      return reply.status(400).send({ ok: false, error: `Invalid request — ${err.message}.`, code: 'VALIDATION_ERROR' });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const sentences: Record<string, string> = {
        FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
        FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty; send a JSON object.',
        FST_ERR_CTP_BODY_TOO_LARGE: 'The body is too large.',
        FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This content type is not accepted here.',
        FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length does not match the body.',
        FST_ERR_RATE_LIMIT: 'Too many requests; slow down and try again shortly.',
      };
      const message = sentences[err.code] ?? (err.message.endsWith('.') ? err.message : `${err.message}.`);
      return reply.status(status).send({ ok: false, error: message, code: err.code ?? 'BAD_REQUEST' });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ ok: false, error: 'Something went wrong on our side; it has been logged.', code: 'INTERNAL' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ ok: false, error: `No route ${request.method} ${request.url.split('?')[0]}.`, code: 'NOT_FOUND' });
  });
}
