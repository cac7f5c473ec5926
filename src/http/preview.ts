// A page of its own for trying one widget before embedding it: /widgets/:publicKey/preview shows
// THAT widget with its organization's name, not the demo's. The widget's API accepts this server's
// own origin (visitor.ts), so the preview works whatever the widget's allowed origins are.
import { z } from 'zod';
import { findWidgetByPublicKey } from '../services/widgets/settings.js';
import type { RouteModule } from './route.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function previewPage(widget: { name: string; publicKey: string }, organization: { name: string; description: string | null }): string {
  const name = escapeHtml(organization.name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: ${escapeHtml(widget.name)} — ${name}</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2522; background: #f4f6f5; }
  main { max-width: 720px; margin: 0 auto; padding: 28px 20px 120px; }
  h1 { margin: 0 0 6px; font-size: clamp(24px, 6vw, 34px); }
  .note { background: #fff; border: 1px dashed #b9c6c0; border-radius: 10px; padding: 12px 14px; color: #4c5753; }
  code { background: #eef2f0; padding: 1px 5px; border-radius: 5px; word-break: break-all; }
</style>
</head>
<body>
<main>
  <h1>${name}</h1>
  ${organization.description ? `<p>${escapeHtml(organization.description)}</p>` : ''}
  <p class="note">This is a preview of the widget <strong>${escapeHtml(widget.name)}</strong> (<code>${escapeHtml(widget.publicKey)}</code>):
    it answers from ${name}'s knowledge base and hands over to its agents exactly as on your website. Use the chat button in the corner.</p>
</main>
<script src="/widget.js" data-widget="${escapeHtml(widget.publicKey)}" async></script>
</body>
</html>`;
}

export const previewRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/widgets/:publicKey/preview',
    { schema: { hide: true, params: z.object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a widget key') }) } },
    async (request, reply) => {
      const widget = await findWidgetByPublicKey(ctx, request.params.publicKey);
      const organization = widget
        ? await ctx.db.selectFrom('organizations').select(['name', 'description']).where('id', '=', widget.organization_id).executeTakeFirst()
        : undefined;
      if (!widget || !organization) {
        return reply.status(404).type('text/html; charset=utf-8').send('<!doctype html><title>Not found</title><p>No widget has this key.</p>');
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(previewPage({ name: widget.name, publicKey: widget.public_key }, organization));
    },
  );
};
