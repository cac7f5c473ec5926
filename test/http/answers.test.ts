// /docs documents every operation's answer with the zod schemas of http/answers.ts, with examples
// and the error answer; and real answers of the main operations parse with those same schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERS, errorAnswer } from '../../src/http/answers.js';
import { makeContact, makeConversation, makeInboundMessage, makeNumber } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
beforeAll(async () => {
  api = await startAdminApi({ env: { SIMULATOR: '1', WORKER: '0', ANSWER_BY_MEANING: '0' } });
});
afterAll(async () => {
  await api?.server.stop();
});

/** The answer parses with the documented schema of its operation and status. */
function conforms(operation: string, res: { status: number; body: unknown }) {
  const schema = ANSWERS[operation]?.[res.status];
  expect(schema, `${operation} documents status ${res.status}`).toBeDefined();
  const parsed = schema!.safeParse(res.body);
  expect(parsed.success ? [] : parsed.error.issues, `${operation} answered ${JSON.stringify(res.body).slice(0, 300)}`).toEqual([]);
}

describe('/docs', () => {
  it('generates the document once and answers every later request from what it kept', async () => {
    const first = await api.server.app.inject({ method: 'GET', url: '/docs/json' });
    const kept = api.server.ctx.state.openApi;
    expect(kept?.generations).toBe(1);
    const second = await api.server.app.inject({ method: 'GET', url: '/docs/json' });
    expect(second.headers['content-type']).toContain('application/json');
    expect(second.body).toBe(first.body);
    expect(api.server.ctx.state.openApi).toBe(kept);
    expect(kept?.generations).toBe(1);
    expect(second.json().info.title).toBe('Switchboard API');
  });

  it('documents an answer and the error answer for every operation, none as "Default Response"', async () => {
    const res = await api.server.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as { paths: Record<string, Record<string, { responses?: Record<string, { description: string; content?: unknown }> }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, op })));
    expect(operations.length).toBeGreaterThan(50);
    for (const { name, op } of operations) {
      const responses = op.responses ?? {};
      const success = Object.keys(responses).filter((code) => code.startsWith('2'));
      expect(success, name).not.toEqual([]);
      expect(responses['4XX'] ?? responses['4xx'], name).toBeDefined();
      for (const r of Object.values(responses)) {
        expect(r.description, name).not.toBe('Default Response');
        expect(r.content, name).toBeDefined();
      }
    }
    const created = doc.paths['/api/organizations']!.post!.responses!['201'] as {
      content: { 'application/json': { schema: { example: { organization: { name: string } } } } };
    };
    expect(created.content['application/json'].schema.example.organization.name).toBe('Lantern Lane Bikes');
  });
});

