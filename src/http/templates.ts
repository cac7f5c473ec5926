// The managed handover templates and their review (SPEC §8 "Reaching an agent"): the platform sees
// every account's; an organization its own connections' and the platform's, which its widgets use.
import { getOrganization } from '../services/tenancy/organizations.js';
import { listHandoverTemplates } from '../services/numbers/templates.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams, platformOnly } from './auth.js';

const tags = ['templates'];

export const templateRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/api/admin/templates',
    { ...platformOnly(ctx), schema: { tags, summary: "Every account's handover template and its review (platform key)" } },
    async () => ({ ok: true, templates: await listHandoverTemplates(ctx) }),
  );

  app.get(
    '/api/organizations/:orgId/templates',
    { ...organizationAccess(ctx), schema: { tags, summary: 'The handover templates this organization hands over with, and their review', params: orgParams } },
    async (request) => {
      await getOrganization(ctx, request.params.orgId);
      return { ok: true, templates: await listHandoverTemplates(ctx, request.params.orgId) };
    },
  );
};
