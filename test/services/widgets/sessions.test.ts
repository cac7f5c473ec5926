import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/core/keys.js';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { authenticateSession, createSession, saveVisitorEmail, sessionView, visitorConversation } from '../../../src/services/widgets/sessions.js';
import { createWidget, widgetInput } from '../../../src/services/widgets/settings.js';
import { makeTestContext } from '../../support/context.js';

let ctx: AppContext & { clock: import('../../../src/core/clock.js').ManualClock };
let publicKey: string;
let otherKey: string;

beforeEach(async () => {
  ctx = await makeTestContext();
  const org = await createOrganization(ctx, { name: 'Shop' });
  const hours = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
  publicKey = (await createWidget(ctx, org.id, widgetInput.parse({ name: 'Site', allowedOrigins: ['*'], greeting: 'Hello!', workingHours: hours }))).publicKey;
  otherKey = (await createWidget(ctx, org.id, widgetInput.parse({ name: 'Other', allowedOrigins: ['*'] }))).publicKey;
});
afterEach(async () => {
  await ctx.database.close();
});

describe('visitor sessions', () => {
  it('creates a visitor contact named by the session id and keeps only a hash of the token', async () => {
    const created = await createSession(ctx, publicKey, { visitorName: ' Viral tarpara ' });
    expect(created.sessionId).toMatch(/^visitor_[0-9a-f]{16}$/);
    expect(created.widget).toMatchObject({ title: 'Site', greeting: 'Hello!', online: true });
    const row = await ctx.db.selectFrom('widget_sessions').selectAll().where('id', '=', created.sessionId).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecret(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const contact = await ctx.db.selectFrom('contacts').selectAll().where('id', '=', row.contact_id).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ kind: 'visitor', external_id: created.sessionId, name: 'Viral tarpara', phone: null });
  });

  it('an unknown public key is a 404', async () => {
    await expect(createSession(ctx, 'wpk_nope', {})).rejects.toMatchObject({ status: 404 });
  });

  it('needs the token: none is 401; a wrong one, or another widget, is 404', async () => {
    const a = await createSession(ctx, publicKey, {});
    const b = await createSession(ctx, publicKey, {});
    await expect(authenticateSession(ctx, a.sessionId, undefined)).rejects.toMatchObject({ status: 401 });
    await expect(authenticateSession(ctx, a.sessionId, b.token)).rejects.toMatchObject({ status: 404 });
    await expect(authenticateSession(ctx, a.sessionId, a.token, otherKey)).rejects.toMatchObject({ status: 404 });
    await expect(authenticateSession(ctx, 'visitor_zz', a.token)).rejects.toMatchObject({ status: 404 });
    const found = await authenticateSession(ctx, a.sessionId, a.token, publicKey);
    expect(found.session.id).toBe(a.sessionId);
  });

  it('opens one widget conversation with a reference and reuses it while it is open', async () => {
    const s = await createSession(ctx, publicKey, {});
    const found = await authenticateSession(ctx, s.sessionId, s.token);
    const first = await visitorConversation(ctx, found);
    expect(first).toMatchObject({ channel: 'widget', status: 'bot', widget_id: found.widget.id, ref: 1 });
    expect((await visitorConversation(ctx, found)).id).toBe(first.id);
    await ctx.db.updateTable('conversations').set({ status: 'closed' }).where('id', '=', first.id).execute();
    const next = await visitorConversation(ctx, found);
    expect(next.ref).toBe(2);
    expect((await sessionView(ctx, found)).conversation).toEqual({ ref: 2, status: 'bot' });
  });

  it('outside working hours tells when agents are back, and keeps a left email on the contact', async () => {
    ctx.clock.set('2026-01-17T10:00:00Z'); // a Saturday
    const s = await createSession(ctx, publicKey, {});
    expect(s.widget.online).toBe(false);
    expect(s.widget.offlineMessage).toContain('back Monday at 09:00 (UTC)');
    const found = await authenticateSession(ctx, s.sessionId, s.token);
    await saveVisitorEmail(ctx, found.session, 'ana@example.com');
    expect((await sessionView(ctx, found)).email).toBe('ana@example.com');
  });
});
