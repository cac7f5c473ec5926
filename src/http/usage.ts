// Usage and cost of an organization per month (SPEC §9), and a short series for the charts.
import { z } from 'zod';
import { isMonth, monthOf, monthsEndingWith } from '../core/plans.js';
import { usageHistory, usageReport } from '../services/tenancy/usage.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams } from './auth.js';

const tags = ['usage'];
const month = z.string().trim().refine(isMonth, 'month must be YYYY-MM, e.g. 2026-01');

export const usageRoutes: RouteModule = (app, ctx) => {
  const guard = organizationAccess(ctx);
  app.get(
    '/api/organizations/:orgId/usage',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Messages, cost by part, plan and margin for a month (default: this month)',
        params: orgParams,
        querystring: z.object({ month: month.optional() }),
      },
    },
    async (request) => {
      return { ok: true, usage: await usageReport(ctx, request.params.orgId, request.query.month ?? monthOf(ctx.clock.now())) };
    },
  );

  app.get(
    '/api/organizations/:orgId/usage/history',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Month by month, ending with `until` (default: this month)',
        params: orgParams,
        querystring: z.object({ until: month.optional(), months: z.coerce.number().int().min(1).max(24).default(6) }),
      },
    },
    async (request) => {
      const months = monthsEndingWith(request.query.until ?? monthOf(ctx.clock.now()), request.query.months);
      return { ok: true, months: await usageHistory(ctx, request.params.orgId, months) };
    },
  );
};
