// Organizations (SPEC §6): the platform key creates and lists them all; an organization key sees
// only its own organization, and every other one answers 404.
import { z } from 'zod';
import { PLAN_NAMES } from '../core/plans.js';
import {
  createOrganization,
  deleteOrganization,
  describeOrganization,
  listOrganizations,
  organizationsJson,
  updateOrganization,
} from '../services/tenancy/organizations.js';
import type { RouteModule } from './route.js';
import { assertPlatform, keyRequired, orgParams, organizationAccess, platformOnly, principalOf } from './auth.js';

const text = (max: number) => z.string().trim().max(max);
const organizationBody = z.object({
  name: text(200).min(1, 'name must not be empty'),
  description: text(2000).nullish(),
  businessInfo: text(20000).nullish(),
  instructions: text(20000).nullish(),
  plan: z.enum(PLAN_NAMES).optional(),
});

const tags = ['organizations'];

export const organizationRoutes: RouteModule = (app, ctx) => {
  const anyKey = keyRequired(ctx);
  const ownOrganization = organizationAccess(ctx);
  app.post(
    '/api/organizations',
    { ...platformOnly(ctx), schema: { tags, summary: 'Create an organization (platform key)', body: organizationBody } },
    async (request, reply) => {
      const org = await createOrganization(ctx, request.body);
      return reply.status(201).send({ ok: true, organization: await describeOrganization(ctx, org.id) });
    },
  );

  app.get('/api/organizations', { ...anyKey, schema: { tags, summary: 'List organizations (an organization key sees its own)' } }, async (request) => {
    const principal = await principalOf(ctx, request);
    const orgs = await listOrganizations(ctx, principal.kind === 'organization' ? principal.organizationId : undefined);
    return { ok: true, organizations: await organizationsJson(ctx, orgs) };
  });

  app.get('/api/organizations/:orgId', { ...ownOrganization, schema: { tags, params: orgParams } }, async (request) => {
    return { ok: true, organization: await describeOrganization(ctx, request.params.orgId) };
  });

  app.patch(
    '/api/organizations/:orgId',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary: 'Change name, description, business info, instructions or plan (plan: platform key)',
        params: orgParams,
        body: organizationBody.partial().refine((b) => Object.keys(b).length > 0, 'send at least one field to change'),
      },
    },
    async (request) => {
      // An organization may not move itself to a bigger plan: plans are what the platform sells.
      if (request.body.plan !== undefined) assertPlatform(await principalOf(ctx, request));
      await updateOrganization(ctx, request.params.orgId, request.body);
      return { ok: true, organization: await describeOrganization(ctx, request.params.orgId) };
    },
  );

  app.delete(
    '/api/organizations/:orgId',
    { ...organizationAccess(ctx, { platformOnly: true }), schema: { tags, summary: 'Delete an organization and its data (platform key)', params: orgParams } },
    async (request) => {
      await deleteOrganization(ctx, request.params.orgId);
      return { ok: true, message: 'Organization deleted.' };
    },
  );
};
