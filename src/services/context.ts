// What every service gets: configuration, the database, time, logs, providers and live events.
// Built once in main.ts (or by a test) and passed down; nothing reaches for globals.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { Database, Db } from '../db/database.js';
import type { RealtimeBus } from '../realtime/bus.js';
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
  /** AES-256-GCM key for stored credentials (core/crypto.ts). */
  encryptionKey: Buffer;
  /** sentence vectors for answering by meaning; undefined when ANSWER_BY_MEANING is off */
  sentences?: SentenceEncoder;
}
