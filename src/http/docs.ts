// /docs: the OpenAPI document of every route and its Swagger UI. The document is generated once,
// serialized once and kept (ctx.state.openApi): generating it walks every route's zod schemas,
// which takes a noticeable part of a second; a listening server prepares it just after it starts.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { AppContext } from '../services/context.js';
import type { App } from './route.js';

/** The document as JSON text, generated on the first call (after every route is registered). */
export function openApiJson(app: App, ctx: AppContext): string {
  const kept = (ctx.state.openApi ??= { generations: 0 });
  if (kept.json === undefined) {
    kept.json = JSON.stringify(app.swagger());
    kept.generations += 1;
  }
  return kept.json;
}

export async function registerDocs(app: App, ctx: AppContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Switchboard API', version: '1.0.0', description: 'Multi-tenant WhatsApp business messaging.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The kept text is sent as it is: no copy of the document, no serializing per request.
    transformSpecificationClone: false,
    transformSpecification: (_spec, _request, reply) => {
      reply.type('application/json; charset=utf-8');
      return openApiJson(app, ctx) as unknown as Record<string, unknown>;
    },
  });
}
