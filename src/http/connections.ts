// An organization's own provider accounts. Credentials come in, are checked at the provider and
// stored encrypted; they never go out: answers carry only the id, the provider and the date.
import { z } from 'zod';
import { listConnections } from '../services/numbers/connections.js';
import { createConnection, deleteConnection } from '../services/numbers/own-connections.js';
import { getOrganization } from '../services/tenancy/organizations.js';
import type { RouteModule } from './route.js';
import { credentialField } from './credential-fields.js';
import { organizationAccess, orgParams } from './auth.js';

const tags = ['connections'];
const secret = credentialField();

const connectionBody = z.discriminatedUnion('provider', [
  z.object({
    provider: z.literal('twilio'),
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'accountSid must be AC followed by 32 hex characters'),
    authToken: secret,
  }),
  z.object({
    provider: z.literal('meta'),
    accessToken: secret,
    businessAccountId: z
      .string()
      .trim()
      .regex(/^\d{5,25}$/, 'businessAccountId must be the WhatsApp Business Account id (digits)'),
    /** the organization's own Meta app: its webhooks are signed with this secret (else the platform's WHATSAPP_APP_SECRET) */
    appSecret: secret.optional(),
  }),
  z.object({ provider: z.literal('whapi'), token: secret }),
]);

export const connectionRoutes: RouteModule = (app, ctx) => {
  const guard = organizationAccess(ctx);
  app.post(
    '/api/organizations/:orgId/connections',
    { ...guard, schema: { tags, summary: 'Connect an own Twilio, Meta or Whapi account (checked at the provider)', params: orgParams, body: connectionBody } },
    async (request, reply) => {
      const connection = await createConnection(ctx, request.params.orgId, request.body);
      return reply.status(201).send({ ok: true, connection });
    },
  );

  app.get('/api/organizations/:orgId/connections', { ...guard, schema: { tags, summary: 'The own connections', params: orgParams } }, async (request) => {
    await getOrganization(ctx, request.params.orgId);
    return { ok: true, connections: await listConnections(ctx, request.params.orgId) };
  });

  app.delete(
    '/api/organizations/:orgId/connections/:connectionId',
    { ...guard, schema: { tags, summary: 'Remove a connection no number sends with', params: orgParams.extend({ connectionId: z.string().min(1).max(100) }) } },
    async (request) => {
      await deleteConnection(ctx, request.params.orgId, request.params.connectionId);
      return { ok: true };
    },
  );
};
