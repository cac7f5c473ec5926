// The agents API: invite, rename, renumber (invited again: another phone has not consented), remove
// (from every widget too); the status is never set here, and another organization sees nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activateAgents } from '../support/factories.js';
import { type AdminApi, startAdminApi } from './admin-client.js';

let api: AdminApi;
beforeEach(async () => {
  api = await startAdminApi({ env: { WORKER: '0' } });
});
afterEach(async () => {
  await api.server.stop();
});

describe('agents API', () => {
  it('invites, renames, renumbers and removes agents; widgets follow', async () => {
    const org = await api.organizationWithKey('Shop');
    const as = { key: org.key };
    const added = await api.call('POST', `/api/organizations/${org.id}/agents`, { ...as, body: { name: 'Maya', number: '+1 555 010 0101' } });
    expect(added).toMatchObject({ status: 201, body: { agent: { name: 'Maya', number: '+15550100101', status: 'invited', acceptedAt: null } } });
    const again = await api.call('POST', `/api/organizations/${org.id}/agents`, { ...as, body: { name: 'Maya 2', number: '+15550100101' } });
    expect(again).toMatchObject({ status: 409, body: { code: 'AGENT_EXISTS', error: "+15550100101 is already one of this organization's agents." } });
    const bad = await api.call('POST', `/api/organizations/${org.id}/agents`, { ...as, body: { name: 'X', number: '12' } });
    expect(bad.status).toBe(400);
    // A status in the body is not the organization's to set.
    const sneaky = await api.call('POST', `/api/organizations/${org.id}/agents`, { ...as, body: { name: 'Tom', number: '+15550100102', status: 'active' } });
    expect(sneaky.body.agent.status).toBe('invited');

    const widget = await api.call('POST', `/api/organizations/${org.id}/widgets`, {
      ...as,
      body: { name: 'Site', allowedOrigins: ['*'], agentWhatsappNumbers: ['+15550100101', '+15550100102', '+15550100103'] },
    });
    expect(widget.body.widget.agents).toEqual([
      { number: '+15550100101', name: 'Maya', status: 'invited' },
      { number: '+15550100102', name: 'Tom', status: 'invited' },
      { number: '+15550100103', name: '+15550100103', status: 'invited' },
    ]);
    const listed = await api.call('GET', `/api/organizations/${org.id}/agents`, as);
    expect(listed.body.agents.map((a: { number: string }) => a.number)).toEqual(['+15550100101', '+15550100102', '+15550100103']);
    expect(listed.body.agentInvitation).toEqual({ code: expect.any(String), sendTo: null, text: `ACCEPT ${listed.body.agentInvitation.code}` });

    await activateAgents(api.ctx, org.id, ['+15550100101']);
    const mayaId = added.body.agent.id;
    const renamed = await api.call('PATCH', `/api/organizations/${org.id}/agents/${mayaId}`, { ...as, body: { name: 'Maya R.' } });
    expect(renamed.body.agent).toMatchObject({ name: 'Maya R.', status: 'active' });
    const renumbered = await api.call('PATCH', `/api/organizations/${org.id}/agents/${mayaId}`, { ...as, body: { number: '+15550100109' } });
    expect(renumbered.body.agent).toMatchObject({ number: '+15550100109', status: 'invited' });
    const tomId = sneaky.body.agent.id;
    expect((await api.call('DELETE', `/api/organizations/${org.id}/agents/${tomId}`, as)).status).toBe(200);
    const after = await api.call('GET', `/api/widgets/${widget.body.widget.id}`, as);
    expect(after.body.widget.agentWhatsappNumbers).toEqual(['+15550100109', '+15550100103']);

    const stranger = await api.organizationWithKey('Stranger');
    expect((await api.call('GET', `/api/organizations/${org.id}/agents`, { key: stranger.key })).status).toBe(404);
    expect((await api.call('PATCH', `/api/organizations/${stranger.id}/agents/${mayaId}`, { key: stranger.key, body: { name: 'x' } })).status).toBe(404);
    expect((await api.call('DELETE', `/api/organizations/${org.id}/agents/${mayaId}`, { key: stranger.key })).status).toBe(404);
  });
});
