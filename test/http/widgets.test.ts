import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { createApiKey } from '../../src/services/tenancy/api-keys.js';
import { createOrganization } from '../../src/services/tenancy/organizations.js';
import { makeTestContext } from '../support/context.js';
import { makeNumber } from '../support/factories.js';

const ADMIN = { authorization: 'Bearer admin-key-for-tests' };
let server: RunningServer;
let orgId: string;

beforeEach(async () => {
  const ctx = await makeTestContext({ env: { ADMIN_API_KEY: 'admin-key-for-tests' } });
  server = await startServer(ctx, { listen: false });
  orgId = (await createOrganization(ctx, { name: 'Shop' })).id;
  // Senders are checked when saved: the numbers these tests name are the organization's.
  for (const phone of ['+15550100000', '+15550100001', '+15550100002']) await makeNumber(ctx, { organization_id: orgId, phone_number: phone });
});
afterEach(async () => {
  await server.stop();
});

const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = ADMIN) =>
  server.app.inject({ method, url, payload, headers });

async function createWidget(body: object = {}) {
  const response = await inject('POST', `/api/organizations/${orgId}/widgets`, { name: 'Site', allowedOrigins: ['https://shop.example'], ...body });
  expect(response.statusCode).toBe(201);
  return response.json().widget as { id: string; publicKey: string };
}

describe('widgets API', () => {
  it('creates, lists, reads, changes and deletes a widget', async () => {
    const widget = await createWidget({
      greeting: 'Hi!',
      agentWhatsappNumbers: ['+15550109001'],
      handoverWhatsappNumber: '+15550100000',
      handoverTemplate: { name: 'agent_handover' },
      workingHours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
    });
    expect(widget).toMatchObject({
      publicKey: expect.stringMatching(/^wpk_/),
      inactivityTimeoutMinutes: 30,
      handoverTemplate: { name: 'agent_handover', language: 'en', variables: [] },
    });

    const list = await inject('GET', `/api/organizations/${orgId}/widgets`);
    expect(list.json().widgets.map((w: { id: string }) => w.id)).toEqual([widget.id]);

    const patched = await inject('PATCH', `/api/widgets/${widget.id}`, { greeting: 'Hello again', enableMultipleWhatsappChats: false });
    expect(patched.json().widget).toMatchObject({ greeting: 'Hello again', enableMultipleWhatsappChats: false, agentWhatsappNumbers: ['+15550109001'] });
    expect((await inject('GET', `/api/widgets/${widget.id}`)).json().widget.greeting).toBe('Hello again');

    expect((await inject('DELETE', `/api/widgets/${widget.id}`)).json()).toMatchObject({
      ok: true,
      openChats: [],
      summary: expect.stringMatching(/disappears from/),
    });
    const gone = await inject('GET', `/api/widgets/${widget.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ ok: false, error: 'Widget not found.', code: 'NOT_FOUND' });
  });

  it('answers bad input with a 400 sentence naming the field', async () => {
    const response = await inject('POST', `/api/organizations/${orgId}/widgets`, { name: 'Site', allowedOrigins: ['shop'], agentWhatsappNumbers: ['+1'] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      ok: false,
      code: 'VALIDATION_ERROR',
      error: expect.stringContaining('allowedOrigins/0 "shop" is not an origin like https://shop.example (or *)'),
    });
    const noOrigins = await inject('POST', `/api/organizations/${orgId}/widgets`, { name: 'Site', allowedOrigins: [] });
    expect(noOrigins.json().error).toContain('at least one origin');
  });

  it('keeps organizations apart: another organization key sees 404, no key is 401', async () => {
    const widget = await createWidget();
    const other = await createOrganization(server.ctx, { name: 'Other' });
    const otherKey = { authorization: `Bearer ${(await createApiKey(server.ctx, other.id)).key}` };
    const ownKey = { authorization: `Bearer ${(await createApiKey(server.ctx, orgId)).key}` };
    expect((await inject('GET', `/api/widgets/${widget.id}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await inject('PATCH', `/api/widgets/${widget.id}`, { name: 'x' }, otherKey)).statusCode).toBe(404);
    expect((await inject('GET', `/api/organizations/${orgId}/widgets`, undefined, otherKey)).statusCode).toBe(404);
    expect((await inject('POST', `/api/widgets/${widget.id}/pool`, { number: '+15550100001' }, otherKey)).statusCode).toBe(404);
    expect((await inject('GET', `/api/widgets/${widget.id}`, undefined, ownKey)).statusCode).toBe(200);
    const anonymous = await inject('GET', `/api/widgets/${widget.id}`, undefined, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().ok).toBe(false);
  });

  it('edits the pool number by number', async () => {
    const widget = await createWidget({ whatsappNumberPool: [{ number: '+15550100001', displayName: 'One' }] });
    const added = await inject('POST', `/api/widgets/${widget.id}/pool`, { number: '+1 555 010 0002', notes: 'spare' });
    expect(added.statusCode).toBe(201);
    expect(added.json().poolNumber).toEqual({ number: '+15550100002', displayName: 'Shop · 2', isActive: true, notes: 'spare' });
    const again = await inject('POST', `/api/widgets/${widget.id}/pool`, { number: '+15550100002' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe("+15550100002 is already in this widget's pool.");

    const paused = await inject('PATCH', `/api/widgets/${widget.id}/pool/${encodeURIComponent('+15550100001')}`, { isActive: false });
    expect(paused.json().poolNumber).toMatchObject({ number: '+15550100001', isActive: false, displayName: 'One' });
    expect((await inject('DELETE', `/api/widgets/${widget.id}/pool/15550100002`)).json()).toEqual({ ok: true });
    expect((await inject('DELETE', `/api/widgets/${widget.id}/pool/15550100002`)).statusCode).toBe(404);
    expect((await inject('PATCH', `/api/widgets/${widget.id}/pool/not-a-number`, { isActive: true })).statusCode).toBe(404);

    const pool = (await inject('GET', `/api/widgets/${widget.id}`)).json().widget.whatsappNumberPool;
    expect(pool).toEqual([{ number: '+15550100001', displayName: 'One', isActive: false, notes: null }]);
  });

  it('reports per-number statistics for the pool and the handover number', async () => {
    const widget = await createWidget({ handoverWhatsappNumber: '+15550100000', whatsappNumberPool: [{ number: '+15550100001' }] });
    const response = await inject('GET', `/api/widgets/${widget.id}/number-stats`);
    expect(response.statusCode).toBe(200);
    const numbers = response.json().numbers as { number: string; openConversations: number; assignmentsTotal: number }[];
    expect(numbers.map((n) => n.number).sort()).toEqual(['+15550100000', '+15550100001']);
    for (const n of numbers) expect(n).toMatchObject({ openConversations: 0, assignmentsTotal: 0 });
  });
});
