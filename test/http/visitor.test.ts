import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { postToVisitor } from '../../src/services/widgets/visitor-outbound.js';
import { authenticateSession, visitorConversation } from '../../src/services/widgets/sessions.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { WIDGET_BUNDLE } from '../../src/http/widget-script.js';
import { makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';

const SHOP = 'https://shop.example';
let server: RunningServer;

afterEach(async () => {
  await server?.stop();
});

async function setup(env: Record<string, string> = {}, { listen = false } = {}) {
  const ctx = await makeTestContext({ env: { PORT: '0', ...env } });
  server = await startServer(ctx, { listen });
  const org = await createOrganization(ctx, { name: 'Shop' });
  const widget = await createWidget(ctx, org.id, widgetInput.parse({ name: 'Site', allowedOrigins: [SHOP] }));
  const other = await createWidget(ctx, org.id, widgetInput.parse({ name: 'Anywhere', allowedOrigins: ['*'] }));
  return { ctx, widget, other };
}

async function openSession(publicKey: string, headers: Record<string, string> = { origin: SHOP }) {
  const response = await server.app.inject({ method: 'POST', url: `/api/widget/${publicKey}/sessions`, headers, payload: { visitorName: 'Ana' } });
  expect(response.statusCode).toBe(201);
  const { sessionId, token } = response.json() as { sessionId: string; token: string };
  return { sessionId, token, auth: { authorization: `Bearer ${token}`, origin: SHOP } };
}

describe('CORS', () => {
  it('allows the widget origins, preflight included, and refuses other sites with a sentence', async () => {
    const { widget, other } = await setup();
    const allowed = await server.app.inject({ method: 'POST', url: `/api/widget/${widget.publicKey}/sessions`, headers: { origin: SHOP }, payload: {} });
    expect(allowed.statusCode).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe(SHOP);

    const denied = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${widget.publicKey}/sessions`,
      headers: { origin: 'https://evil.example' },
      payload: {},
    });
    expect(denied.statusCode).toBe(403);
    // readable by the widget on that site, so it can say chat is not enabled there
    expect(denied.headers['access-control-allow-origin']).toBe('https://evil.example');
    expect(denied.json()).toEqual({
      ok: false,
      code: 'ORIGIN_NOT_ALLOWED',
      error: "This website (https://evil.example) is not allowed to use this widget; add it to the widget's allowed origins.",
    });

    const { sessionId } = allowed.json();
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: `/api/widget/sessions/${sessionId}/messages`,
      headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SHOP);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    const badPreflight = await server.app.inject({
      method: 'OPTIONS',
      url: `/api/widget/sessions/${sessionId}/messages`,
      headers: { origin: 'https://evil.example' },
    });
    // the preflight passes so the refusal itself (403 ORIGIN_NOT_ALLOWED) can be read
    expect(badPreflight.statusCode).toBe(204);

    const star = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${other.publicKey}/sessions`,
      headers: { origin: 'https://any.example' },
      payload: {},
    });
    expect(star.statusCode).toBe(201);
    expect(star.headers['access-control-allow-origin']).toBe('https://any.example');
  });
});

describe('session token', () => {
  it('is required; a wrong token or another widget session answers 404', async () => {
    const { widget, other } = await setup();
    const mine = await openSession(widget.publicKey);
    const theirs = await openSession(other.publicKey);
    const url = `/api/widget/sessions/${mine.sessionId}/messages`;

    const none = await server.app.inject({ method: 'GET', url, headers: { origin: SHOP } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ ok: false, code: 'UNAUTHORIZED', error: 'This session needs its token (Authorization: Bearer <token>).' });
    expect((await server.app.inject({ method: 'GET', url, headers: { ...mine.auth, authorization: `Bearer ${theirs.token}` } })).statusCode).toBe(404);
    const otherWidget = await server.app.inject({ method: 'GET', url, headers: { ...mine.auth, 'x-widget-key': other.publicKey } });
    expect(otherWidget.statusCode).toBe(404);
    expect(otherWidget.json().error).toBe('Session not found.');
    expect((await server.app.inject({ method: 'GET', url, headers: { ...mine.auth, 'x-widget-key': widget.publicKey } })).statusCode).toBe(200);
    const unknown = await server.app.inject({ method: 'POST', url: '/api/widget/wpk_unknown/sessions', payload: {} });
    expect(unknown.json()).toEqual({ ok: false, error: 'Widget not found.', code: 'NOT_FOUND' });
  });
});

