// GET /metrics for Prometheus, and the hook that times every request.
import { metricsOf, observeRequest } from '../services/metrics.js';
import type { RouteModule } from './route.js';
import { unauthorized } from '../core/errors.js';
import { safeEqual } from '../core/keys.js';

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

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    // Queue depth and traffic tell an outsider how busy each part is: with METRICS_TOKEN set, only
    // the scraper that holds it reads them.
    const expected = ctx.config.metricsToken;
    if (expected) {
      const offered = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!offered || !safeEqual(offered, expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw unauthorized('Metrics need the metrics token (Authorization: Bearer <METRICS_TOKEN>).');
      }
    }
    const { registry } = metricsOf(ctx);
    try {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    } catch {
      return reply.status(503).send({ ok: false, error: 'Metrics could not be collected; the database is not reachable.', code: 'NOT_READY' });
    }
  });
};