describe('real answers match the documented schemas', () => {
  it('organizations, keys, widgets, knowledge, conversations, usage and the visitor API', async () => {
    const call = api.call;
    const org = await call('POST', '/api/organizations', { body: { name: 'Schema Shop' } });
    conforms('POST /api/organizations', org);
    const orgId = org.body.organization.id as string;
    conforms('GET /api/organizations', await call('GET', '/api/organizations'));
    conforms('GET /api/organizations/:orgId', await call('GET', `/api/organizations/${orgId}`));
    conforms('PATCH /api/organizations/:orgId', await call('PATCH', `/api/organizations/${orgId}`, { body: { description: 'Tea' } }));
    const key = await call('POST', `/api/organizations/${orgId}/api-keys`);
    conforms('POST /api/organizations/:orgId/api-keys', key);
    conforms('GET /api/organizations/:orgId/api-keys', await call('GET', `/api/organizations/${orgId}/api-keys`));
    conforms('GET /api/whoami', await call('GET', '/api/whoami', { key: key.body.key }));

    const widget = await call('POST', `/api/organizations/${orgId}/widgets`, {
      body: { name: 'Site', allowedOrigins: ['*'], greeting: 'Hi', workingHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } },
    });
    conforms('POST /api/organizations/:orgId/widgets', widget);
    conforms('GET /api/organizations/:orgId/widgets', await call('GET', `/api/organizations/${orgId}/widgets`));
    conforms('GET /api/widgets/:id', await call('GET', `/api/widgets/${widget.body.widget.id}`));
    conforms('PATCH /api/widgets/:id', await call('PATCH', `/api/widgets/${widget.body.widget.id}`, { body: { title: 'Schema Shop' } }));

    conforms(
      'POST /api/organizations/:orgId/knowledge',
      await call('POST', `/api/organizations/${orgId}/knowledge`, { body: { title: 'Hours', content: 'We open at 9am every day.' } }),
    );
    conforms('GET /api/organizations/:orgId/knowledge', await call('GET', `/api/organizations/${orgId}/knowledge`));
    await call('POST', `/api/organizations/${orgId}/train`);
    conforms('POST /api/organizations/:orgId/ask', await call('POST', `/api/organizations/${orgId}/ask`, { body: { question: 'When do you open?' } }));

    const invited = await call('POST', `/api/organizations/${orgId}/agents`, { body: { name: 'Maya', number: '+15550100101' } });
    conforms('POST /api/organizations/:orgId/agents', invited);
    conforms('GET /api/organizations/:orgId/agents', await call('GET', `/api/organizations/${orgId}/agents`));
    conforms(
      'PATCH /api/organizations/:orgId/agents/:agentId',
      await call('PATCH', `/api/organizations/${orgId}/agents/${invited.body.agent.id}`, { body: { name: 'Maya R' } }),
    );
    conforms('POST /api/organizations/:orgId/numbers', await call('POST', `/api/organizations/${orgId}/numbers`, { body: { provider: 'simulator' } }));
    conforms('GET /api/organizations/:orgId/connections', await call('GET', `/api/organizations/${orgId}/connections`));
    const number = await makeNumber(api.ctx, { organization_id: orgId });
    const contact = await makeContact(api.ctx, { organization_id: orgId, name: 'Ana', phone: '+5511987654321' });
    const conversation = await makeConversation(api.ctx, { organization_id: orgId, contact_id: contact.id, number_id: number.id });
    await makeInboundMessage(api.ctx, number, { from: contact.phone!, body: 'Hello', conversationId: conversation.id });
    conforms('GET /api/organizations/:orgId/conversations', await call('GET', `/api/organizations/${orgId}/conversations`));
    conforms('GET /api/conversations/:id/messages', await call('GET', `/api/conversations/${conversation.id}/messages`));
    conforms('POST /api/conversations/:id/read', await call('POST', `/api/conversations/${conversation.id}/read`, { body: {} }));
    conforms('POST /api/conversations/:id/close', await call('POST', `/api/conversations/${conversation.id}/close`, { body: {} }));
    conforms('GET /api/organizations/:orgId/usage', await call('GET', `/api/organizations/${orgId}/usage`));
    conforms('GET /api/organizations/:orgId/usage/history', await call('GET', `/api/organizations/${orgId}/usage/history`));

    const session = await call('POST', `/api/widget/${widget.body.widget.publicKey}/sessions`, { key: null, body: {} });
    conforms('POST /api/widget/:publicKey/sessions', session);
    const visitor = { key: null, headers: { authorization: `Bearer ${session.body.token}` } };
    conforms(
      'POST /api/widget/sessions/:sessionId/messages',
      await call('POST', `/api/widget/sessions/${session.body.sessionId}/messages`, { ...visitor, body: { text: 'Hi' } }),
    );
    conforms('GET /api/widget/sessions/:sessionId/messages', await call('GET', `/api/widget/sessions/${session.body.sessionId}/messages`, visitor));

    const refused = await call('GET', '/api/organizations/not-an-organization');
    expect(refused.status).toBe(404);
    expect(errorAnswer.safeParse(refused.body).success).toBe(true);
  });
});
