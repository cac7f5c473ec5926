// The webhook path's cached lookups: a number, a connection's credentials and an organization's
// plan are read once, and every change — through the services, or committed by another process on
// the same SQLite file — is seen by the next webhook.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/services/context.js';
import { credentialsForNumber, saveConnection } from '../../src/services/numbers/connections.js';
import { cachedLookup, invalidateLookups } from '../../src/services/lookup-cache.js';
import { findNumberByRoutingKey } from '../../src/services/numbers/lookup.js';
import { recordSenderStatus } from '../../src/services/numbers/status.js';
import { organizationPlan } from '../../src/services/tenancy/plans.js';
import { updateOrganization } from '../../src/services/tenancy/organizations.js';
import { makeTestContext } from '../support/context.js';
import { makeNumber, makeOrganization } from '../support/factories.js';

const contexts: AppContext[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) await ctx.database.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function context(databaseUrl?: string) {
  const ctx = await makeTestContext(databaseUrl ? { databaseUrl } : {});
  contexts.push(ctx);
  return ctx;
}

describe('cached lookups', () => {
  it('load once per key until invalidated, and an invalidation during a load keeps its old answer out', async () => {
    const ctx = await context();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cachedLookup(ctx, 'number', 'k', load)).toBe(1);
    expect(await cachedLookup(ctx, 'number', 'k', load)).toBe(1);
    expect(await cachedLookup(ctx, 'connection', 'k', load)).toBe(2);
    invalidateLookups(ctx);
    expect(await cachedLookup(ctx, 'number', 'k', load)).toBe(3);

    let release!: () => void;
    const slow = cachedLookup(ctx, 'plan', 'org', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'old';
    });
    invalidateLookups(ctx);
    release();
    expect(await slow).toBe('old');
    expect(await cachedLookup(ctx, 'plan', 'org', async () => 'new')).toBe('new');
  });

  it('find a number changed through the services, and a number added directly, at once', async () => {
    const ctx = await context();
    const org = await makeOrganization(ctx);
    const key = { phone: '+14155550777' };
    expect(await findNumberByRoutingKey(ctx, 'simulator', key)).toBeUndefined();
    const number = await makeNumber(ctx, { organization_id: org.id, phone_number: '+14155550777' });
    expect(await findNumberByRoutingKey(ctx, 'simulator', key)).toMatchObject({ id: number.id, sender_status: 'online' });
    await recordSenderStatus(ctx, org.id, number.id, 'offline');
    expect(await findNumberByRoutingKey(ctx, 'simulator', key)).toMatchObject({ id: number.id, sender_status: 'offline' });
  });

  it('see a number moved by another process on the same SQLite file (the CLI) on the next webhook', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-lookups-'));
    dirs.push(dir);
    const ctx = await context(`sqlite:${join(dir, 'db.sqlite')}`);
    const [first, second] = [await makeOrganization(ctx), await makeOrganization(ctx)];
    const number = await makeNumber(ctx, { organization_id: first.id, phone_number: '+14155550778' });
    const key = { phone: '+14155550778' };
    expect(await findNumberByRoutingKey(ctx, 'simulator', key)).toMatchObject({ organization_id: first.id });
    const other = new SqliteDriver(join(dir, 'db.sqlite'));
    other.prepare('update numbers set organization_id = ? where id = ?').run(second.id, number.id);
    other.close();
    await new Promise((resolve) => setImmediate(resolve)); // the next webhook comes in a later turn of the event loop
    expect(await findNumberByRoutingKey(ctx, 'simulator', key)).toMatchObject({ organization_id: second.id });
  });

  it("decrypt a connection's credentials once, and an organization's plan follows its change", async () => {
    const ctx = await context();
    const org = await makeOrganization(ctx, { plan: 'starter' });
    const connectionId = await saveConnection(ctx, { organizationId: org.id, provider: 'whapi', credentials: { token: 'own-token-1' } });
    const number = await makeNumber(ctx, { organization_id: org.id, provider: 'whapi', connection_id: connectionId });
    expect(await credentialsForNumber(ctx, number)).toMatchObject({ token: 'own-token-1' });
    // The stored ciphertext is no longer read: a cached answer does not depend on it.
    await ctx.db.updateTable('connections').set({ credentials_encrypted: 'not decryptable' }).where('id', '=', connectionId).execute();
    expect(await credentialsForNumber(ctx, number)).toMatchObject({ token: 'own-token-1' });

    expect(await organizationPlan(ctx, org.id)).toBe('starter');
    await updateOrganization(ctx, org.id, { plan: 'business' });
    expect(await organizationPlan(ctx, org.id)).toBe('business');
  });
});
