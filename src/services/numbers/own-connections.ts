// An organization's own provider accounts (seed 001's `encrypted_credentials`): checked at the
// provider before they are kept, stored encrypted, never answered back. Numbers registered from
// them send, and verify their webhooks, with these credentials.
import { AppError, badRequest, conflict, notFound } from '../../core/errors.js';
import { type Credentials, ProviderRequestError } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';
import { type ConnectionJson, saveConnection } from './connections.js';
import { invalidateLookups } from '../lookup-cache.js';

export type ConnectionInput =
  | { provider: 'twilio'; accountSid: string; authToken: string }
  | { provider: 'meta'; accessToken: string; businessAccountId: string; appSecret?: string }
  | { provider: 'whapi'; token: string };

/** Asks the provider whether the credentials work (the adapter's checkCredentials); a refusal is a 400 naming the provider's answer. */
async function checkAtProvider(ctx: AppContext, input: ConnectionInput): Promise<Credentials> {
  const { provider, ...fields } = input;
  // As given, without optional fields left unset (Meta's app secret).
  const credentials = Object.fromEntries(Object.entries(fields).filter(([, value]) => value)) as Credentials;
  const adapter = providerByName(provider)!;
  const label = adapter.label;
  if (!adapter.checkCredentials) throw badRequest(`${label} accounts cannot be connected.`, 'VALIDATION_ERROR');
  try {
    const { notReady } = await adapter.checkCredentials(ctx, credentials);
    if (notReady) throw badRequest(notReady, 'PROVIDER_REJECTED');
    return credentials;
  } catch (err) {
    if (!(err instanceof ProviderRequestError)) throw err;
    if (err.kind === 'unreachable')
      throw new AppError(502, 'PROVIDER_UNREACHABLE', `${label} could not be reached to check these credentials; try again shortly.`);
    if (err.kind === 'busy') throw new AppError(503, 'PROVIDER_BUSY', `${label} is rate limiting requests; try again shortly.`);
    throw badRequest(`${label} refused these credentials: ${err.detail.replace(/\.$/, '')}.`, 'CONNECTION_REFUSED');
  }
}

export async function createConnection(ctx: AppContext, organizationId: string, input: ConnectionInput): Promise<ConnectionJson> {
  await getOrganization(ctx, organizationId);
  const credentials = await checkAtProvider(ctx, input);
  const id = await saveConnection(ctx, { organizationId, provider: input.provider, credentials });
  const row = await ctx.db.selectFrom('connections').select(['id', 'provider', 'created_at']).where('id', '=', id).executeTakeFirstOrThrow();
  return { id: row.id, provider: row.provider, createdAt: row.created_at };
}

/** Removes a connection no number still sends with. */
export async function deleteConnection(ctx: AppContext, organizationId: string, connectionId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('connections')
    .select('id')
    .where('id', '=', connectionId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw notFound('Connection');
  const using = await ctx.db.selectFrom('numbers').select(['phone_number', 'provider_id']).where('connection_id', '=', connectionId).execute();
  if (using.length > 0) {
    const names = using.map((n) => n.phone_number ?? n.provider_id).join(', ');
    throw conflict(`This connection still sends for ${names}; remove ${using.length === 1 ? 'that number' : 'those numbers'} first.`, 'CONNECTION_IN_USE');
  }
  await ctx.db.deleteFrom('connections').where('id', '=', connectionId).execute();
  invalidateLookups(ctx);
}
