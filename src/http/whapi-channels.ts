// Whapi channels of an organization. The token may come in; it never goes out.
import { z } from 'zod';
import { assignWhapiChannel, getWhapiChannel, removeWhapiChannel } from '../services/numbers/whapi-channels.js';
import type { RouteModule } from './route.js';
import { credentialField } from './credential-fields.js';
import { organizationAccess, orgParams, principalOf } from './auth.js';
import { forbidden } from '../core/errors.js';
import { refuseOlderRemovalInUse } from '../services/handover/number-removal.js';

const tags = ['whapi channels'];

const channelBody = z.object({
  channelId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{2,64}$/, 'channelId must be a Whapi channel id such as ACMEGEAR-7QK2X'),
  displayNumber: z.string().trim().min(3).max(40),
  token: credentialField().optional(),
});

export const whapiChannelRoutes: RouteModule = (app, ctx) => {
  const guard = organizationAccess(ctx);
  app.post(
    '/api/organizations/:orgId/whapi-channel',
    { ...guard, schema: { tags, summary: 'Assign a Whapi channel', params: orgParams, body: channelBody } },
    async (request) => {
      // Without its own token the channel would send with the platform's WHAPI_TOKEN: the platform's decision.
      if (!request.body.token && (await principalOf(ctx, request)).kind !== 'platform') {
        throw forbidden(
          "A channel without its own token would send with the platform's WHAPI_TOKEN, which only the platform key may assign; send the channel's token.",
        );
      }
      return { ok: true, channel: await assignWhapiChannel(ctx, request.params.orgId, request.body) };
    },
  );

  app.get('/api/organizations/:orgId/whapi-channel', { ...guard, schema: { tags, params: orgParams } }, async (request) => {
    return { ok: true, channel: await getWhapiChannel(ctx, request.params.orgId) };
  });

  app.delete('/api/organizations/:orgId/whapi-channel', { ...guard, schema: { tags, params: orgParams } }, async (request) => {
    await refuseOlderRemovalInUse(ctx, request.params.orgId, 'whapi');
    return { ok: true, ...(await removeWhapiChannel(ctx, request.params.orgId)) };
  });
};
