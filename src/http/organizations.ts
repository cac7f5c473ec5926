// Organizations (SPEC §6): the platform key creates and lists them all; an organization key sees
// only its own organization, and every other one answers 404.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PLAN_NAMES } from '../core/plans.js';
import type { AppContext } from '../services/context.js';
import {
  createOrganization,
  deleteOrganization,
  describeOrganization,
  listOrganizations,
  organizationsJson,
  updateOrganization,
} from '../services/tenancy/organizations.js';
import type { RouteModule } from './app.js';
import { assertOrganizationAccess, assertPlatform, authenticate, type Principal } from './auth.js';

const principals = new WeakMap<FastifyRequest, Promise<Principal>>();

/** The caller's key, checked once per request (the onRequest guard and the handler share it). */
export function principalOf(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  let principal = principals.get(request);
  if (!principal) {
    principal = authenticate(ctx, request);
    principals.set(request, principal);
  }
  return principal;
}

/** Route option: a missing or unknown key is answered 401 before the body is validated. */
export const keyRequired = (ctx: AppContext) => ({
  preValidation: async (request: FastifyRequest) => {
    await principalOf(ctx, request);
  },
});

/** The caller, checked against the organization in the path (404 for another organization's key). */
export async function authorizeOrganization(ctx: AppContext, request: FastifyRequest, organizationId: string): Promise<Principal> {
  const principal = await principalOf(ctx, request);
  assertOrganizationAccess(principal, organizationId);
  return principal;
}

export const orgParams = z.object({ orgId: z.string().min(1).max(100) });

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
  const guard = keyRequired(ctx);
  app.post('/api/organizations', { ...guard, schema: { tags, summary: 'Create an organization (platform key)', body: organizationBody } }, async (request, reply) => {
    assertPlatform(await principalOf(ctx, request));
    const org = await createOrganization(ctx, request.body);
    return reply.status(201).send({ ok: true, organization: await describeOrganization(ctx, org.id) });
  });

  app.get('/api/organizations', { ...guard, schema: { tags, summary: 'List organizations (an organization key sees its own)' } }, async (request) => {
    const principal = await principalOf(ctx, request);
    const orgs = await listOrganizations(ctx, principal.kind === 'organization' ? principal.organizationId : undefined);
    return { ok: true, organizations: await organizationsJson(ctx, orgs) };
  });

  app.get('/api/organizations/:orgId', { ...guard, schema: { tags, params: orgParams } }, async (request) => {
    await authorizeOrganization(ctx, request, request.params.orgId);
    return { ok: true, organization: await describeOrganization(ctx, request.params.orgId) };
  });

  app.patch(
    '/api/organizations/:orgId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Change name, description, business info, instructions or plan (plan: platform key)',
        params: orgParams,
        body: organizationBody.partial().refine((b) => Object.keys(b).length > 0, 'send at least one field to change'),
      },
    },
    async (request) => {
      const principal = await authorizeOrganization(ctx, request, request.params.orgId);
      // An organization may not move itself to a bigger plan: plans are what the platform sells.
      if (request.body.plan !== undefined) assertPlatform(principal);
      await updateOrganization(ctx, request.params.orgId, request.body);
      return { ok: true, organization: await describeOrganization(ctx, request.params.orgId) };
    },
  );

  app.delete('/api/organizations/:orgId', { ...guard, schema: { tags, summary: 'Delete an organization and its data (platform key)', params: orgParams } }, async (request) => {
    const principal = await authorizeOrganization(ctx, request, request.params.orgId);
    assertPlatform(principal);
    await deleteOrganization(ctx, request.params.orgId);
    return { ok: true, message: 'Organization deleted.' };
  });
};
