// Refused origins on PostgreSQL: the counting upsert and the pruning to the latest 20 hold there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Widget } from '../../src/db/schema.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { KEPT, listRefusedOrigins, recordRefusedOrigin } from '../../src/services/widgets/refused-origins.js';
import { createWidget, loadWidget, widgetInput } from '../../src/services/widgets/settings.js';
import { freshPostgresDatabase, makeTestContext } from '../support/context.js';

let database: { url: string; drop: () => Promise<void> };
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  database = await freshPostgresDatabase();
});
afterAll(async () => {
  await close?.();
  await database?.drop();
});

describe('refused origins on PostgreSQL', () => {
  it('counts a website again a minute later and keeps the latest 20', async () => {
    const ctx = await makeTestContext({ databaseUrl: database.url, env: { WORKER: '0' } });
    close = () => ctx.database.close();
    const org = await createOrganization(ctx, { name: 'Shop' });
    const created = await createWidget(ctx, org.id, widgetInput.parse({ name: 'Site', allowedOrigins: ['https://shop.example'] }));
    const widget: Widget = await loadWidget(ctx, created.id);
    await recordRefusedOrigin(ctx, widget, 'https://blog.example');
    await recordRefusedOrigin(ctx, widget, 'https://blog.example');
    ctx.clock.advance(60_000);
    await recordRefusedOrigin(ctx, widget, 'https://blog.example');
    expect(await listRefusedOrigins(ctx, widget)).toEqual([
      { origin: 'https://blog.example', count: 3, firstSeenAt: expect.any(String), lastSeenAt: ctx.clock.now().toISOString() },
    ]);
    for (let i = 0; i < KEPT; i++) {
      ctx.clock.advance(1_000);
      await recordRefusedOrigin(ctx, widget, `https://site${i}.example`);
    }
    const origins = (await listRefusedOrigins(ctx, widget)).map((o) => o.origin);
    expect(origins).toHaveLength(KEPT);
    expect(origins).not.toContain('https://blog.example');
  });
});
