// Live events across instances: every instance LISTENs on one PostgreSQL channel with a dedicated
// connection, and a publish is one `pg_notify`. A visitor connected to instance A thereby receives
// the agent reply whose webhook reached instance B.
//
// Delivery is best-effort, like any live stream: the stored messages are the truth, and a widget
// that reconnects reads its history. Events published while this instance's listener is
// reconnecting (a PostgreSQL restart) are not replayed.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import pgDriver from 'pg';
import type { Logger } from 'pino';
import { type LiveEvent, LocalBus, type RealtimeBus } from './bus.js';

/** The one NOTIFY channel all instances share. */
export const LIVE_CHANNEL = 'switchboard_live';

// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. A larger event is parked in
// `live_event_payloads` and only its id travels; receivers fetch it (chosen over chunking: one
// round trip, no reassembly state, and such events are rare — long bot answers).
const MAX_NOTIFY_BYTES = 7900;
const PARKED_EVENT_TTL_MS = 10 * 60_000;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const PING_INTERVAL_MS = 15_000;

/** What travels in a notification: the publishing instance, and the event or a parked event's id. */
interface Envelope {
  o: string;
  e?: LiveEvent;
  p?: string;
}

export interface PostgresBusOptions {
  url: string;
  /** the application's pool, used to publish and to fetch parked events */
  pool: pg.Pool;
  log: Logger;
  now: () => Date;
}

export class PostgresBus implements RealtimeBus {
  private readonly local = new LocalBus();
  /** tells our own notifications apart: they were delivered locally at publish time */
  private readonly origin = randomUUID();
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** parked events are fetched asynchronously; this chain keeps deliveries in arrival order */
  private deliveries: Promise<void> = Promise.resolve();
  private listening = false;
  private connectCount = 0;

  constructor(private readonly options: PostgresBusOptions) {}

  /** Connects and starts listening; later drops are repaired in the background. */
  async start(): Promise<void> {
    await this.connect();
    this.pingTimer = setInterval(() => void this.ping(), PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** True while the listening connection is up. */
  get connected(): boolean {
    return this.listening;
  }

  /** How many times a listening connection was established (1 after start, +1 per reconnect). */
  get connections(): number {
    return this.connectCount;
  }

  async publish(event: LiveEvent): Promise<void> {
    this.local.deliver(event);
    const text = JSON.stringify({ o: this.origin, e: event } satisfies Envelope);
    try {
      if (Buffer.byteLength(text) <= MAX_NOTIFY_BYTES) {
        await this.options.pool.query('select pg_notify($1, $2)', [LIVE_CHANNEL, text]);
      } else {
        await this.publishParked(event);
      }
    } catch (err) {
      // Local subscribers have it; other instances miss a live event, never a stored message.
      this.options.log.warn({ err: (err as Error).message, channel: event.channel }, 'live event not sent to other instances');
    }
  }

  subscribe(channel: string, listener: (event: LiveEvent) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  listenerCount(channel: string): number {
    return this.local.listenerCount(channel);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => {});
    await this.deliveries;
    await this.local.close();
  }

  private async publishParked(event: LiveEvent): Promise<void> {
    const id = randomUUID();
    const now = this.options.now();
    const pool = this.options.pool;
    await pool.query('insert into live_event_payloads (id, event, created_at) values ($1, $2, $3)', [id, JSON.stringify(event), now.toISOString()]);
    await pool.query('select pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify({ o: this.origin, p: id } satisfies Envelope)]);
    const expired = new Date(now.getTime() - PARKED_EVENT_TTL_MS).toISOString();
    await pool.query('delete from live_event_payloads where created_at < $1', [expired]);
  }

  private async connect(): Promise<void> {
    const client = new pgDriver.Client({ connectionString: this.options.url, keepAlive: true });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === LIVE_CHANNEL && message.payload) this.receive(message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (err) {
      this.client = undefined;
      client.removeAllListeners();
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.listening = true;
    this.connectCount += 1;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  /** The listening connection dropped (server restart, network): reconnect with backoff. */
  private lost(client: pg.Client, err?: Error): void {
    if (client !== this.client || this.closed) return;
    this.client = undefined;
    this.listening = false;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end().catch(() => {});
    this.options.log.warn({ err: err?.message }, 'live event listener lost its connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect()
        .then(() => {
          if (this.listening) this.options.log.info('live event listener reconnected');
        })
        .catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }

  /**
   * A connection can die silently (no FIN); a failing ping forces the reconnect path. The ping
   * repeats the LISTEN (a no-op when already listening), so the connection's last statement keeps
   * saying what it is for in `pg_stat_activity`.
   */
  private async ping(): Promise<void> {
    const client = this.client;
    if (!client || !this.listening) return;
    try {
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return; // not ours: someone else NOTIFYing on the channel
    }
    if (envelope.o === this.origin) return;
    this.deliveries = this.deliveries.then(async () => {
      const event = envelope.e ?? (envelope.p ? await this.fetchParked(envelope.p) : undefined);
      if (event && typeof event.channel === 'string') this.local.deliver(event);
    });
  }

  private async fetchParked(id: string): Promise<LiveEvent | undefined> {
    try {
      const result = await this.options.pool.query<{ event: string }>('select event from live_event_payloads where id = $1', [id]);
      const row = result.rows[0];
      return row ? (JSON.parse(row.event) as LiveEvent) : undefined;
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'a large live event could not be fetched');
      return undefined;
    }
  }
}
