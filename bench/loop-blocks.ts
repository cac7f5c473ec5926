// The server's event-loop blocks, each split into what it was: the main thread's own CPU (a long
// synchronous task of the server), time waiting for a core (other processes on a busy machine), and
// time blocked in the kernel (a synchronous fsync of SQLite, a page fault on a cold file). A tick
// every TICK_MS; a tick that comes late is a block. On Linux the split comes from the main thread's
// /proc schedstat (nanoseconds on a core, nanoseconds runnable but waiting); elsewhere only the
// wall time is known. Each block names what was running then: the requests in flight (routes),
// the bench's own operation, and the longest garbage collection inside it.
import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';

const TICK_MS = 5;

export interface LoopBlock {
  /** how long the loop did not come back to its timers, ms */
  wall: number;
  /** of which the main thread ran on a core (the server's own synchronous work), ms */
  cpu: number;
  /** of which it was ready to run but waited for a core (the machine was busy), ms */
  waiting: number;
  /** the rest: blocked in a system call (fsync, a read from disk) or descheduled otherwise, ms */
  blocked: number;
  /** what was running: routes of requests in flight, the bench's operation, a long GC */
  during: string;
}

/** The main thread's time on a core and waiting for one, in ms; undefined where /proc has no schedstat. */
function threadTimes(): { cpu: number; waiting: number } | undefined {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { cpu: Number(run) / 1e6, waiting: Number(wait) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Starts watching; `take()` returns the longest block and the block with the most CPU since the last take. */
export function watchLoopBlocks(): {
  channels: unknown[];
  take(): { longest: LoopBlock; longestCpu: LoopBlock };
  /** names the bench operation running until the returned function is called */
  label(name: string): () => void;
} {
  const inFlight = new Map<IncomingMessage, string>();
  const labels = new Set<string>();
  // Routes of requests started and not yet answered (the path without its query, ids left in).
  // The channels are held here: a channel only weakly held may be collected with its subscribers.
  const started = channel('http.server.request.start');
  const finished = channel('http.server.response.finish');
  // Routes that started since the last tick: a request answered within one block is gone from inFlight.
  let arrived = new Set<string>();
  started.subscribe((message) => {
    const { request } = message as { request: IncomingMessage };
    const route = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    inFlight.set(request, route);
    arrived.add(route);
  });
  finished.subscribe((message) => {
    inFlight.delete((message as { request: IncomingMessage }).request);
  });
  let longestGc = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration);
  }).observe({ entryTypes: ['gc'] });

  const empty = (): LoopBlock => ({ wall: 0, cpu: 0, waiting: 0, blocked: 0, during: '' });
  let longest = empty();
  let longestCpu = empty();
  let last = performance.now();
  let times = threadTimes();
  let seen = new Set<string>();
  // Requests in flight when the block began and those that arrived during it.
  const describe = () => {
    const parts = [...labels, ...new Set([...seen, ...arrived, ...inFlight.values()])].slice(0, 4);
    if (longestGc >= 10) parts.push(`GC ${longestGc.toFixed(0)} ms`);
    return parts.join(', ') || 'nothing in flight';
  };
  const tick = setInterval(() => {
    const now = performance.now();
    const nowTimes = threadTimes();
    const wall = now - last - TICK_MS;
    if (wall > 1) {
      const cpu = nowTimes && times ? Math.min(wall, nowTimes.cpu - times.cpu) : wall;
      const waiting = nowTimes && times ? Math.min(wall - cpu, nowTimes.waiting - times.waiting) : 0;
      const block = { wall, cpu, waiting, blocked: Math.max(0, wall - cpu - waiting), during: describe() };
      if (block.wall > longest.wall) longest = block;
      if (block.cpu > longestCpu.cpu) longestCpu = block;
    }
    last = now;
    times = nowTimes;
    longestGc = 0;
    seen = new Set(inFlight.values());
    arrived = new Set();
  }, TICK_MS);
  tick.unref();
  return {
    channels: [started, finished],
    take() {
      const taken = { longest, longestCpu };
      longest = empty();
      longestCpu = empty();
      return taken;
    },
    label(name) {
      labels.add(name);
      return () => labels.delete(name);
    },
  };
}
