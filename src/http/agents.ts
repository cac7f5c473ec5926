// An organization's agents: who answers handed-over chats from their own WhatsApp, and whether they
// accepted. The status changes only from the agent's phone (ACCEPT <code> / STOP AGENT), never here.
import { z } from 'zod';
import { addAgent, agentInvitation, agentJson, deleteAgent, listAgents, updateAgent } from '../services/agents/agents.js';
import { defaultSenderPhone } from '../services/numbers/usable.js';
import { getOrganization } from '../services/tenancy/organizations.js';
import { phoneNumber } from '../services/widgets/settings.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams } from './auth.js';

const tags = ['agents'];
const agentParams = orgParams.extend({ agentId: z.string().min(1).max(100) });
const agentBody = z.object({ name: z.string().trim().max(80).default(''), number: phoneNumber });

export const agentRoutes: RouteModule = (app, ctx) => {
  const guard = organizationAccess(ctx);
  app.get(
    '/api/organizations/:orgId/agents',
    { ...guard, schema: { tags, summary: 'The agents, their status, and the message that accepts', params: orgParams } },
    async (request) => {
      const { orgId } = request.params;
      await getOrganization(ctx, orgId);
      const agents = await listAgents(ctx, orgId);
      return { ok: true, agents: agents.map(agentJson), agentInvitation: await agentInvitation(ctx, orgId, await defaultSenderPhone(ctx, orgId)) };
    },
  );

  app.post(
    '/api/organizations/:orgId/agents',
    { ...guard, schema: { tags, summary: 'Invite an agent (invited until they send ACCEPT <code> from that phone)', params: orgParams, body: agentBody } },
    async (request, reply) => {
      await getOrganization(ctx, request.params.orgId);
      const agent = await addAgent(ctx, request.params.orgId, request.body);
      return reply.status(201).send({ ok: true, agent: agentJson(agent) });
    },
  );

  app.patch(
    '/api/organizations/:orgId/agents/:agentId',
    {
      ...guard,
      schema: { tags, summary: 'Rename an agent, or change the number (invited again)', params: agentParams, body: agentBody.partial() },
    },
    async (request) => {
      const { orgId, agentId } = request.params;
      return { ok: true, agent: agentJson(await updateAgent(ctx, orgId, agentId, request.body)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/agents/:agentId',
    { ...guard, schema: { tags, summary: 'Remove an agent (from every widget too)', params: agentParams } },
    async (request) => {
      await deleteAgent(ctx, request.params.orgId, request.params.agentId);
      return { ok: true };
    },
  );
};
