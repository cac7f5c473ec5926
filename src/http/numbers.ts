// Twilio numbers (seed 002): search, buy for an organization, release; and the organization's
// numbers with their health (send errors per number) for the dashboard.
import { z } from 'zod';
import { notFound } from '../core/errors.js';
import { toE164 } from '../core/phone.js';
import { numbersOf } from '../services/tenancy/organizations.js';
import { provisionNumber, releaseNumber, searchNumbers } from '../services/numbers/twilio-numbers.js';
import { getSharedTrialNumber, setSharedTrialNumber } from '../services/numbers/trial.js';
import type { RouteModule } from './app.js';
import { assertPlatform } from './auth.js';
import { authorizeOrganization, keyRequired, orgParams, principalOf } from './organizations.js';

const tags = ['numbers'];

const searchQuery = z.object({
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'country must be a two-letter ISO code such as US')
    .default('US'),
  areaCode: z
    .string()
    .trim()
    .regex(/^\d{2,5}$/, 'areaCode must be 2 to 5 digits, e.g. 415')
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});

export const numberRoutes: RouteModule = (app, ctx) => {
  const guard = keyRequired(ctx);
  app.get('/api/organizations/search-numbers', { ...guard, schema: { tags, summary: 'Search Twilio numbers to buy', querystring: searchQuery } }, async (request) => {
    await principalOf(ctx, request);
    const numbers = await searchNumbers(ctx, request.query);
    return { ok: true, numbers, total: numbers.length };
  });

  app.post(
    '/api/organizations/:orgId/provision-number',
    { ...guard, schema: { tags, summary: 'Buy a Twilio number for the organization', params: orgParams, body: z.object({ phoneNumber: z.string().trim().min(1).max(32) }) } },
    async (request) => {
      await authorizeOrganization(ctx, request, request.params.orgId);
      return { ok: true, ...(await provisionNumber(ctx, request.params.orgId, request.body.phoneNumber)) };
    },
  );

  app.delete('/api/organizations/:orgId/provision-number', { ...guard, schema: { tags, summary: 'Release the Twilio number at Twilio', params: orgParams } }, async (request) => {
    await authorizeOrganization(ctx, request, request.params.orgId);
    return { ok: true, ...(await releaseNumber(ctx, request.params.orgId)) };
  });

  app.get('/api/organizations/:orgId/numbers', { ...guard, schema: { tags, summary: "The organization's numbers and their send health", params: orgParams } }, async (request) => {
    await authorizeOrganization(ctx, request, request.params.orgId);
    const rows = await numbersOf(ctx, [request.params.orgId]);
    const numbers = [];
    for (const row of rows) numbers.push({ ...numberJson(row), ...(await numberHealth(row.id)) });
    return { ok: true, numbers };
  });

  // Sender registration happens at the provider (SPEC §12); the operator records its outcome here.
  app.patch(
    '/api/organizations/:orgId/numbers/:numberId',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Record the WhatsApp sender status of a number (platform key)',
        params: orgParams.extend({ numberId: z.string().min(1).max(100) }),
        body: z.object({ senderStatus: z.enum(['pending', 'online', 'offline']) }),
      },
    },
    async (request) => {
      const principal = await authorizeOrganization(ctx, request, request.params.orgId);
      assertPlatform(principal);
      const row = (await numbersOf(ctx, [request.params.orgId])).find((n) => n.id === request.params.numberId);
      if (!row) throw notFound('Number');
      await ctx.db.updateTable('numbers').set({ sender_status: request.body.senderStatus }).where('id', '=', row.id).execute();
      return { ok: true, number: numberJson({ ...row, sender_status: request.body.senderStatus }) };
    },
  );

  // The platform number trial organizations share (customers pick one with `join <code>`).
  app.put(
    '/api/admin/trial-number',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Make a platform number the shared trial number (platform key)',
        body: z.object({
          provider: z.enum(['twilio', 'meta', 'whapi', 'simulator']),
          phoneNumber: z.string().trim().refine((v) => toE164(v) !== undefined, 'phoneNumber must be an E.164 number such as +14155238886'),
          providerId: z.string().trim().min(1).max(100).optional(),
        }),
      },
    },
    async (request) => {
      assertPlatform(await principalOf(ctx, request));
      const row = await setSharedTrialNumber(ctx, { ...request.body, phoneNumber: toE164(request.body.phoneNumber)! });
      return { ok: true, number: numberJson(row) };
    },
  );

  app.get('/api/admin/trial-number', { ...guard, schema: { tags, summary: 'The shared trial number, if any (platform key)' } }, async (request) => {
    assertPlatform(await principalOf(ctx, request));
    const row = await getSharedTrialNumber(ctx);
    return { ok: true, number: row ? numberJson(row) : null };
  });

  async function numberHealth(numberId: string) {
    const counts = await ctx.db
      .selectFrom('messages')
      .select(['direction', (eb) => eb.fn.countAll<number>().as('n')])
      .select((eb) => eb.fn.sum<number>(eb.case().when('send_success', '=', 0).then(1).else(0).end()).as('failed'))
      .where('number_id', '=', numberId)
      .groupBy('direction')
      .execute();
    const lastError = await ctx.db
      .selectFrom('messages')
      .select(['send_error', 'updated_at'])
      .where('number_id', '=', numberId)
      .where('send_error', 'is not', null)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const of = (direction: string) => counts.find((c) => c.direction === direction);
    return {
      messagesIn: Number(of('in')?.n ?? 0),
      messagesOut: Number(of('out')?.n ?? 0),
      failedSends: Number(of('out')?.failed ?? 0),
      lastSendError: lastError?.send_error ?? null,
      lastSendErrorAt: lastError?.updated_at ?? null,
    };
  }
};

function numberJson(row: { id: string; provider: string; phone_number: string | null; provider_id: string; display_name: string | null; sender_status: string; created_at: string }) {
  return {
    id: row.id,
    provider: row.provider,
    phoneNumber: row.phone_number,
    providerId: row.provider_id,
    displayName: row.display_name,
    senderStatus: row.sender_status,
    createdAt: row.created_at,
  };
}
