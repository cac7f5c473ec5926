// Widgets API (admin): settings, allowed origins, the number pool and its statistics.
// Another organization's widget answers 404, as if it did not exist.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../services/context.js';
import { numberStats } from '../services/handover/stats.js';
import {
  addPoolNumber,
  createWidget,
  deleteWidget,
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
import type { RouteModule } from './app.js';
import { assertOrganizationAccess, authenticate } from './auth.js';

const tags = ['widgets'];
const orgParams = z.object({ orgId: z.string().min(1).max(100) });
const widgetParams = z.object({ id: z.string().min(1).max(100) });
const poolParams = widgetParams.extend({ number: z.string().min(3).max(40) });

/** The widget, when the caller may see its organization. */
async function accessibleWidget(ctx: AppContext, request: FastifyRequest, id: string) {
  const principal = await authenticate(ctx, request);
  const widget = await loadWidget(ctx, id);
  assertOrganizationAccess(principal, widget.organization_id, 'Widget');
  return widget;
}

export const widgetRoutes: RouteModule = (app, ctx) => {
  app.post('/api/organizations/:orgId/widgets', { schema: { tags, summary: 'Create a widget', params: orgParams, body: widgetInput } }, async (request, reply) => {
    const principal = await authenticate(ctx, request);
    assertOrganizationAccess(principal, request.params.orgId);
    const widget = await createWidget(ctx, request.params.orgId, request.body);
    return reply.status(201).send({ ok: true, widget });
  });

  app.get('/api/organizations/:orgId/widgets', { schema: { tags, summary: 'List the widgets of an organization', params: orgParams } }, async (request) => {
    const principal = await authenticate(ctx, request);
    assertOrganizationAccess(principal, request.params.orgId);
    return { ok: true, widgets: await listWidgets(ctx, request.params.orgId) };
  });

  app.get('/api/widgets/:id', { schema: { tags, summary: 'Read a widget', params: widgetParams } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    return { ok: true, widget: await widgetView(ctx, widget) };
  });

  app.patch('/api/widgets/:id', { schema: { tags, summary: 'Change a widget (a given pool replaces the pool)', params: widgetParams, body: widgetPatch } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    return { ok: true, widget: await updateWidget(ctx, widget, request.body) };
  });

  app.delete('/api/widgets/:id', { schema: { tags, summary: 'Delete a widget', params: widgetParams } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    await deleteWidget(ctx, widget);
    return { ok: true };
  });

  app.post('/api/widgets/:id/pool', { schema: { tags, summary: 'Add a number to the pool', params: widgetParams, body: poolNumberInput } }, async (request, reply) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    return reply.status(201).send({ ok: true, poolNumber: await addPoolNumber(ctx, widget, request.body) });
  });

  app.patch('/api/widgets/:id/pool/:number', { schema: { tags, summary: 'Change a pool number (isActive, displayName, notes)', params: poolParams, body: poolNumberPatch } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    return { ok: true, poolNumber: await updatePoolNumber(ctx, widget, request.params.number, request.body) };
  });

  app.delete('/api/widgets/:id/pool/:number', { schema: { tags, summary: 'Remove a number from the pool', params: poolParams } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    await removePoolNumber(ctx, widget, request.params.number);
    return { ok: true };
  });

  app.get('/api/widgets/:id/number-stats', { schema: { tags, summary: 'Per-number statistics of the pool and the handover number', params: widgetParams } }, async (request) => {
    const widget = await accessibleWidget(ctx, request, request.params.id);
    return { ok: true, numbers: await numberStats(ctx, widget.id) };
  });
};
