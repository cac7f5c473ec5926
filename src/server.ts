// Start-up: config → database → context → app → workers. Tests call the same functions.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { type Database, migrateToLatest, openDatabase } from './db/database.js';
import { fileBytes, switchToIncrementalVacuum } from './db/sqlite-upkeep.js';
import { openApiJson } from './http/docs.js';
import { buildApp, type App } from './http/app.js';
import { createLogger } from './logger.js';
import { LocalBus, type RealtimeBus } from './realtime/bus.js';
import { PostgresBus } from './realtime/postgres.js';
import { ensureAdminKey } from './services/tenancy/admin-key.js';
import { registerPlatformNumbers } from './services/numbers/platform.js';
import { ensurePlatformTemplates } from './services/numbers/templates.js';
import { resumeTemplateReviews } from './services/numbers/template-review.js';
import type { AppContext, ContextState, JobList } from './services/context.js';
import { type DemoInfo, seedDemo } from './services/platform/demo.js';
import { handOffAfter } from './services/handover/removal.js';
import { startInactivitySweeper } from './services/handover/inactivity.js';
import { startRetention } from './services/platform/retention.js';
import { jobHandlers } from './jobs/kinds.js';
import { startJobWorker } from './jobs/queue.js';
import { DEFAULT_SENDS_PER_SECOND } from './services/outbound/send-rate.js';
import { remoteEncoder } from './services/knowledge/meaning/remote-encoder.js';
import { sharedSentenceEncoder } from './services/knowledge/meaning/encoder.js';
import { moveMediaOutOfRows } from './services/media/files.js';
import { openMediaStore } from './services/media/open-store.js';

export interface ContextOptions {
  clock?: Clock;
  log?: Logger;
  /** the job kinds this context runs; default: the app's list (a test of the queue brings its own) */
  jobs?: JobList;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const media = openMediaStore(config.mediaStore);
  if (media.discard) {
    // An in-memory database's files are temporary too: they go when it closes.
    const closeDatabase = database.close;
    database.close = async () => {
      await closeDatabase();
      await media.discard!();
    };
  }
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  if (database.sqlite) keepSqliteShrinkable(database.sqlite, log);
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    clock,
    log,
    bus: await createBus(database, clock, log),
    random: Math.random,
    media: media.store,
    encryptionKey: config.encryptionKey ?? sqliteEncryptionKey(config.databaseUrl),
    // An embeddings endpoint, when configured, gives the vectors; the built-in encoder stands in when it fails.
    sentences: config.embeddings ? remoteEncoder(config.embeddings) : config.answerByMeaning ? sharedSentenceEncoder(config.encoderTimeoutMs) : undefined,
    sentencesFallback: config.embeddings && config.answerByMeaning ? sharedSentenceEncoder(config.encoderTimeoutMs) : undefined,
    jobs: { handlers: new Map(Object.entries(options.jobs ?? jobHandlers)), workers: new Set() },
    state: createContextState(),
    hooks: { handOffAfter },
  };
  return ctx;
}

/** A context's own per-process state; what is created on first use starts undefined. */
function createContextState(): ContextState {
  return {
    inboundWriter: undefined,
    sendRate: { perSecond: DEFAULT_SENDS_PER_SECOND, byNumber: new Map() },
    metrics: undefined,
    knowledgeIndexes: new Map(),
    indexesGainingMeaning: new Set(),
    trainings: new Map(),
    lookups: undefined,
    rateLimits: { minute: -1, counts: new Map() },
    dashboardStreams: new Set(),
  };
}

/** A SQLite file made before incremental vacuum is switched now when small; a large one is named once in the log. */
function keepSqliteShrinkable(sqlite: NonNullable<Database['sqlite']>, log: Logger): void {
  const mode = switchToIncrementalVacuum(sqlite);
  if (mode === 'switched') log.info('the SQLite file now gives back the space of removed rows (auto_vacuum = incremental)');
  if (mode === 'too-large') {
    log.warn(
      { bytes: fileBytes(sqlite) },
      'the SQLite file keeps the space of removed rows until it is switched to incremental vacuum: stop the server and run `npm run migrate` once',
    );
  }
}

/** PostgreSQL carries live events between instances; SQLite mode is one instance. */
async function createBus(database: Database, clock: Clock, log: Logger): Promise<RealtimeBus> {
  if (database.dialect !== 'postgres') return new LocalBus();
  const bus = new PostgresBus({ url: database.url, pool: database.pool!, log, now: () => clock.now() });
  await bus.start();
  return bus;
}

