// What every service gets: configuration, the database, time, logs, providers and live events,
// and this process's state (jobs, caches, writers, streams). Built once by createContext
// (server.ts, also for tests) and passed down; nothing reaches for globals or module-level maps.
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { PriceTable } from '../core/prices.js';
import type { KnowledgeIndex } from '../core/retrieval.js';
import type { Database, Db } from '../db/database.js';
import type { JobAttempt, JobPayloads, JobWorker } from '../jobs/payloads.js';
import type { RealtimeBus } from '../realtime/bus.js';
import type { InboundWriter } from './inbound/writes.js';
import type { OrganizationTrainings } from './knowledge/indexer.js';
import type { MediaStore } from './media/store.js';
import type { SentenceEncoder } from './knowledge/meaning/encoder.js';

export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  log: Logger;
  bus: RealtimeBus;
  /** Random values (ids, keys, jitter) come from here so tests can pin them where needed. */
  random: () => number;
  /** where media copies and visitor uploads are kept (services/media/) */
  media: MediaStore;
  /** AES-256-GCM key for stored credentials (core/crypto.ts). */
  encryptionKey: Buffer;
  /** sentence vectors for answering by meaning: the embeddings endpoint, else the built-in encoder; undefined when neither is on */
  sentences?: SentenceEncoder;
  /** the built-in encoder, when `sentences` is an embeddings endpoint that may fail */
  sentencesFallback?: SentenceEncoder;
  /** the job kinds this context runs and its workers */
  jobs: ContextJobs;
  /** this process's caches, writers and streams for this context */
  state: ContextState;
  /** flows of a higher domain that a lower one starts, given by createContext */
  hooks: ContextHooks;
}

/**
 * handover/ builds on agents/ (who the agents are, whether they accepted), yet an agent's STOP AGENT
 * (agents/consent.ts) hands that agent's conversations on. It calls the hand-off here, as the queue
 * calls its job list, so agents/ does not import the domain built on it (`npm run lint`: the folders
 * of services/ form no cycle). Moving consent.ts instead would split the agent's commands from the
 * agent list they change.
 */
export interface ContextHooks {
  /**
   * handover/removal.ts handOffAfter: runs `leave` (the change that makes the agent no longer
   * active), then hands their open conversations to the widget's other active agents, or leaves
   * them waiting in the inbox with the visitor told.
   */
  handOffAfter<T>(ctx: AppContext, organizationId: string, agent: { name: string; number: string }, leave: () => Promise<T>): Promise<{ result: T }>;
}

export type JobHandler<T> = (ctx: AppContext, payload: T, attempt: JobAttempt) => Promise<void> | void;

/** One handler per kind; `P` maps kinds to payloads (the app's kinds unless a test brings its own). */
export type JobHandlers<P = JobPayloads> = { [K in keyof P]: JobHandler<P[K]> };

/** Any list of handlers by kind, as the context holds it. */
export type JobList = { readonly [kind: string]: JobHandler<never> };

export interface ContextJobs {
  /** kind → handler, from the list given to createContext (src/jobs/kinds.ts); other kinds fail */
  handlers: ReadonlyMap<string, JobHandler<never>>;
  /** the workers running on this context: an enqueue here wakes them */
  workers: Set<JobWorker>;
}

/** The context's Prometheus registry and the figures other parts report to (metrics.ts). */
export interface Metrics {
  registry: Registry;
  webhooks: Counter<'provider' | 'outcome'>;
  sends: Counter<'provider' | 'outcome'>;
  widgetConnections: Gauge;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  webhookDuration: Histogram<'provider'>;
}

/** Cached lookups of the webhook path (lookup-cache.ts). */
export interface LookupCache {
  entries: Map<string, { value: unknown; at: number }>;
  /** bumped by each invalidation: a load that began before it does not store its (maybe old) answer */
  generation: number;
  /** SQLite: the data_version last seen, the statement that reads it, whether this event-loop turn did */
  dataVersion?: { value: number; read: () => number; checkedThisTurn: boolean };
}

/** This process's state for one context; tests run many contexts in one process, each with its own. */
export interface ContextState {
  /** the webhook hot path's group commit (inbound/store.ts); created on the first inbound write */
  inboundWriter?: InboundWriter;
  /** the send token bucket of each business number (outbound/send-rate.ts) */
  sendRate: { perSecond: number; byNumber: Map<string, { tokens: number; at: number }> };
  /** the Prometheus registry (metrics.ts); created on first use, so its collectors start only then */
  metrics?: Metrics;
  /** trained indexes by organization, checked against the stored trained_at on use (knowledge/training.ts) */
  knowledgeIndexes: Map<string, { trainedAt: string; index: KnowledgeIndex }>;
  /** `organizationId@trainedAt` of indexes getting their sentence vectors in the background, so it runs once */
  indexesGainingMeaning: Set<string>;
  /** each organization's running, queued and last training, one at a time (knowledge/training.ts) */
  trainings: Map<string, OrganizationTrainings>;
  /** numbers by routing key, connections' credentials and plans, until a change (lookup-cache.ts) */
  lookups?: LookupCache;
  /** the operator's price table costing new messages, and when it was read (tenancy/usage.ts) */
  prices?: { table: Promise<PriceTable>; readAt: number };
  /** SQLite mode: attempt counts by window start and key; PostgreSQL: the minute last swept (rate-limits.ts) */
  rateLimits: { minute: number; counts: Map<string, number> };
  /** open dashboard and simulator event streams, closed when the app closes (http/sse.ts) */
  dashboardStreams: Set<{ close(): void }>;
  /** refusals of websites not allowed, per widget and origin, until written (widgets/refused-origins.ts) */
  /** the OpenAPI document as JSON text, generated once (http/docs.ts) */
  openApi?: { json?: string; generations: number };
  refusedOrigins?: {
    /** `widgetId origin` → refusals not written yet, and when the last write was */
    tallies: Map<string, { pending: number; writtenAt: number }>;
    /** writes per widget in the current minute */
    writes: Map<string, { minute: number; count: number }>;
  };
}
