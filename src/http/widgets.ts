// Widgets API (admin): settings, allowed origins, the number pool and its statistics.
// Another organization's widget answers 404, as if it did not exist.
import { z } from 'zod';
import { numberStats } from '../services/handover/stats.js';
import { previewWidgetRemoval, removeWidget } from '../services/handover/widget-removal.js';
import { listRefusedOrigins } from '../services/widgets/refused-origins.js';
import {
  addPoolNumber,
  createWidget,
  listWidgets,
  loadWidget,
  poolNumberInput,
  poolNumberPatch,
  removePoolNumber,
  updatePoolNumber,
  updateWidget,
  widgetInput,
  widgetPatch,
  widgetView,
} from '../services/widgets/settings.js';
import type { RouteModule } from './route.js';
import { organizationAccess, orgParams, ownedAccess } from './auth.js';

const tags = ['widgets'];
const widgetParams = z.object({ id: z.string().min(1).max(100) });
const poolParams = widgetParams.extend({ number: z.string().min(3).max(40) });

export const widgetRoutes: RouteModule = (app, ctx) => {
  const ownOrganization = organizationAccess(ctx);
  const widgetAccess = ownedAccess(ctx, 'Widget', loadWidget);
  app.post(
    '/api/organizations/:orgId/widgets',
    { ...ownOrganization, schema: { tags, summary: 'Create a widget', params: orgParams, body: widgetInput } },
    async (request, reply) => {
      const widget = await createWidget(ctx, request.params.orgId, request.body);
      return reply.status(201).send({ ok: true, widget });
    },
  );

  app.get(
    '/api/organizations/:orgId/widgets',
    { ...ownOrganization, schema: { tags, summary: 'List the widgets of an organization', params: orgParams } },
    async (request) => {
      return { ok: true, widgets: await listWidgets(ctx, request.params.orgId) };
    },
  );

  app.get('/api/widgets/:id', { ...widgetAccess.guard, schema: { tags, summary: 'Read a widget', params: widgetParams } }, async (request) => {
    const widget = widgetAccess.of(request);
    return { ok: true, widget: await widgetView(ctx, widget) };
  });

  app.patch(
    '/api/widgets/:id',
    { ...widgetAccess.guard, schema: { tags, summary: 'Change a widget (a given pool replaces the pool)', params: widgetParams, body: widgetPatch } },
    async (request) => {
      const widget = widgetAccess.of(request);
      return { ok: true, widget: await updateWidget(ctx, widget, request.body) };
    },
  );

  app.get(
    '/api/widgets/:id/removal',
    {
      ...widgetAccess.guard,
      schema: { tags, summary: "What deleting this widget would do (nothing changes): the dashboard's confirmation", params: widgetParams },
    },
    async (request) => {
      return { ok: true, ...(await previewWidgetRemoval(ctx, widgetAccess.of(request))) };
    },
  );

  app.delete(
    '/api/widgets/:id',
    {
      ...widgetAccess.guard,
      schema: { tags, summary: 'Delete a widget: its open chats are closed first; its conversations stay in the inbox', params: widgetParams },
    },
    async (request) => {
      return { ok: true, ...(await removeWidget(ctx, widgetAccess.of(request))) };
    },
  );

  app.post(
    '/api/widgets/:id/pool',
    { ...widgetAccess.guard, schema: { tags, summary: 'Add a number to the pool', params: widgetParams, body: poolNumberInput } },
    async (request, reply) => {
      const widget = widgetAccess.of(request);
      return reply.status(201).send({ ok: true, poolNumber: await addPoolNumber(ctx, widget, request.body) });
    },
  );

  app.patch(
    '/api/widgets/:id/pool/:number',
    { ...widgetAccess.guard, schema: { tags, summary: 'Change a pool number (isActive, displayName, notes)', params: poolParams, body: poolNumberPatch } },
    async (request) => {
      const widget = widgetAccess.of(request);
      return { ok: true, poolNumber: await updatePoolNumber(ctx, widget, request.params.number, request.body) };
    },
  );

  app.delete(
    '/api/widgets/:id/pool/:number',
    { ...widgetAccess.guard, schema: { tags, summary: 'Remove a number from the pool', params: poolParams } },
    async (request) => {
      const widget = widgetAccess.of(request);
      await removePoolNumber(ctx, widget, request.params.number);
      return { ok: true };
    },
  );

  app.get(
    '/api/widgets/:id/refused-origins',
    {
      ...widgetAccess.guard,
      schema: {
        tags,
        summary: 'Websites the widget refused lately (not in its allowed origins); allow one by adding it to allowedOrigins',
        params: widgetParams,
      },
    },
    async (request) => {
      return { ok: true, origins: await listRefusedOrigins(ctx, widgetAccess.of(request)) };
    },
  );

  app.get(
    '/api/widgets/:id/number-stats',
    { ...widgetAccess.guard, schema: { tags, summary: 'Per-number statistics of the pool and the handover number', params: widgetParams } },
    async (request) => {
      const widget = widgetAccess.of(request);
      return { ok: true, numbers: await numberStats(ctx, widget.id) };
    },
  );
};
