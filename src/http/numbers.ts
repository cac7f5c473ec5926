// Twilio numbers (seed 002): search, buy for an organization, release; and the organization's
// numbers with their health (send errors per number) for the dashboard.
import { z } from 'zod';
import { toE164 } from '../core/phone.js';
import { numbersWithHealth, recordSenderStatus } from '../services/numbers/status.js';
import { provisionNumber, releaseNumber, searchNumbers } from '../services/numbers/twilio-numbers.js';
import { getSharedTrialNumber, setSharedTrialNumber } from '../services/inbound/trial.js';
import type { RouteModule } from './route.js';
import { keyRequired, organizationAccess, orgParams, platformOnly, principalOf } from './auth.js';
import { forbidden } from '../core/errors.js';
import { getOrganization } from '../services/tenancy/organizations.js';
import { addOrganizationNumber } from '../services/numbers/usable.js';
import { numberOptions } from '../services/numbers/options.js';
import { previewNumberRemoval, removeNumber } from '../services/handover/number-removal.js';
import { refuseOlderRemovalInUse } from '../services/handover/number-removal.js';

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
  const ownOrganization = organizationAccess(ctx);
  const platform = platformOnly(ctx);
  app.get(
    '/api/organizations/search-numbers',
    { ...keyRequired(ctx), schema: { tags, summary: 'Search Twilio numbers to buy', querystring: searchQuery } },
    async (request) => {
      const numbers = await searchNumbers(ctx, request.query);
      return { ok: true, numbers, total: numbers.length };
    },
  );

  app.post(
    '/api/organizations/:orgId/provision-number',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary: 'Buy a Twilio number for the organization',
        params: orgParams,
        body: z.object({ phoneNumber: z.string().trim().min(1).max(32) }),
      },
    },
    async (request) => {
      // A number on the platform's account is paid by the platform: a trial organization uses the shared number.
      const principal = await principalOf(ctx, request);
      if (principal.kind !== 'platform' && (await getOrganization(ctx, request.params.orgId)).plan === 'trial') {
        throw forbidden(
          'Trial organizations use the shared trial number (customers send join <code>); buying a Twilio number on the platform account needs a paid plan or the platform key.',
        );
      }
      return { ok: true, ...(await provisionNumber(ctx, request.params.orgId, request.body.phoneNumber)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/provision-number',
    { ...ownOrganization, schema: { tags, summary: 'Release the Twilio number at Twilio', params: orgParams } },
    async (request) => {
      await refuseOlderRemovalInUse(ctx, request.params.orgId, 'twilio');
      return { ok: true, ...(await releaseNumber(ctx, request.params.orgId)) };
    },
  );

  app.get(
    '/api/organizations/:orgId/numbers',
    {
      ...ownOrganization,
      schema: { tags, summary: 'Numbers the organization can use (its own and the platform numbers) and their send health', params: orgParams },
    },
    async (request) => {
      const { orgId } = request.params;
      await getOrganization(ctx, orgId);
      const numbers = await numbersWithHealth(ctx, orgId);
      return {
        ok: true,
        numbers: numbers.map(({ number, health }) => ({
          ...numberJson(number),
          owner: number.organization_id ? ('organization' as const) : ('platform' as const),
          connection: number.connection_id ? ('own' as const) : ('platform' as const),
          isSharedTrial: number.is_shared_trial === 1,
          ...health,
        })),
      };
    },
  );

  app.post(
    '/api/organizations/:orgId/numbers',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary: 'Register a number of an own Twilio or Meta account, or get a simulated number (simulator mode)',
        params: orgParams,
        body: z.object({ provider: z.enum(['twilio', 'meta', 'simulator']), phoneNumber: z.string().trim().min(3).max(32).optional() }),
      },
    },
    async (request, reply) => {
      const row = await addOrganizationNumber(ctx, request.params.orgId, request.body);
      return reply.status(201).send({ ok: true, number: { ...numberJson(row), owner: 'organization', connection: row.connection_id ? 'own' : 'platform' } });
    },
  );

  app.get(
    '/api/organizations/:orgId/number-options',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary: 'Which ways of getting a number apply on this platform for this caller (not configured is false, never an error)',
        params: orgParams,
      },
    },
    async (request) => {
      const platformCaller = (await principalOf(ctx, request)).kind === 'platform';
      return { ok: true, options: await numberOptions(ctx, request.params.orgId, platformCaller) };
    },
  );

  const numberParams = orgParams.extend({ numberId: z.string().min(1).max(100) });
  app.get(
    '/api/organizations/:orgId/numbers/:numberId/removal',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary: "What removing this number would do at its provider, to widgets and to open conversations (nothing changes): the dashboard's confirmation",
        params: numberParams,
      },
    },
    async (request) => {
      return { ok: true, ...(await previewNumberRemoval(ctx, request.params.orgId, request.params.numberId)) };
    },
  );

  app.delete(
    '/api/organizations/:orgId/numbers/:numberId',
    {
      ...ownOrganization,
      schema: {
        tags,
        summary:
          'Remove a number of the organization (simulated, own account, assigned Meta, Whapi channel; bought at Twilio: released there). In use by a widget or an open conversation: only with confirm=true, else 409 saying what it would do',
        params: numberParams,
        querystring: z.object({ confirm: z.enum(['true', 'false']).default('false') }),
      },
    },
    async (request) => {
      const { orgId, numberId } = request.params;
      return { ok: true, removed: true, ...(await removeNumber(ctx, orgId, numberId, request.query.confirm === 'true')) };
    },
  );

  // Sender registration happens at the provider (SPEC §12); the operator records its outcome here.
  app.patch(
    '/api/organizations/:orgId/numbers/:numberId',
    {
      ...organizationAccess(ctx, { platformOnly: true }),
      schema: {
        tags,
        summary: 'Record the WhatsApp sender status of a number (platform key)',
        params: orgParams.extend({ numberId: z.string().min(1).max(100) }),
        body: z.object({ senderStatus: z.enum(['pending', 'online', 'offline']) }),
      },
    },
    async (request) => {
      const row = await recordSenderStatus(ctx, request.params.orgId, request.params.numberId, request.body.senderStatus);
      return { ok: true, number: numberJson(row) };
    },
  );

  // The platform number trial organizations share (customers pick one with `join <code>`).
  app.put(
    '/api/admin/trial-number',
    {
      ...platform,
      schema: {
        tags,
        summary: 'Make a platform number the shared trial number (platform key)',
        body: z.object({
          provider: z.enum(['twilio', 'meta', 'whapi', 'simulator']),
          phoneNumber: z
            .string()
            .trim()
            .refine((v) => toE164(v) !== undefined, 'phoneNumber must be an E.164 number such as +14155238886'),
          providerId: z.string().trim().min(1).max(100).optional(),
        }),
      },
    },
    async (request) => {
      const row = await setSharedTrialNumber(ctx, { ...request.body, phoneNumber: toE164(request.body.phoneNumber)! });
      return { ok: true, number: numberJson(row) };
    },
  );

  app.get('/api/admin/trial-number', { ...platform, schema: { tags, summary: 'The shared trial number, if any (platform key)' } }, async () => {
    const row = await getSharedTrialNumber(ctx);
    return { ok: true, number: row ? numberJson(row) : null };
  });
};

function numberJson(row: {
  id: string;
  provider: string;
  phone_number: string | null;
  provider_id: string;
  display_name: string | null;
  sender_status: string;
  created_at: string;
}) {
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
