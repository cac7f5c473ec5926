// `npm run bench`: SPEC §13's figures, measured on this machine in one run, printed as tables
// (every path; then each target beside its anchor and what was measured) and written to
// bench/results.json. Everything runs on 127.0.0.1, in bounded runs of a few seconds. The machine
// may be shared: ratios within the run and CPU time per request are the figures to trust, and the
// load average is recorded beside them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAnswers, measureWidgetSize } from './assets.js';
import { type LoadResult, runLoad, startTarget, type Target } from './load.js';
import { freshBenchDatabase } from './postgres.js';
import { PUBLIC_URL, productEnv } from './env.js';
import { metaInbound, type SignedRequest, twilioInbound, whapiInbound } from './payloads.js';
import { measureWidgetStreams, type WidgetFigures } from './widget.js';

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
const PROVIDERS: Array<[string, (n: number) => SignedRequest]> = [
  ['Twilio', twilio],
  ['Meta', metaInbound],
  ['Whapi', whapiInbound],
];

/** A second of warm-up, then the measured run; message ids never repeat within the run. */
async function measure(target: Target, build: (n: number) => SignedRequest, options: { connections?: number; rate?: number } = {}): Promise<LoadResult> {
  const path = build(0).path;
  await runLoad({ target, path, request: build, seconds: 1, firstNumber: messageNumber, ...options });
  messageNumber += 1_000_000;
  const result = await runLoad({ target, path, request: build, seconds: SECONDS, firstNumber: messageNumber, ...options });
  messageNumber += 1_000_000;
  return result;
}

/** Each provider's webhook path on one database. */
async function measureWebhooks(engine: string, databaseUrl: string): Promise<Row[]> {
  return withTarget(await startTarget('app', productEnv(databaseUrl)), async (target) => {
    const rows: Row[] = [];
    for (const [provider, build] of PROVIDERS) rows.push({ name: `${provider} webhook, ${engine}`, result: await measure(target, build) });
    return rows;
  });
}

async function measureBare(): Promise<Row> {
  return withTarget(await startTarget('bare'), async (target) => {
    const request = () => ({ path: '/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world', n: 1 }) });
    return { name: 'bare Fastify, JSON body', result: await measure(target, request) };
  });
}

async function measureAnchor(dir: string): Promise<Row> {
  return withTarget(await startTarget('anchor', {}, [], [join(dir, 'anchor.db')]), async (target) => ({
    name: 'anchor: hand-written durable Meta path',
    result: await measure(target, metaInbound),
  }));
}

const FIXED_RATE = { connections: 20, rate: 500 };

async function measureFixedRate(databaseUrl: string): Promise<Row> {
  return withTarget(await startTarget('app', productEnv(databaseUrl)), async (target) => ({
    name: 'Twilio webhook at 500/s, SQLite',
    result: await measure(target, twilio, FIXED_RATE),
  }));
}

/** The anchor at the same rate: what the disk's fsync and the machine's load alone give. */
async function measureAnchorFixedRate(dir: string): Promise<Row> {
  return withTarget(await startTarget('anchor', {}, [], [join(dir, 'anchor-fixed-rate.db')]), async (target) => ({
    name: 'anchor at 500/s',
    result: await measure(target, metaInbound, FIXED_RATE),
  }));
}

