// Server-Sent Events: the one writer behind every live stream (the dashboard's organization feed,
// the simulator's phones, a widget visitor's session).
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../services/context.js';

/** Comments keep idle proxies from closing a stream. */
const HEARTBEAT_MS = 25_000;

export interface EventStream {
  /** One event; an `id` is where a reconnect's Last-Event-ID resumes. */
  send(event: string, data: unknown, id?: number): void;
  /** Ends the stream; runs once, also when the client goes away. */
  close(): void;
  /** Called once when the stream ends, whoever ended it. */
  onClose(listener: () => void): void;
}

/** Takes the reply over and answers with an event stream (headers already set on the reply, such as CORS, are kept). */
export function openEventStream(reply: FastifyReply, options: { retryMs: number }): EventStream {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // The client may leave while a caller is still reading what to send: never write to a closed stream.
  const write = (text: string) => {
    if (!raw.writableEnded && !raw.destroyed) raw.write(text);
  };
  write(`retry: ${options.retryMs}\n\n`);
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  const listeners: Array<() => void> = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
    raw.end();
  };
  raw.on('close', close);
  return {
    send: (event, data, id) => write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    close,
    onClose: (listener) => void listeners.push(listener),
  };
}

/** Answers with the events of one live channel until the client goes away or the app closes. */
export function streamChannel(ctx: AppContext, reply: FastifyReply, channel: string): void {
  const stream = openEventStream(reply, { retryMs: 2000 });
  ctx.state.dashboardStreams.add(stream);
  const unsubscribe = ctx.bus.subscribe(channel, (event) => stream.send(event.type, event.data));
  stream.onClose(() => {
    unsubscribe();
    ctx.state.dashboardStreams.delete(stream);
  });
}

/** Ends every open channel stream of this context, so a shutdown does not wait on them. */
export function endChannelStreams(ctx: AppContext): void {
  for (const stream of [...ctx.state.dashboardStreams]) stream.close();
}
