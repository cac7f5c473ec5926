// Two instances on one PostgreSQL database share the visitor API's per-address limit: a flood
// spread over the load balancer's instances is counted once (SPEC §11).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { takeRateLimit } from '../../src/services/rate-limits.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { createWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';

const SHOP = 'https://shop.example';
let database: { url: string; drop: () => Promise<void> };
const servers: Array<RunningServer & { clock: ManualClock }> = [];

beforeAll(async () => {
  database = await freshPostgresDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  await database?.drop();
});

async function instance(): Promise<RunningServer & { clock: ManualClock }> {
  const ctx = await makeTestContext({ databaseUrl: database.url, env: { WORKER: '0', WIDGET_REQUESTS_PER_MINUTE: '4' } });
  ctx.clock.set('2026-03-02T09:00:10Z');
  const server = Object.assign(await startServer(ctx, { listen: false }), { clock: ctx.clock });
  servers.push(server);
  return server;
}

describe('visitor rate limits on PostgreSQL', () => {
  it('holds across two instances and sweeps past minutes', async () => {
    const a = await instance();
    const b = await instance();
    const org = await createOrganization(a.ctx, { name: 'Shop' });
    const widget = await createWidget(a.ctx, org.id, widgetInput.parse({ name: 'Site', allowedOrigins: [SHOP] }));
    const create = (server: RunningServer) =>
      server.app.inject({
        method: 'POST',
        url: `/api/widget/${widget.publicKey}/sessions`,
        remoteAddress: '203.0.113.20',
        headers: { origin: SHOP },
        payload: {},
      });

    const statuses: number[] = [];
    for (const server of [a, b, a, b, a, b]) statuses.push((await create(server)).statusCode);
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    const limited = await create(b);
    expect(limited.headers['access-control-allow-origin']).toBe(SHOP);
    expect(limited.json().code).toBe('RATE_LIMITED');

    // The next minute starts afresh on both; the minute before the last is swept.
    for (const server of [a, b]) server.clock.advance(60_000);
    expect((await create(b)).statusCode).toBe(201);
    for (const server of [a, b]) server.clock.advance(60_000);
    expect(await takeRateLimit(a.ctx, 'address', 'someone', 4)).toBe(0);
    const minutes = await a.ctx.db.selectFrom('rate_limits').select('minute').distinct().execute();
    expect(minutes.map((m) => Number(m.minute)).sort()).toEqual([29540701, 29540702]);
  });

  it('counts failed dashboard sign-ins of an address across instances for 15 minutes', async () => {
    const a = await instance();
    const b = await instance();
    const signIn = (server: RunningServer, key: string) =>
      server.app.inject({ method: 'POST', url: '/api/session', payload: { key }, remoteAddress: '203.0.113.44' });
    for (let i = 0; i < 10; i += 1) expect((await signIn(i % 2 ? a : b, `sb_wrong_${i}`)).statusCode).toBe(401);
    const refused = await signIn(a, 'sb_wrong_last');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toBe('Too many failed sign-ins from this address; wait 15 minutes and try again.');
    expect((await signIn(b, 'sb_wrong_again')).statusCode).toBe(429);
    for (const server of [a, b]) server.clock.advance(15 * 60_000);
    expect((await signIn(b, 'sb_wrong_after')).statusCode).toBe(401);
  });
});
