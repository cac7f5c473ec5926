// Whapi channels for organizations: a channel id (the routing key of Whapi webhooks) and the token
// to send with — the organization's own, stored encrypted through saveConnection, or the platform's
// WHAPI_TOKEN. The token is never read back out through here.
import { randomUUID } from 'node:crypto';
import { AppError, badRequest, notFound } from '../../core/errors.js';
import { type NumberHealth, ProviderRequestError } from '../../providers/provider.js';
import { providers } from '../../providers/registry.js';
import { toE164 } from '../../core/phone.js';
import type { NumberRow } from '../../db/schema.js';
import { saveConnection } from './connections.js';
import type { AppContext } from '../context.js';
import { assertNumberAvailable, getOrganization, organizationNumber } from '../tenancy/organizations.js';
import { invalidateLookups } from '../lookup-cache.js';

export interface WhapiChannelJson {
  channelId: string;
  displayNumber: string | null;
  phoneNumber: string | null;
  /** true: the organization's own token (stored encrypted); false: the platform's WHAPI_TOKEN */
  ownToken: boolean;
  createdAt: string;
}

function channelJson(row: NumberRow): WhapiChannelJson {
  return {
    channelId: row.provider_id,
    displayNumber: row.display_name,
    phoneNumber: row.phone_number,
    ownToken: row.connection_id !== null,
    createdAt: row.created_at,
  };
}

export async function getWhapiChannel(ctx: AppContext, organizationId: string): Promise<WhapiChannelJson> {
  await getOrganization(ctx, organizationId);
  const row = await organizationNumber(ctx, organizationId, 'whapi');
  if (!row) throw notFound('Whapi channel of this organization');
  return channelJson(row);
}

/** Assigns (or replaces) the organization's channel. */
export async function assignWhapiChannel(
  ctx: AppContext,
  organizationId: string,
  input: { channelId: string; displayNumber: string; token?: string },
): Promise<WhapiChannelJson> {
  await getOrganization(ctx, organizationId);
  if (!input.token && !ctx.config.whapi.token) {
    throw badRequest("Send the channel's token: the platform has no WHAPI_TOKEN to send with.", 'WHAPI_TOKEN_REQUIRED');
  }
  await assertNumberAvailable(ctx, organizationId, 'whapi', input.channelId, `Whapi channel ${input.channelId}`, 'CHANNEL_ASSIGNED_ELSEWHERE');
  if (input.token) await checkWhapiToken(ctx, input.token, input.channelId);
  const previous = await organizationNumber(ctx, organizationId, 'whapi');
  const connectionId = input.token ? await saveConnection(ctx, { organizationId, provider: 'whapi', credentials: { token: input.token } }) : null;
  const values = {
    provider_id: input.channelId,
    phone_number: toE164(input.displayNumber) ?? null,
    display_name: input.displayNumber,
    connection_id: connectionId,
    sender_status: 'online',
  };
  let row: NumberRow;
  if (previous) {
    await ctx.db.updateTable('numbers').set(values).where('id', '=', previous.id).execute();
    row = { ...previous, ...values };
  } else {
    row = {
      id: randomUUID(),
      organization_id: organizationId,
      provider: 'whapi',
      is_shared_trial: 0,
      is_dedicated: 1,
      created_at: ctx.clock.now().toISOString(),
      ...values,
    };
    await ctx.db.insertInto('numbers').values(row).execute();
  }
  if (previous?.connection_id && previous.connection_id !== connectionId) await forgetConnection(ctx, previous.connection_id);
  invalidateLookups(ctx);
  return channelJson(row);
}

export async function removeWhapiChannel(ctx: AppContext, organizationId: string): Promise<{ message: string }> {
  await getOrganization(ctx, organizationId);
  const row = await organizationNumber(ctx, organizationId, 'whapi');
  if (!row) throw notFound('Whapi channel of this organization');
  await ctx.db.deleteFrom('numbers').where('id', '=', row.id).execute();
  if (row.connection_id) await forgetConnection(ctx, row.connection_id);
  invalidateLookups(ctx);
  return { message: `Whapi channel ${row.provider_id} is no longer assigned to this organization.` };
}

/**
 * An own token is asked about at Whapi's /health before it is kept (a wrong one is a 400 with Whapi's
 * answer), and must be the token of the channel assigned: the channel id /health names is compared
 * exactly, case included, as Whapi routes by it — `acmegear-7qk2x` is not `ACMEGEAR-7QK2X`.
 */
async function checkWhapiToken(ctx: AppContext, token: string, channelId: string): Promise<void> {
  let health: NumberHealth;
  try {
    health = await providers.whapi.health!(ctx, { token });
  } catch (err) {
    if (!(err instanceof ProviderRequestError)) throw err;
    if (err.kind === 'unreachable') throw new AppError(502, 'PROVIDER_UNREACHABLE', 'Whapi could not be reached to check the token; try again shortly.');
    throw badRequest(`Whapi refused this token: ${err.detail.replace(/\.$/, '')}.`, 'CONNECTION_REFUSED');
  }
  if (health.providerNumberId && health.providerNumberId !== channelId) {
    throw badRequest(
      `This token is the token of Whapi channel ${health.providerNumberId}, not of ${channelId} (channel ids are compared exactly, case included); send the channel id Whapi shows for this token.`,
      'CHANNEL_MISMATCH',
    );
  }
}

/** A replaced or removed channel's own token is deleted, not left behind encrypted. */
export async function forgetConnection(ctx: AppContext, connectionId: string): Promise<void> {
  const stillUsed = await ctx.db.selectFrom('numbers').select('id').where('connection_id', '=', connectionId).executeTakeFirst();
  if (!stillUsed) await ctx.db.deleteFrom('connections').where('id', '=', connectionId).execute();
}
