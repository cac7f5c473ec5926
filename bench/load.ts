// Load runs: a target server in a child process, autocannon in this one, both on 127.0.0.1.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Probe, TargetReport } from './target.js';

export interface Target {
  report: TargetReport;
  probe(): Promise<Probe>;
  /** publishes one event to each session; resolves with the server's own time for it, in ms */
  broadcast(sessionIds: string[], marker: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `bench/target.ts <mode> [args]` with the given environment and waits until it listens. */
export async function startTarget(
  mode: 'bare' | 'anchor' | 'app',
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
  args: string[] = [],
): Promise<Target> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./target.ts', import.meta.url)), [mode, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    execArgv: ['--import', 'tsx', '--expose-gc', ...nodeArgs],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const report = await new Promise<TargetReport>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench target ${mode} exited with ${code} before it was ready`)));
    child.on('message', (message: { ready?: TargetReport }) => {
      if (message.ready) resolve(message.ready);
    });
  });
  child.removeAllListeners('exit');
  return {
    report,
    probe: () => ask<Probe>(child, 'probe', 'probe'),
    broadcast: (sessionIds, marker) => ask<number>(child, { broadcast: sessionIds, marker }, 'broadcasted'),
    stop: () => stopChild(child),
  };
}

/** Disconnects a target (it closes its server and exits); killed if it has not after 10 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}

/** Sends a message to the target and waits for the answer carrying `key`. */
function ask<T>(child: ChildProcess, message: unknown, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (answer: Record<string, unknown>) => {
      if (!(key in answer)) return;
      child.off('message', onMessage);
      resolve(answer[key] as T);
    };
    child.on('message', onMessage);
    child.send(message as string);
  });
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  errors: number;
  /** target process CPU time (user + system) per answered request */
  cpuMicrosPerRequest: number;
}

export interface LoadOptions {
  target: Target;
  path: string;
  /** a new request body (and headers) for each request, numbered from `firstNumber` */
  request: (n: number) => { headers: Record<string, string>; body: string };
  seconds: number;
  connections?: number;
  /** requests per second across all connections; unset: as fast as the target answers */
  rate?: number;
  /** keeps message ids unique across runs against one database */
  firstNumber?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let n = options.firstNumber ?? 0;
  const before = await options.target.probe();
  const result = await autocannon({
    url: options.target.report.url + options.path,
    method: 'POST',
    connections: options.connections ?? 50,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          const { headers, body } = options.request(n++);
          return { ...request, method: 'POST', path: options.path, headers, body };
        },
      },
    ],
  });
  const after = await options.target.probe();
  const answered = result.requests.total;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: answered,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMicrosPerRequest: answered ? Math.round((after.cpuMicros - before.cpuMicros) / answered) : 0,
  };
}