describe('visitor messages', () => {
  it('stores the message in a widget conversation with a reference and enqueues its answer', async () => {
    const { ctx, widget } = await setup();
    const { sessionId, auth } = await openSession(widget.publicKey);
    const sent = await server.app.inject({
      method: 'POST',
      url: `/api/widget/sessions/${sessionId}/messages`,
      headers: auth,
      payload: { text: 'Do you ship to Spain?' },
    });
    expect(sent.statusCode).toBe(201);
    const message = sent.json().message;
    expect(message).toMatchObject({ author: 'visitor', text: 'Do you ship to Spain?', media: null });

    const conversation = await ctx.db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({ channel: 'widget', ref: 1, status: 'bot', widget_id: widget.id });
    const job = await ctx.db.selectFrom('jobs').selectAll().where('kind', '=', 'widget.react').executeTakeFirstOrThrow();
    expect(JSON.parse(job.payload)).toEqual({ messageId: message.id });

    const history = await server.app.inject({ method: 'GET', url: `/api/widget/sessions/${sessionId}/messages`, headers: auth });
    expect(history.json().messages.map((m: { id: number }) => m.id)).toEqual([message.id]);
    const after = await server.app.inject({ method: 'GET', url: `/api/widget/sessions/${sessionId}/messages?after=${message.id}`, headers: auth });
    expect(after.json().messages).toEqual([]);
  });

  it('answers empty or malformed input with a 400 sentence', async () => {
    const { widget } = await setup();
    const { sessionId, auth } = await openSession(widget.publicKey);
    const url = `/api/widget/sessions/${sessionId}/messages`;
    const empty = await server.app.inject({ method: 'POST', url, headers: auth, payload: { text: '   ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ ok: false, code: 'VALIDATION_ERROR', error: 'Invalid request — body/text send a text or a file.' });
    const badMedia = await server.app.inject({ method: 'POST', url, headers: auth, payload: { media: { dataUrl: 'http://x/y.png' } } });
    expect(badMedia.json()).toMatchObject({ ok: false, code: 'INVALID_MEDIA' });
    const badEmail = await server.app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/email`, headers: auth, payload: { email: 'nope' } });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error).toBe('Invalid request — body/email must be an email address.');
    const email = await server.app.inject({
      method: 'POST',
      url: `/api/widget/sessions/${sessionId}/email`,
      headers: auth,
      payload: { email: 'ana@example.com' },
    });
    expect(email.json()).toEqual({ ok: true });
  });

  it('keeps an attached file and serves it back by its URL for the agent', async () => {
    const { widget } = await setup();
    const { sessionId, auth } = await openSession(widget.publicKey);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const sent = await server.app.inject({
      method: 'POST',
      url: `/api/widget/sessions/${sessionId}/messages`,
      headers: auth,
      payload: { media: { dataUrl: `data:image/png;base64,${png.toString('base64')}`, filename: 'receipt.png' } },
    });
    expect(sent.statusCode).toBe(201);
    const media = sent.json().message.media;
    expect(media).toMatchObject({
      type: 'image',
      mimeType: 'image/png',
      filename: 'receipt.png',
      url: expect.stringMatching(/^http:\/\/localhost:0\/api\/widget\/uploads\//),
    });
    const file = await server.app.inject({ method: 'GET', url: new URL(media.url).pathname });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.equals(png)).toBe(true);

    const html = await server.app.inject({
      method: 'POST',
      url: `/api/widget/sessions/${sessionId}/messages`,
      headers: auth,
      payload: { media: { dataUrl: `data:text/html;base64,${Buffer.from('<script>1</script>').toString('base64')}`, filename: 'x.html' } },
    });
    const served = await server.app.inject({ method: 'GET', url: new URL(html.json().message.media.url).pathname });
    expect(served.headers['content-type']).toBe('application/octet-stream');
    expect(served.headers['content-disposition']).toContain('attachment');
  });
});

describe('rate limits', () => {
  it('allows 60 messages a minute per session, then answers 429 until the next minute', async () => {
    const { ctx, widget } = await setup();
    const { sessionId, auth } = await openSession(widget.publicKey);
    const send = () => server.app.inject({ method: 'POST', url: `/api/widget/sessions/${sessionId}/messages`, headers: auth, payload: { text: 'hi' } });
    ctx.clock.set('2026-01-15T12:00:00Z');
    for (let i = 0; i < 60; i++) expect((await send()).statusCode).toBe(201);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json()).toEqual({ ok: false, code: 'RATE_LIMITED', error: 'You are sending messages too quickly; wait a moment and try again.' });
    // Another visitor is not affected.
    const other = await openSession(widget.publicKey);
    expect(
      (await server.app.inject({ method: 'POST', url: `/api/widget/sessions/${other.sessionId}/messages`, headers: other.auth, payload: { text: 'hi' } }))
        .statusCode,
    ).toBe(201);
    ctx.clock.advance(60_000);
    expect((await send()).statusCode).toBe(201);
  });

  it('limits requests per address as configured', async () => {
    const { widget } = await setup({ WIDGET_REQUESTS_PER_MINUTE: '3' });
    const { sessionId, auth } = await openSession(widget.publicKey);
    const read = () => server.app.inject({ method: 'GET', url: `/api/widget/sessions/${sessionId}/messages`, headers: auth });
    expect((await read()).statusCode).toBe(200);
    expect((await read()).statusCode).toBe(200);
    const limited = await read();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('Too many requests from this address; wait a minute and try again.');
  });

  const createFrom = (publicKey: string, remoteAddress: string, forwardedFor?: string) =>
    server.app.inject({
      method: 'POST',
      url: `/api/widget/${publicKey}/sessions`,
      remoteAddress,
      headers: { origin: SHOP, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      payload: {},
    });

  it('does not believe X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const { widget } = await setup({ WIDGET_REQUESTS_PER_MINUTE: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await createFrom(widget.publicKey, '203.0.113.7', `198.51.100.${i + 1}`)).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });

  it('counts the forwarded address when the request comes through a trusted proxy', async () => {
    const { widget } = await setup({ WIDGET_REQUESTS_PER_MINUTE: '3', TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1' });
    // Five visitors behind the proxy each get their own allowance.
    for (let i = 0; i < 5; i++) expect((await createFrom(widget.publicKey, '10.1.2.3', `198.51.100.${i + 1}`)).statusCode).toBe(201);
    // One visitor is limited whichever trusted proxy carries it; the client can't prepend its way out.
    expect((await createFrom(widget.publicKey, '192.0.2.1', '198.51.100.1')).statusCode).toBe(201);
    expect((await createFrom(widget.publicKey, '10.9.9.9', '198.51.100.1')).statusCode).toBe(201);
    expect((await createFrom(widget.publicKey, '10.1.2.3', '198.51.100.1')).statusCode).toBe(429);
    // Behind a proxy that is not trusted, the proxy's own address is counted.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await createFrom(widget.publicKey, '172.16.0.4', `198.51.100.${50 + i}`)).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('answers a 429 with the widget origin allowed, so the widget can read the sentence', async () => {
    const { widget } = await setup({ WIDGET_REQUESTS_PER_MINUTE: '1' });
    expect((await createFrom(widget.publicKey, '203.0.113.8')).statusCode).toBe(201);
    const limited = await createFrom(widget.publicKey, '203.0.113.8');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['access-control-allow-origin']).toBe(SHOP);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.json()).toEqual({ ok: false, code: 'RATE_LIMITED', error: 'Too many requests from this address; wait a minute and try again.' });
    // A site that is not allowed still gets its 403, readable there (the widget says chat is not enabled).
    const foreign = await server.app.inject({
      method: 'POST',
      url: `/api/widget/${widget.publicKey}/sessions`,
      remoteAddress: '203.0.113.8',
      headers: { origin: 'https://evil.example' },
      payload: {},
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('ORIGIN_NOT_ALLOWED');
    expect(foreign.headers['access-control-allow-origin']).toBe('https://evil.example');
  });
});

interface StreamEvent {
  event: string;
  id?: string;
  data: unknown;
}

async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  if (response.ok) {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) =>
              block
                .split('\n')
                .find((l) => l.startsWith(`${name}: `))
                ?.slice(name.length + 2);
            const data = field('data');
            if (data) events.push({ event: field('event') ?? 'message', id: field('id'), data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return { response, events, close: () => controller.abort() };
}

describe('event stream', () => {
  it('delivers published messages live and replays the missed ones after a reconnect with Last-Event-ID', async () => {
    const { ctx, widget } = await setup({}, { listen: true });
    const { sessionId, token } = await openSession(widget.publicKey);
    const found = await authenticateSession(ctx, sessionId, token);
    const conversation = await visitorConversation(ctx, found);
    const eventsUrl = `${server.url}/api/widget/sessions/${sessionId}/events`;

    expect((await openStream(`${eventsUrl}?token=wrong`)).response.status).toBe(404);
    expect((await openStream(eventsUrl)).response.status).toBe(401);

    const first = await openStream(`${eventsUrl}?token=${token}`, { origin: SHOP });
    expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(first.response.headers.get('access-control-allow-origin')).toBe(SHOP);
    await waitFor(() => first.events.some((e) => e.event === 'status'), { what: 'the status event' });
    expect(first.events[0]!.data).toEqual({ type: 'status', conversationRef: conversation.ref, conversationStatus: 'bot' });

    const live = await postToVisitor(ctx, conversation, { author: 'agent', text: 'Hello, I am Sam.' });
    await waitFor(() => first.events.some((e) => e.event === 'message'), { what: 'the agent message' });
    const delivered = first.events.find((e) => e.event === 'message')!;
    expect(delivered.id).toBe(String(live!.id));
    expect(delivered.data).toEqual({ id: live!.id, author: 'agent', text: 'Hello, I am Sam.', media: null, createdAt: live!.created_at });
    first.close();

    const missed1 = await postToVisitor(ctx, conversation, { author: 'agent', text: 'Are you there?' });
    const missed2 = await postToVisitor(ctx, conversation, { author: 'system', text: 'The conversation was closed.' });
    const second = await openStream(`${eventsUrl}?token=${token}`, { 'last-event-id': delivered.id! });
    await waitFor(() => second.events.filter((e) => e.event === 'message').length >= 2, { what: 'the replay' });
    const replayed = second.events.filter((e) => e.event === 'message');
    expect(replayed.map((e) => e.id)).toEqual([String(missed1!.id), String(missed2!.id)]);
    expect(replayed.map((e) => (e.data as { author: string }).author)).toEqual(['agent', 'system']);

    // Live again after the replay, and never twice.
    const after = await postToVisitor(ctx, conversation, { author: 'bot', text: 'Back to the assistant.' });
    await waitFor(() => second.events.filter((e) => e.event === 'message').length >= 3, { what: 'the live message after replay' });
    expect(second.events.filter((e) => e.event === 'message').map((e) => e.id)).toEqual([missed1, missed2, after].map((m) => String(m!.id)));
    second.close();
  });
});

describe('widget.js', () => {
  it('is served to any site with caching headers and stays under 15 KB gzipped', async () => {
    await setup();
    const response = await server.app.inject({ method: 'GET', url: '/widget.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cache-control']).toContain('max-age=300');
    const again = await server.app.inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': String(response.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(gzipSync(readFileSync(WIDGET_BUNDLE)).length).toBeLessThan(15 * 1024);
  });
});
