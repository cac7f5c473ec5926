// Requests Node rejects before Fastify sees them (headers too large, malformed HTTP) still get
// the product's {ok:false, error, code} answer.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

const answers: Record<string, { status: number; reason: string; error: string; code: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    error: 'The request headers are too large (16 KB at most).',
    code: 'HEADERS_TOO_LARGE',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', error: 'The request took too long to arrive.', code: 'REQUEST_TIMEOUT' },
};
const malformed = { status: 400, reason: 'Bad Request', error: 'The request is not valid HTTP.', code: 'BAD_REQUEST' };

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer = answers[err.code ?? ''] ?? malformed;
  const body = JSON.stringify({ ok: false, error: answer.error, code: answer.code });
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Errors Fastify raises before routing (a URL with bad percent-encoding) get the same shape. */
export function answerFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const badUrl = err.code === 'FST_ERR_BAD_URL';
  reply.status(400).send({
    ok: false,
    error: badUrl ? 'The URL is not valid: it has a malformed percent-encoding.' : 'The request could not be routed.',
    code: badUrl ? 'BAD_URL' : 'BAD_REQUEST',
  });
}
