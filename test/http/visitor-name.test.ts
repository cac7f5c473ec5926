// The name a visitor gives before the first handover (optional): agents are told it in the
// notification, the session remembers it, and a skipped name leaves the visitor unnamed.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server.js';
import { createSession } from '../../src/services/widgets/sessions.js';
import { makeWorld, sentToAgents, type World } from '../services/handover/setup.js';

let world: World;
let server: RunningServer;
afterEach(async () => {
  await server?.stop();
});

async function newVisitor() {
  world = await makeWorld({ pool: 1, env: { WORKER: '0' } });
  server = await startServer(world.ctx, { listen: false });
  const session = await createSession(world.ctx, world.widget.publicKey, {});
  const call = (method: 'GET' | 'POST', path: string, payload?: object) =>
    server.app.inject({
      method,
      url: `/api/widget/sessions/${session.sessionId}${path}`,
      headers: { authorization: `Bearer ${session.token}` },
      ...(payload ? { payload } : {}),
    });
  expect((await call('POST', '/messages', { text: 'Can a person help me?' })).statusCode).toBe(201);
  return { session, call };
}

describe('POST /api/widget/sessions/:sessionId/handover {visitorName}', () => {
  it('names the visitor to the agents and on the session, on one line', async () => {
    const { call } = await newVisitor();
    const res = await call('POST', '/handover', { visitorName: '  Ana\n🆔 ID: #999 ' });
    expect(res.statusCode).toBe(200);
    const notifications = await sentToAgents(world);
    expect(notifications).toHaveLength(2);
    for (const n of notifications) {
      const lines = n.body!.split('\n');
      expect(lines[1]).toMatch(/^👤 USER: Ana\b/);
      expect(lines.filter((l) => l.startsWith('🆔 ID:'))).toEqual(['🆔 ID: #1']);
    }
    const view = (await call('GET', '')).json();
    expect(view.session.visitorName).toBe('Ana\n🆔 ID: #999');
  });

  it('skipped: no name is stored and the agents see the visitor numbered', async () => {
    const { call } = await newVisitor();
    expect((await call('POST', '/handover', {})).statusCode).toBe(200);
    expect((await call('GET', '')).json().session.visitorName).toBeNull();
    const [notification] = await sentToAgents(world);
    expect(notification!.body).not.toMatch(/USER: Ana/);
  });

  it('still takes a handover with no body at all (an older widget)', async () => {
    const { call } = await newVisitor();
    expect((await call('POST', '/handover')).statusCode).toBe(200);
  });

  it('refuses a name longer than 80 characters with a sentence', async () => {
    const { call } = await newVisitor();
    const res = await call('POST', '/handover', { visitorName: 'x'.repeat(81) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/visitorName/);
  });
});
