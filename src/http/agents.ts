// An organization's agents: who answers handed-over chats from their own WhatsApp, and whether they
// accepted. The status changes only from the agent's phone (ACCEPT <code> / STOP AGENT), never here;
// removing one hands their open chats on (services/handover/removal.ts).
import { z } from 'zod';
import { addAgent, agentInvitation, agentJson, getAgent, listAgents } from '../services/agents/agents.js';
import { changeAgent, previewRemoval, removeAgent } from '../services/handover/removal.js';
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
      schema: {
        tags,
        summary: "Rename an agent, or change the number (invited again; an active agent's open chats are handed on as on removal)",
        params: agentParams,
        body: agentBody.partial(),
      },
    },
    async (request) => {
      const { orgId, agentId } = request.params;
      const { agent, effect } = await changeAgent(ctx, orgId, agentId, request.body);
      return { ok: true, agent: agentJson(agent), ...effect };
    },
  );

  app.get(
    '/api/organizations/:orgId/agents/:agentId/removal',
    {
      ...guard,
      schema: { tags, summary: "What removing this agent would do to their open chats (nothing changes): the dashboard's confirmation", params: agentParams },
    },
    async (request) => {
      const { orgId, agentId } = request.params;
      const agent = await getAgent(ctx, orgId, agentId);
      return { ok: true, agent: agentJson(agent), ...(await previewRemoval(ctx, orgId, agent)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/agents/:agentId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Remove an agent (from every widget too); their open chats go to the other active agents, or wait in the inbox',
        params: agentParams,
      },
    },
    async (request) => {
      return { ok: true, ...(await removeAgent(ctx, request.params.orgId, request.params.agentId)) };
    },
  );
};
