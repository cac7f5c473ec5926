// Dashboard sessions on PostgreSQL (migration 101): a cookie's token stands for its key while the
// key is valid — the platform key and an organization key alike — and revoking the key ends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/services/tenancy/api-keys.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { sessionPrincipal, startDashboardSession } from '../../src/services/tenancy/sessions.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';

let database: { url: string; drop: () => Promise<void> };
let ctx: Awaited<ReturnType<typeof makeTestContext>>;

beforeAll(async () => {
  database = await freshPostgresDatabase();
  ctx = await makeTestContext({ databaseUrl: database.url, env: { ADMIN_API_KEY: 'platform-key-for-pg-sessions' } });
});
afterAll(async () => {
  await ctx.database.close();
  await database.drop();
});

describe('dashboard sessions (PostgreSQL)', () => {
  it('stands for the key it was exchanged for, until that key is revoked or the session expires', async () => {
    const org = await createOrganization(ctx, { name: 'Lantern Lane' });
    const { key, apiKey } = await createApiKey(ctx, org.id);
    const session = await startDashboardSession(ctx, key, { kind: 'organization', organizationId: org.id, keyId: apiKey.id });
    expect(await sessionPrincipal(ctx, session.token)).toEqual({ kind: 'organization', organizationId: org.id, keyId: apiKey.id });
    const platform = await startDashboardSession(ctx, 'platform-key-for-pg-sessions', { kind: 'platform' });
    expect(await sessionPrincipal(ctx, platform.token)).toEqual({ kind: 'platform' });

    await revokeApiKey(ctx, org.id, apiKey.id);
    expect(await sessionPrincipal(ctx, session.token)).toBeUndefined();
    expect(await ctx.db.selectFrom('dashboard_sessions').select('principal').execute()).toEqual([{ principal: 'platform' }]);
    ctx.clock.set(platform.expiresAt);
    expect(await sessionPrincipal(ctx, platform.token)).toBeUndefined();
  });
});
