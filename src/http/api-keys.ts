// Organization API keys: the key is in the creation answer only; lists never carry key material.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { createApiKey, listApiKeys, previewRevocation, revokeApiKey } from '../services/tenancy/api-keys.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams, principalOf } from './auth.js';

const tags = ['api keys'];

export const apiKeyRoutes: RouteModule = (app, ctx) => {
  const guard = organizationAccess(ctx);
  app.post(
    '/api/organizations/:orgId/api-keys',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Issue a key (shown once); `name` is the person it stands for, who signs inbox replies made with it',
        params: orgParams,
        body: z
          .object({ name: z.string().trim().max(80).optional() })
          .strict()
          .nullish(),
      },
    },
    async (request, reply) => {
      const { key, apiKey } = await createApiKey(ctx, request.params.orgId, request.body ?? {});
      return reply.status(201).send({ ok: true, key, apiKey });
    },
  );

  app.get('/api/organizations/:orgId/api-keys', { ...guard, schema: { tags, params: orgParams } }, async (request) => {
    return { ok: true, apiKeys: await listApiKeys(ctx, request.params.orgId) };
  });

  const keyParams = orgParams.extend({ keyId: z.string().min(1).max(100) });
  /** The key the caller is signed in with, if an organization key: revoking it signs them out. */
  const callerKeyId = async (request: FastifyRequest) => {
    const principal = await principalOf(ctx, request);
    return principal.kind === 'organization' ? principal.keyId : undefined;
  };

  app.get(
    '/api/organizations/:orgId/api-keys/:keyId/revocation',
    { ...guard, schema: { tags, summary: "What revoking this key would do (nothing changes): the dashboard's confirmation", params: keyParams } },
    async (request) => {
      return { ok: true, ...(await previewRevocation(ctx, request.params.orgId, request.params.keyId, await callerKeyId(request))) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/api-keys/:keyId',
    { ...guard, schema: { tags, summary: 'Revoke a key (its dashboard sign-ins end); the answer says what it did', params: keyParams } },
    async (request) => {
      return { ok: true, ...(await revokeApiKey(ctx, request.params.orgId, request.params.keyId, await callerKeyId(request))) };
    },
  );
};
