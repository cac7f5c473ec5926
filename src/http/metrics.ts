// GET /metrics for Prometheus, and the hook that times every request.
import { metricsOf, observeRequest } from '../services/metrics.js';
import type { RouteModule } from './route.js';

export const metricsRoutes: RouteModule = (app, ctx) => {
  app.addHook('onResponse', (request, reply, done) => {
    observeRequest(ctx, {
      method: request.method,
      // the route pattern, not the URL: ids and tokens would make unbounded label values
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { registry } = metricsOf(ctx);
    try {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    } catch {
      return reply.status(503).send({ ok: false, error: 'Metrics could not be collected; the database is not reachable.', code: 'NOT_READY' });
    }
  });
};
