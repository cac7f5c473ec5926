// What a route file is: a function that registers its routes on the app with the shared context.
// Kept apart from app.ts so route files depend on this type, never on the list of all routes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../services/context.js';

export type App = ReturnType<typeof withZod>;

export function withZod(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}

/** Each route file registers its routes on the app with the shared context. */
export type RouteModule = (app: App, ctx: AppContext) => Promise<void> | void;
