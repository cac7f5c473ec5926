// The shared Meta business account's numbers (seed 004). These endpoints keep the seed's envelope:
// `{success: true, …}`, and errors `{success: false, error, code}` — the same sentences and statuses
// as everywhere else, re-enveloped on the way out.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignMetaNumber, getMetaAssignment, listBusinessNumbers, removeMetaAssignment } from '../services/numbers/meta-numbers.js';
import type { RouteModule } from './route.js';
import { platformOnly } from './auth.js';
import { refuseOlderRemovalInUse } from '../services/handover/number-removal.js';

const tags = ['meta numbers'];
const storeParams = z.object({ storeId: z.string().min(1).max(100) });

/** `{ok:false, error, code}` (from the shared error handler) → `{success:false, error, code}`. */
function useSuccessEnvelope(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as { ok?: boolean; error?: string; code?: string };
      if (body.ok !== false) return payload;
      return JSON.stringify({ success: false, error: body.error, code: body.code });
    } catch {
      return payload;
    }
  });
}

export const metaNumberRoutes: RouteModule = async (app, ctx) => {
  await app.register(async (plain) => {
    useSuccessEnvelope(plain);
    plain.addHook('preValidation', platformOnly(ctx).preValidation);
    const scope = plain.withTypeProvider<ZodTypeProvider>();

    scope.get('/api/admin/phone-numbers', { schema: { tags, summary: "The business account's phone numbers (platform key)" } }, async () => {
      return { success: true, phoneNumbers: await listBusinessNumbers(ctx) };
    });

    scope.post(
      '/api/admin/stores/:storeId/phone-number',
      {
        schema: {
          tags,
          summary: 'Assign a business account phone number to an organization (storeId)',
          params: storeParams,
          body: z.object({
            phoneNumberId: z
              .string()
              .trim()
              .regex(/^\d{5,30}$/, 'phoneNumberId must be the digits of a Meta phone number id'),
            displayNumber: z.string().trim().min(3).max(40).optional(),
          }),
        },
      },
      async (request) => {
        return { success: true, store: await assignMetaNumber(ctx, request.params.storeId, request.body) };
      },
    );

    scope.get('/api/admin/stores/:storeId/phone-number', { schema: { tags, params: storeParams } }, async (request) => {
      return { success: true, store: await getMetaAssignment(ctx, request.params.storeId) };
    });

    scope.delete('/api/admin/stores/:storeId/phone-number', { schema: { tags, params: storeParams } }, async (request) => {
      await refuseOlderRemovalInUse(ctx, request.params.storeId, 'meta');
      return { success: true, ...(await removeMetaAssignment(ctx, request.params.storeId)) };
    });
  });
};
