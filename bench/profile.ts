// `npx tsx bench/profile.ts [twilio|meta|whapi] [sqlite|postgres] [--rate=500]`: the webhook path under load with
// --cpu-prof, then where its CPU went — by stage of the path (each sample goes to the innermost
// stage on its stack), by package and by function. This is how a figure short of SPEC §13 is
// explained. PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLIC_URL, productEnv } from './env.js';
import { runLoad, startTarget } from './load.js';
import { metaInbound, twilioInbound, whapiInbound } from './payloads.js';
import { freshBenchDatabase } from './postgres.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Stages of the webhook path, by the functions (or files) that are them. A sample is counted for
 * the innermost stage on its stack, so "store" is the inserts themselves and not the logging a
 * commit's callbacks trigger.
 */
const STAGES: Array<[stage: string, test: (fn: string, url: string) => boolean]> = [
  ['garbage collection', (fn) => fn === '(garbage collector)'],
  ['idle (waiting for sockets or fsync)', (fn) => fn === '(idle)'],
  ['logging (pino, redaction)', (_fn, url) => /pino|redact|sonic-boom|log-controller|logger\.ts/.test(url)],
  ['metrics (prom-client)', (fn, url) => /prom-client/.test(url) || /^(countWebhook|observeRequest)$/.test(fn)],
  ['verify signature', (fn) => /^(verify\w*Request|isValidTwilio\w*|twilioSignature|safeEqual)$/.test(fn)],
  [
    'parse payload',
    (fn) => /^(parse\w*Webhook|formParams|webhookFields|readJsonBody|payloadOf|changeValues|\w+RoutingHint|parseMessage|parseMetaMessage)$/.test(fn),
  ],
  [
    'number, credentials, plan lookup',
    (fn, url) => /^(findNumberByRoutingKey|credentialsForNumber|loadConnection|hotNumber\w*)$/.test(fn) || /numbers\/(lookup|hot)/.test(url),
  ],
  ['SQLite commit (fsync)', (fn) => fn === 'sqliteTransaction'],
  ['store: statements and rows', (_fn, url) => /inbound\/store|inbound\/group-commit|better-sqlite3|jobs\/queue/.test(url)],
  ['PostgreSQL driver', (_fn, url) => /npm:pg[-/]|pg-protocol|pg-pool/.test(url)],
  ['Kysely', (_fn, url) => /kysely/.test(url)],
  ['route events (receive.ts)', (_fn, url) => /inbound\/receive|tenancy\/usage|core\/prices/.test(url)],
  ['webhook route (http/webhooks.ts)', (_fn, url) => /http\/webhooks/.test(url)],
  // Native calls (sockets, fsync, hashing) carry no URL: they count for the stage that called them.
  ['HTTP: Fastify, node http, sockets', (_fn, url) => /fastify|find-my-way|_http_|node:net|node:internal\/(streams|http)|node:stream/.test(url)],
];

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const provider = process.argv.includes('meta') ? 'meta' : process.argv.includes('whapi') ? 'whapi' : 'twilio';
const engine = process.argv.includes('postgres') ? 'postgres' : 'sqlite';
const build = provider === 'meta' ? metaInbound : provider === 'whapi' ? whapiInbound : (n: number) => twilioInbound(PUBLIC_URL, n);
const rateArgument = process.argv.find((a) => a.startsWith('--rate='));
/** a fixed rate (20 connections, as the bench's 500/s run), or as fast as the server answers (50) */
const load = rateArgument ? { rate: Number(rateArgument.slice('--rate='.length)), connections: 20 } : {};
const dir = mkdtempSync(join(tmpdir(), 'switchboard-profile-'));
const postgres = engine === 'postgres' ? await freshBenchDatabase() : undefined;
if (engine === 'postgres' && !postgres) throw new Error('PostgreSQL profile: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
try {
  const databaseUrl = postgres?.url ?? `sqlite:${join(dir, 'profile.db')}`;
  const target = await startTarget('app', productEnv(databaseUrl), ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  // A second of warm-up before the measured load, so the JIT's first compiles are not counted.
  await runLoad({ target, path: build(0).path, request: build, seconds: 1, firstNumber: 10_000_000, ...load });
  const result = await runLoad({ target, path: build(0).path, request: build, seconds: SECONDS, ...load });
  await target.stop();
  console.log(
    `${provider} webhook, ${engine}${load.rate ? ` at ${load.rate}/s` : ''}: ${result.requestsPerSecond} req/s, ${result.cpuMicrosPerRequest} µs CPU per request, p99 ${result.p99Ms} ms` +
      ` (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
  );

  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Only the measured load: start-up, warm-up and shutdown are left out.
  const elapsed: number[] = [];
  profile.timeDeltas.reduce((sum, delta, i) => (elapsed[i] = sum + delta), 0);
  const loadEnd = elapsed.at(-1)! - 0.3e6;
  const loadStart = loadEnd - SECONDS * 1e6;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (elapsed[i]! >= loadStart && elapsed[i]! <= loadEnd) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const where = (url: string) =>
    url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, 'npm:')
      .replace(/.*\/(src|bench)\//, '$1/');

  const stageOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byNode.get(at)!.callFrame;
      const found = STAGES.find(([, test]) => test(functionName, where(url)));
      if (found) return found[0];
    }
    return 'other';
  };
  const tally = (key: (id: number) => string) => {
    const sums = new Map<string, number>();
    for (const [id, micros] of self) sums.set(key(id), (sums.get(key(id)) ?? 0) + micros);
    return [...sums].sort((a, b) => b[1] - a[1]);
  };
  const busy = total - (tally(stageOf).find(([s]) => s.startsWith('idle'))?.[1] ?? 0);
  const print = (title: string, rows: Array<[string, number]>, limit = 20) => {
    console.log(`\n${title}`);
    for (const [name, micros] of rows.slice(0, limit)) {
      const perRequest = result.requests ? micros / result.requests : 0;
      console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${perRequest.toFixed(0).padStart(4)} µs/req  ${name}`);
    }
  };
  console.log(`\nprofiled ${(total / 1e6).toFixed(2)} s, busy ${((busy / total) * 100).toFixed(0)}%, ${result.requests} requests`);
  print('by stage of the webhook path (innermost stage on the stack)', tally(stageOf));
  // Within each large stage, the functions its time is spent in (self time).
  for (const [stage, micros] of tally(stageOf)) {
    if (micros / total < 0.05 || stage.startsWith('idle') || stage === 'garbage collection') continue;
    const inStage = [...self].filter(([id]) => stageOf(id) === stage);
    const sums = new Map<string, number>();
    for (const [id, m] of inStage) {
      const { functionName, url } = byNode.get(id)!.callFrame;
      const name = `${functionName || '(anonymous)'} ${where(url) || '(native)'}`;
      sums.set(name, (sums.get(name) ?? 0) + m);
    }
    print(
      `  in "${stage}"`,
      [...sums].sort((a, b) => b[1] - a[1]),
      5,
    );
  }
  print(
    'self time by file/package',
    tally((id) => {
      const { url, functionName } = byNode.get(id)!.callFrame;
      return where(url).split('/').slice(0, 2).join('/') || `(${functionName || 'native'})`;
    }),
    15,
  );
  print(
    'self time by function',
    tally((id) => {
      const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
      return `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    }),
    25,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await postgres?.drop();
}
