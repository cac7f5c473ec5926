// `npm run bench`: SPEC §13's figures, measured on this machine in one run, printed as a table and
// written to bench/results.json. Everything runs on 127.0.0.1, in bounded runs of a few seconds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAnswers, measureWidgetSize } from './assets.js';
import { type LoadResult, runLoad, startTarget, type Target } from './load.js';
import { freshBenchDatabase } from './postgres.js';
import { PUBLIC_URL, productEnv } from './env.js';
import { metaInbound, twilioInbound } from './payloads.js';
import { measureWidgetStreams } from './widget.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Row {
  name: string;
  result: LoadResult;
  ratio?: number;
}

async function withTarget<T>(target: Target, body: (target: Target) => Promise<T>): Promise<T> {
  try {
    return await body(target);
  } finally {
    await target.stop();
  }
}

let messageNumber = 1;
const twilio = (n: number) => twilioInbound(PUBLIC_URL, n);

/** Warm up, then measure the Twilio and Meta webhook paths on one database. */
async function measureWebhooks(engine: string, databaseUrl: string): Promise<Row[]> {
  return withTarget(await startTarget('app', productEnv(databaseUrl)), async (target) => {
    const rows: Row[] = [];
    for (const [provider, build] of [
      ['Twilio', twilio],
      ['Meta', metaInbound],
    ] as const) {
      const path = build(0).path;
      await runLoad({ target, path, request: build, seconds: 1, firstNumber: messageNumber });
      messageNumber += 1_000_000;
      const result = await runLoad({ target, path, request: build, seconds: SECONDS, firstNumber: messageNumber });
      messageNumber += 1_000_000;
      rows.push({ name: `${provider} webhook, ${engine}`, result });
    }
    return rows;
  });
}

async function measureBare(): Promise<Row> {
  return withTarget(await startTarget('bare'), async (target) => {
    const request = () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world', n: 1 }) });
    await runLoad({ target, path: '/echo', request, seconds: 1 });
    return { name: 'bare Fastify, JSON body', result: await runLoad({ target, path: '/echo', request, seconds: SECONDS }) };
  });
}

async function measureFixedRate(databaseUrl: string): Promise<Row> {
  return withTarget(await startTarget('app', productEnv(databaseUrl)), async (target) => {
    await runLoad({ target, path: '/api/webhooks/twilio', request: twilio, seconds: 1, firstNumber: messageNumber });
    messageNumber += 1_000_000;
    const result = await runLoad({
      target,
      path: '/api/webhooks/twilio',
      request: twilio,
      seconds: SECONDS,
      connections: 20,
      rate: 500,
      firstNumber: messageNumber,
    });
    messageNumber += 1_000_000;
    return { name: 'Twilio webhook at 500/s, SQLite', result };
  });
}

function printTable(rows: Row[]): void {
  const lines = rows.map((r) =>
    [
      r.name.padEnd(36),
      String(r.result.requestsPerSecond).padStart(8),
      r.result.p50Ms.toFixed(1).padStart(7),
      r.result.p99Ms.toFixed(1).padStart(7),
      r.result.maxMs.toFixed(0).padStart(7),
      (r.ratio === undefined ? '' : r.ratio.toFixed(2)).padStart(6),
      String(r.result.cpuMicrosPerRequest).padStart(7),
      String(r.result.errors).padStart(7),
    ].join(' '),
  );
  console.log(
    [
      'path'.padEnd(36),
      'req/s'.padStart(8),
      'p50 ms'.padStart(7),
      'p99 ms'.padStart(7),
      'max ms'.padStart(7),
      'ratio'.padStart(6),
      'CPU µs'.padStart(7),
      'errors'.padStart(7),
    ].join(' '),
  );
  for (const line of lines) console.log(line);
}

async function main(): Promise<void> {
  const started = Date.now();
  const startLoad = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(`load average at start: ${startLoad.join(' ')} on ${cpus().length} CPUs`);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    const bare = await measureBare();
    const rows: Row[] = [bare, ...(await measureWebhooks('SQLite', `sqlite:${join(dir, 'throughput.db')}`))];
    const postgres = await freshBenchDatabase();
    if (postgres) {
      try {
        rows.push(...(await measureWebhooks('PostgreSQL', postgres.url)));
      } finally {
        await postgres.drop();
      }
    }
    // Bare Fastify again after the webhook runs: on a shared, noisy machine the ratio is taken
    // against the mean of the two, measured around the runs it is compared with.
    const bareAfter = await measureBare();
    bareAfter.name = 'bare Fastify, again after';
    const bareRps = (bare.result.requestsPerSecond + bareAfter.result.requestsPerSecond) / 2;
    rows.splice(1, 0, bareAfter);
    for (const row of rows) row.ratio = row.result.requestsPerSecond / bareRps;
    rows.push(await measureFixedRate(`sqlite:${join(dir, 'fixed-rate.db')}`));
    printTable(rows);

    const widget = await measureWidgetStreams(`sqlite:${join(dir, 'widget.db')}`);
    const widgetSize = measureWidgetSize();
    const answers = await measureAnswers();
    const results = {
      measuredAt: new Date().toISOString(),
      // other work on the machine during the run: the figures are only as good as this is low
      loadAverageAtStart: startLoad,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      cpus: cpus().length,
      secondsPerRun: SECONDS,
      postgres: Boolean(postgres),
      paths: rows.map((r) => ({ name: r.name, ratioToBareFastify: r.ratio, ...r.result })),
      widget,
      widgetSize,
      answers,
      benchSeconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(JSON.stringify({ widget, widgetSize, answers }, null, 2));
    writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`bench/results.json written (${results.benchSeconds} s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