function printTable(header: string[], lines: string[][], widths: number[]): void {
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[i]!))).join(' ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

function printPaths(rows: Row[]): void {
  printTable(
    ['path', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'ratio', 'CPU µs', 'errors'],
    rows.map((r) => [
      r.name,
      String(r.result.requestsPerSecond),
      r.result.p50Ms.toFixed(1),
      r.result.p99Ms.toFixed(1),
      r.result.maxMs.toFixed(0),
      r.ratio === undefined ? '' : r.ratio.toFixed(2),
      String(r.result.cpuMicrosPerRequest),
      String(r.result.errors),
    ]),
    [42, 8, 7, 7, 7, 6, 7, 7],
  );
}

interface TargetLine {
  figure: string;
  target: string;
  anchor: string;
  measured: string;
  met?: boolean;
}

interface AnswerFigures {
  wordsOnly?: { p50Ms: number; p99Ms: number; trainingMs: number };
  withMeaning?: { p50Ms: number; p99Ms: number; trainingMs: number };
}

/** SPEC §13's targets, each beside its anchor (measured in this run where there is one) and what was measured. */
function targetLines(rows: Row[], widget: WidgetFigures, widgetSize: ReturnType<typeof measureWidgetSize>, answers: unknown): TargetLine[] {
  const row = (name: string) => rows.find((r) => r.name === name);
  const anchor = row('anchor: hand-written durable Meta path');
  const lines: TargetLine[] = [];
  const at = (value: number | undefined, digits = 2) => (value === undefined ? '—' : value.toFixed(digits));
  for (const [provider] of PROVIDERS) {
    const sqlite = row(`${provider} webhook, SQLite`);
    if (sqlite) {
      lines.push({
        figure: `${provider}, SQLite: ratio to bare Fastify`,
        target: '≥ 0.50',
        anchor: at(anchor?.ratio),
        measured: at(sqlite.ratio),
        met: (sqlite.ratio ?? 0) >= 0.5,
      });
      lines.push({
        figure: `${provider}, SQLite: CPU µs per webhook`,
        target: '≤ 200',
        anchor: String(anchor?.result.cpuMicrosPerRequest ?? '—'),
        measured: String(sqlite.result.cpuMicrosPerRequest),
        met: sqlite.result.cpuMicrosPerRequest <= 200,
      });
      lines.push({
        figure: `${provider}, SQLite: p99 at saturation, ms`,
        target: '≤ 100',
        anchor: at(anchor?.result.p99Ms, 0),
        measured: at(sqlite.result.p99Ms, 0),
        met: sqlite.result.p99Ms <= 100,
      });
    }
    const postgres = row(`${provider} webhook, PostgreSQL`);
    if (postgres) {
      lines.push({
        figure: `${provider}, PostgreSQL: ratio to bare Fastify`,
        target: '≥ 0.25',
        anchor: '—',
        measured: at(postgres.ratio),
        met: (postgres.ratio ?? 0) >= 0.25,
      });
      lines.push({ figure: `${provider}, PostgreSQL: CPU µs per webhook`, target: '—', anchor: '—', measured: String(postgres.result.cpuMicrosPerRequest) });
    }
  }
  const fixed = row('Twilio webhook at 500/s, SQLite');
  const fixedAnchor = row('anchor at 500/s')?.result;
  if (fixed) {
    const { p50Ms, p99Ms, maxMs, errors } = fixed.result;
    lines.push({ figure: 'Twilio at 500/s: p50 ms', target: '≤ 5', anchor: at(fixedAnchor?.p50Ms, 1), measured: at(p50Ms, 1), met: p50Ms <= 5 });
    lines.push({ figure: 'Twilio at 500/s: p99 ms', target: '≤ 25', anchor: at(fixedAnchor?.p99Ms, 1), measured: at(p99Ms, 1), met: p99Ms <= 25 });
    lines.push({ figure: 'Twilio at 500/s: max ms', target: '≤ 250', anchor: at(fixedAnchor?.maxMs, 0), measured: at(maxMs, 0), met: maxMs <= 250 });
    lines.push({ figure: 'Twilio at 500/s: errors', target: '0', anchor: '—', measured: String(errors), met: errors === 0 });
  }
  const tenThousand = widget.streams?.find((s) => s.connections === 10_000);
  if (tenThousand) {
    lines.push({
      figure: '10,000 idle widget streams: RSS MB',
      target: '≤ 250',
      anchor: '≈ 100',
      measured: at(tenThousand.rssMB, 0),
      met: tenThousand.rssMB <= 250,
    });
  }
  if (widget.broadcastToAllMs !== undefined) {
    lines.push({
      figure: 'one event to all 10,000 streams, ms',
      target: '≤ 50',
      anchor: '—',
      measured: at(widget.broadcastToAllMs, 0),
      met: widget.broadcastToAllMs <= 50,
    });
  }
  if (widget.replyLatency) {
    lines.push({
      figure: 'agent reply → visitor stream p99, ms',
      target: '< 50',
      anchor: '—',
      measured: at(widget.replyLatency.p99Ms, 1),
      met: widget.replyLatency.p99Ms < 50,
    });
  }
  if ('gzippedBytes' in widgetSize) {
    lines.push({
      figure: 'widget.js gzipped, KB',
      target: '< 15',
      anchor: '—',
      measured: at(widgetSize.gzippedBytes / 1024, 1),
      met: widgetSize.gzippedBytes < 15 * 1024,
    });
  }
  const figures = answers as AnswerFigures;
  if (figures.wordsOnly) {
    lines.push({
      figure: 'retrieval answer, 1,000 passages: p50 ms',
      target: '< 5',
      anchor: '—',
      measured: at(figures.wordsOnly.p50Ms, 2),
      met: figures.wordsOnly.p50Ms < 5,
    });
    lines.push({ figure: 'retrieval answer, 1,000 passages: p99 ms', target: '—', anchor: '—', measured: at(figures.wordsOnly.p99Ms, 2) });
    lines.push({ figure: 'training 1,000 passages (words), ms', target: '—', anchor: '—', measured: String(figures.wordsOnly.trainingMs) });
  }
  if (figures.withMeaning) {
    // The answer as customers get it: words, meaning when the words are unsure, and the verdict.
    lines.push({ figure: 'answer with meaning, 1,000 passages: p50 ms', target: '—', anchor: '—', measured: at(figures.withMeaning.p50Ms, 2) });
    lines.push({ figure: 'answer with meaning, 1,000 passages: p99 ms', target: '—', anchor: '—', measured: at(figures.withMeaning.p99Ms, 2) });
    lines.push({ figure: 'training 1,000 passages (with meaning), ms', target: '—', anchor: '—', measured: String(figures.withMeaning.trainingMs) });
  }
  return lines;
}

async function main(): Promise<void> {
  const started = Date.now();
  const startLoad = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(`load average at start: ${startLoad.join(' ')} on ${cpus().length} CPUs`);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    const bare = await measureBare();
    const rows: Row[] = [bare, await measureAnchor(dir), ...(await measureWebhooks('SQLite', `sqlite:${join(dir, 'throughput.db')}`))];
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
    rows.push(await measureFixedRate(`sqlite:${join(dir, 'fixed-rate.db')}`), await measureAnchorFixedRate(dir));
    printPaths(rows);
    const loadAfterPaths = loadavg().map((l) => Math.round(l * 100) / 100);

    const widget = await measureWidgetStreams(`sqlite:${join(dir, 'widget.db')}`);
    const widgetSize = measureWidgetSize();
    const answers = await measureAnswers();
    const targets = targetLines(rows, widget, widgetSize, answers);
    console.log(`\nSPEC §13 targets (load average ${startLoad.join(' ')} at start, ${loadAfterPaths.join(' ')} after the paths)`);
    printTable(
      ['figure', 'target', 'anchor', 'measured', 'met'],
      targets.map((t) => [t.figure, t.target, t.anchor, t.measured, t.met === undefined ? '' : t.met ? 'yes' : 'NO']),
      [44, 8, 8, 9, 4],
    );
    const results = {
      measuredAt: new Date().toISOString(),
      // other work on the machine during the run: the figures are only as good as this is low
      loadAverageAtStart: startLoad,
      loadAverageAfterPaths: loadAfterPaths,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      cpus: cpus().length,
      secondsPerRun: SECONDS,
      postgres: Boolean(postgres),
      paths: rows.map((r) => ({ name: r.name, ratioToBareFastify: r.ratio, ...r.result })),
      targets,
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
