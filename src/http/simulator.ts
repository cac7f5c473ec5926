// The simulator page and its API: simulated phones, their threads, sending as a phone (into the
// very pipeline a provider webhook enters, /api/webhooks/sim) and a live stream of what the
// simulator provider delivers to the phones. Present only when the simulator is on.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { badRequest } from '../core/errors.js';
import { toE164 } from '../core/phone.js';
import { addSimulatorPhone, listSimulatorPhones, phoneThreads, simulatedBusinessNumbers } from '../services/platform/simulator.js';
import type { RouteModule } from './route.js';
import { sendBuiltPage } from './pages.js';
import { streamChannel } from './sse.js';

const phoneBody = z.object({
  number: z.string().min(3).max(40),
  name: z.string().max(80).optional(),
  kind: z.enum(['customer', 'agent']).optional(),
});

const messageBody = z
  .object({
    from: z.string().min(3).max(40),
    to: z.string().min(3).max(40),
    text: z.string().max(4096).optional(),
    /** provider message id of the message this one swipe-replies to */
    replyTo: z.string().max(200).optional(),
    /** a file the phone attaches, as a data: URL (the page keeps it under the body limit) */
    media: z
      .object({
        url: z.string().regex(/^data:[\w.+-]+\/[\w.+-]+;base64,/, 'media.url must be a data: URL'),
        mimeType: z.string().max(100).optional(),
        filename: z.string().max(200).optional(),
      })
      .optional(),
  })
  .refine((b) => (b.text ?? '').trim() !== '' || b.media, { message: 'text is required (or a file)', path: ['text'] });

export const simulatorRoutes: RouteModule = (app, ctx) => {
  if (!ctx.config.simulator) return;
  const hidden = { hide: true };

  app.get('/simulator', { schema: hidden }, (_request, reply) => sendBuiltPage(reply, 'simulator.html'));

  app.get('/api/simulator', { schema: hidden }, async () => {
    const phones = await listSimulatorPhones(ctx);
    const withThreads = await Promise.all(phones.map(async (p) => ({ ...p, threads: await phoneThreads(ctx, p.number) })));
    return { ok: true, phones: withThreads, businessNumbers: await simulatedBusinessNumbers(ctx) };
  });

  app.post('/api/simulator/phones', { schema: { ...hidden, body: phoneBody } }, async (request, reply) => {
    const phone = await addSimulatorPhone(ctx, request.body);
    return reply.status(201).send({ ok: true, phone });
  });

  app.post('/api/simulator/messages', { schema: { ...hidden, body: messageBody } }, async (request, reply) => {
    const from = toE164(request.body.from);
    const to = toE164(request.body.to);
    if (!from || !to) throw badRequest('from and to must be phone numbers in international form, e.g. +15550109001.', 'INVALID_PHONE');
    const phone = (await listSimulatorPhones(ctx)).find((p) => p.number === from);
    const id = `sim_${randomUUID()}`;
    const delivered = await app.inject({
      method: 'POST',
      url: '/api/webhooks/sim',
      payload: {
        id,
        from,
        to,
        text: request.body.text?.trim() || undefined,
        media: request.body.media,
        name: phone && phone.name !== from ? phone.name : undefined,
        replyTo: request.body.replyTo,
      },
    });
    if (delivered.statusCode >= 400) {
      const body = delivered.json() as { error?: string; code?: string };
      return reply.status(delivered.statusCode).send({ ok: false, error: body.error ?? 'The message was not accepted.', code: body.code ?? 'SIM_REJECTED' });
    }
    return reply.status(201).send({ ok: true, id });
  });

  app.get('/api/simulator/events', { schema: hidden }, (_request, reply) => streamChannel(ctx, reply, 'sim'));
};
