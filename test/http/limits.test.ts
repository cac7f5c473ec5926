// Size limits answer with a sentence: an oversized body is 413, oversized headers are 431,
// and malformed HTTP is 400 — on a real socket, since in-process injection skips Node's parser.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { makeTestContext } from '../support/context.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer(await makeTestContext({ env: { PORT: '0' } }));
});
afterAll(async () => {
  await server.stop();
});

/** Sends raw bytes and returns the raw answer (the server closes the connection after it). */
function rawRequest(text: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function jsonBody(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('request limits', () => {
  it('answers a body over 1 MB with 413 and a sentence', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) });
    for (const url of ['/api/webhooks/meta', '/api/organizations', '/api/widget/some-key/sessions']) {
      const response = await server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({ ok: false, error: 'The body is too large.', code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    }
  });

  it('answers headers over 16 KB with 431 and a sentence', async () => {
    const answer = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.startsWith('HTTP/1.1 431 ')).toBe(true);
    expect(jsonBody(answer)).toEqual({ ok: false, error: 'The request headers are too large (16 KB at most).', code: 'HEADERS_TOO_LARGE' });
  });

  it('answers malformed HTTP with 400 and a sentence', async () => {
    const answer = await rawRequest('GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n');
    expect(answer.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(jsonBody(answer)).toEqual({ ok: false, error: 'The request is not valid HTTP.', code: 'BAD_REQUEST' });
  });

  it('keeps serving after all of that', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
