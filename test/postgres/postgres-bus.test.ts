// The LISTEN/NOTIFY bus: events cross instances, large ones too, in order, and the listener
// repairs its own connection after the server drops it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import type { LiveEvent } from '../../src/realtime/bus.js';
import { PostgresBus } from '../../src/realtime/postgres.js';
import { freshPostgresDatabase } from '../support/context.js';
import { waitFor } from '../support/wait.js';

let database: { url: string; drop: () => Promise<void> };
const opened: Array<{ bus: PostgresBus; db: Database }> = [];

async function instance(): Promise<PostgresBus> {
  const db = openDatabase(database.url);
  await migrateToLatest(db);
  const bus = new PostgresBus({ url: database.url, pool: db.pool!, log: createLogger('silent'), now: () => new Date() });
  await bus.start();
  opened.push({ bus, db });
  return bus;
}

function collect(bus: PostgresBus, channel: string): LiveEvent[] {
  const seen: LiveEvent[] = [];
  bus.subscribe(channel, (event) => seen.push(event));
  return seen;
}

beforeAll(async () => {
  database = await freshPostgresDatabase();
});

afterAll(async () => {
  for (const { bus, db } of opened) {
    await bus.close();
    await db.close();
  }
  await database.drop();
});

describe('PostgresBus', () => {
  it('delivers an event published on one instance to subscribers on another, and once locally', async () => {
    const a = await instance();
    const b = await instance();
    const onA = collect(a, 'session:visitor_1');
    const onB = collect(b, 'session:visitor_1');
    const elsewhere = collect(a, 'session:visitor_2');

    await b.publish({ channel: 'session:visitor_1', type: 'message', data: { text: 'Hello from B', author: 'agent' } });

    await waitFor(() => onA.length === 1);
    expect(onA[0]).toEqual({ channel: 'session:visitor_1', type: 'message', data: { text: 'Hello from B', author: 'agent' } });
    // B's own subscriber got it at publish time, and not a second time from the echo.
    await b.publish({ channel: 'session:visitor_1', type: 'typing', data: {} });
    await waitFor(() => onA.length === 2);
    expect(onB.map((e) => e.type)).toEqual(['message', 'typing']);
    expect(elsewhere).toEqual([]);
  });

  it('carries an event larger than a NOTIFY payload, keeping the order of events', async () => {
    const a = await instance();
    const b = await instance();
    const onA = collect(a, 'org:big');
    const long = 'é'.repeat(12_000); // 24 KB of UTF-8

    await b.publish({ channel: 'org:big', type: 'message', data: { n: 1 } });
    await b.publish({ channel: 'org:big', type: 'message', data: { n: 2, text: long } });
    await b.publish({ channel: 'org:big', type: 'message', data: { n: 3 } });

    await waitFor(() => onA.length === 3);
    expect(onA.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3]);
    expect((onA[1]!.data as { text: string }).text).toBe(long);
  });

  it('reconnects by itself after its connection is killed, and events flow again', async () => {
    const a = await instance();
    const b = await instance();
    const onA = collect(a, 'sim');
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query = 'LISTEN switchboard_live' and pid <> pg_backend_pid()`,
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    await waitFor(() => a.connected && b.connected && a.connections === 2 && b.connections === 2);

    await b.publish({ channel: 'sim', type: 'message', data: { after: 'reconnect' } });
    await waitFor(() => onA.length === 1);
    expect(onA[0]!.data).toEqual({ after: 'reconnect' });
  });

  it('ignores notifications on its channel that are not its own format', async () => {
    const a = await instance();
    const onA = collect(a, 'sim');
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query(`select pg_notify('switchboard_live', 'not json')`);
    await other.query(`select pg_notify('switchboard_live', '{"o":"x","e":{"channel":"sim","type":"message","data":1}}')`);
    await other.end();
    await waitFor(() => onA.length === 1);
    expect(onA[0]).toEqual({ channel: 'sim', type: 'message', data: 1 });
  });
});
