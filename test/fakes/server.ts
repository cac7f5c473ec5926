// The common part of the provider fakes: a node:http server on port 0 that records every request
// and can be scripted to fail, so tests exercise adapters over real HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** lower-case names */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** form fields (repeated keys as arrays) or JSON, by Content-Type; undefined when empty */
  body: any;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a scripted failure answers; `dropConnection` resets the socket (a network failure). */
export interface ScriptedFailure extends Partial<FakeResponse> {
  dropConnection?: boolean;
}

export type RouteHandler = (req: RecordedRequest, params: Record<string, string>) => FakeResponse | Promise<FakeResponse>;

export interface Route {
  method: string;
  /** `/2010-04-01/Accounts/:accountSid/Messages.json`; `:name` matches one segment, a last `*name` the rest of the path */
  pattern: string;
  handler: RouteHandler;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /**
   * The next `count` requests (those whose path contains `pathIncludes`, when given) get this
   * answer instead of the real one: e.g. 500 three times, or 429 with a Retry-After header.
   */
  failNext(count: number, failure: ScriptedFailure, pathIncludes?: string): void;
  /** Forget recorded requests and pending failures. */
  reset(): void;
  close(): Promise<void>;
}

interface PendingFailure {
  remaining: number;
  failure: ScriptedFailure;
  pathIncludes?: string;
}

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) =>
      segment.replace(/^\*([A-Za-z]+)$|:([A-Za-z]+)|[^:]+/g, (part, rest?: string, name?: string) => {
        if (rest) {
          names.push(rest);
          return '(.+)';
        }
        if (name) {
          names.push(name);
          return '([^/]+?)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }),
    )
    .join('/');
  return { regex: new RegExp(`^${source}$`), names };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if ((contentType ?? '').includes('application/json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const seen = fields[key];
      fields[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return fields;
  }
  return text;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://fake');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: req.method ?? 'GET',
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    headers,
    rawBody,
    body: parseBody(rawBody, headers['content-type']),
  };
}

function respond(res: ServerResponse, answer: FakeResponse): void {
  const headers = { ...answer.headers };
  let payload: string | Buffer = '';
  if (Buffer.isBuffer(answer.body)) payload = answer.body;
  else if (typeof answer.body === 'string') payload = answer.body;
  else if (answer.body !== undefined) {
    payload = JSON.stringify(answer.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/** Starts a recording server with the given routes on 127.0.0.1, on a free port. */
export async function startFakeServer(routes: Route[]): Promise<FakeServer> {
  const compiled = routes.map((route) => ({ ...route, ...compile(route.pattern) }));
  const requests: RecordedRequest[] = [];
  let failures: PendingFailure[] = [];

  const server: Server = createServer(async (req, res) => {
    try {
      const recorded = await record(req);
      requests.push(recorded);
      const failure = failures.find((f) => f.remaining > 0 && (!f.pathIncludes || recorded.path.includes(f.pathIncludes)));
      if (failure) {
        failure.remaining -= 1;
        if (failure.failure.dropConnection) {
          req.socket.destroy();
          return;
        }
        respond(res, { status: failure.failure.status ?? 500, body: failure.failure.body, headers: failure.failure.headers });
        return;
      }
      for (const route of compiled) {
        if (route.method !== recorded.method) continue;
        const match = route.regex.exec(recorded.path);
        if (!match) continue;
        const params = Object.fromEntries(route.names.map((name, i) => [name, match[i + 1]!]));
        respond(res, await route.handler(recorded, params));
        return;
      }
      respond(res, { status: 404, body: { error: `No fake route for ${recorded.method} ${recorded.path}` } });
    } catch (error) {
      respond(res, { status: 500, body: { error: String(error) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, failure, pathIncludes) {
      failures.push({ remaining: count, failure, pathIncludes });
    },
    reset() {
      requests.length = 0;
      failures = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** HTTP Basic credentials of a request, if any. */
export function basicAuth(req: RecordedRequest): { username: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The Bearer token of a request, if any. */
export function bearerToken(req: RecordedRequest): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** 32 random hex characters, for SIDs and ids. */
export function hex32(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