export interface RunningServer {
  app: App;
  ctx: AppContext;
  /** http://host:port actually bound */
  url: string;
  /** the demo organization, when the demo is on and exists (apiKey only on the start that created it) */
  demo?: DemoInfo;
  /** the platform key generated on this start (ADMIN_API_KEY unset, first start): print it once */
  generatedAdminKey?: string;
  /** stops (see stopServer); resolves true when everything finished within `timeoutMs` */
  stop(options?: { timeoutMs?: number }): Promise<boolean>;
}

/** Builds the app and background work on a context; listens when `listen` is true. */
export async function startServer(ctx: AppContext, { listen = true } = {}): Promise<RunningServer> {
  const app = await buildApp(ctx);
  const background: Array<() => Promise<void>> = [];
  let url = '';
  await app.ready();
  const { key: generatedAdminKey } = await ensureAdminKey(ctx);
  await registerPlatformNumbers(ctx);
  // The handover template of each platform account that has numbers, and reviews left unfinished.
  await ensurePlatformTemplates(ctx);
  await resumeTemplateReviews(ctx);
  // The demo goes through the app's own API, so it is created once the routes are ready.
  const demo = ctx.config.demo ? await seedDemo(ctx, app) : undefined;
  if (ctx.config.worker) {
    // Jobs left by a previous run (a crash, a restart) are picked up here too.
    const worker = startJobWorker(ctx);
    background.push(() => worker.stop());
  }
  // Handovers idle past their widget's timeout are closed (SPEC §8), by whichever instance runs workers.
  if (ctx.config.worker) background.push(startInactivitySweeper(ctx));
  // Old rows are removed on a schedule (README "Retention"), by whichever instance runs workers.
  if (ctx.config.worker) background.push(startRetention(ctx));
  // Files kept in rows before migration 331 go to the media store, in the background.
  if (ctx.config.worker) background.push(startMovingMedia(ctx));
  if (listen) {
    url = await app.listen({ port: ctx.config.port, host: ctx.config.host });
    // /docs opens at once: its document is generated now rather than on the first visit.
    setImmediate(() => {
      try {
        openApiJson(app, ctx);
      } catch (err) {
        ctx.log.warn({ err }, 'the API document could not be prepared; /docs generates it on its first visit');
      }
    });
  }
  let stopping: Promise<boolean> | undefined;
  return {
    app,
    ctx,
    url,
    demo,
    generatedAdminKey,
    stop(options = {}) {
      stopping ??= stopServer(ctx, app, background.reverse(), options.timeoutMs);
      return stopping;
    },
  };
}

/**
 * Stops taking requests, lets in-flight requests and running jobs finish, then closes the
 * database. With a time limit, whatever still runs then (a request waiting on a stuck encoder, a
 * job) is left: its job stays `running` and is taken back by the next start, or after its lease.
 */
async function stopServer(ctx: AppContext, app: App, background: Array<() => Promise<void>>, timeoutMs?: number): Promise<boolean> {
  // A fifth of the time (up to 5 s) is kept for closing the database.
  const closing = timeoutMs === undefined ? undefined : Math.min(5_000, timeoutMs / 5);
  const graceful = (async () => {
    await app.close();
    for (const stopBackground of background) await stopBackground();
  })();
  const finished = await within(graceful, timeoutMs === undefined ? undefined : timeoutMs - closing!);
  if (!finished) {
    // Workers claim nothing more; the jobs they run are left to be taken back.
    for (const stopBackground of background) void stopBackground().catch(() => undefined);
    ctx.log.warn({ timeoutMs }, 'shutdown time is up: unfinished requests and jobs are left (jobs are taken back by the next start)');
  }
  const closed = await within(
    (async () => {
      await ctx.bus.close();
      await ctx.database.close();
    })(),
    closing,
  );
  return finished && closed;
}

/** Runs moveMediaOutOfRows once; a failure is logged (the files are served from their rows meanwhile) and retried on the next start. */
function startMovingMedia(ctx: AppContext): () => Promise<void> {
  let stopped = false;
  const moving = moveMediaOutOfRows(ctx, () => stopped).then(
    (moved) => {
      if (moved > 0) ctx.log.info({ moved, store: ctx.media.location }, 'media files moved out of the database');
    },
    (err: Error) =>
      ctx.log.warn({ err: err.message, store: ctx.media.location }, 'moving media files out of the database stopped; it resumes on the next start'),
  );
  return async () => {
    stopped = true;
    await moving;
  };
}

/** Whether `work` settled within `ms` (always waits without `ms`); a failure counts as settled. */
async function within(work: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  if (ms === undefined) return settled;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** SQLite mode keeps a generated key beside the database; an in-memory database gets a fresh one. */
function sqliteEncryptionKey(databaseUrl: string): Buffer {
  const path = databaseUrl.slice('sqlite:'.length);
  if (path === ':memory:') return randomBytes(32);
  const file = join(dirname(path), 'encryption.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600 });
  return key;
}
