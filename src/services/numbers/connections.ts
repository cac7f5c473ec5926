// Provider credentials of a number: an organization's own connection (stored encrypted), else the
// platform's from the environment. They are handed to adapters only, never to an API answer or a log.
import { randomUUID } from 'node:crypto';
import { decrypt, encrypt } from '../../core/crypto.js';
import type { NumberRow } from '../../db/schema.js';
import type { Credentials } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { cachedLookup, invalidateLookups } from '../lookup-cache.js';

/** The platform's own credentials for a provider, from configuration; undefined when not configured. */
export function platformCredentials(ctx: AppContext, provider: string): Credentials | undefined {
  return providerByName(provider)?.platformCredentials(ctx.config);
}

/**
 * The credentials to send from (and verify webhooks for) a number. An organization's connection
 * lacking a field the platform has (e.g. Meta's app secret, which is per app) borrows it.
 */
export async function credentialsForNumber(ctx: AppContext, number: NumberRow): Promise<Credentials | undefined> {
  const platform = platformCredentials(ctx, number.provider);
  if (!number.connection_id) return platform;
  const own = await ownCredentials(ctx, number.connection_id);
  if (!own) return platform;
  return { ...(platform ?? {}), ...own } as Credentials;
}

/** A connection's own credentials, without what it borrows from the platform. */
export function ownCredentials(ctx: AppContext, connectionId: string): Promise<Credentials | undefined> {
  // Decrypted once per connection, not per webhook (lookup-cache.ts forgets it when connections change).
  return cachedLookup(ctx, 'connection', connectionId, () => loadConnection(ctx, connectionId));
}

export async function loadConnection(ctx: AppContext, connectionId: string): Promise<Credentials | undefined> {
  const row = await ctx.db.selectFrom('connections').select('credentials_encrypted').where('id', '=', connectionId).executeTakeFirst();
  if (!row) return undefined;
  return JSON.parse(decrypt(ctx.encryptionKey, row.credentials_encrypted)) as Credentials;
}

export async function saveConnection(ctx: AppContext, input: { organizationId: string | null; provider: string; credentials: Credentials }): Promise<string> {
  const id = randomUUID();
  await ctx.db
    .insertInto('connections')
    .values({
      id,
      organization_id: input.organizationId,
      provider: input.provider,
      credentials_encrypted: encrypt(ctx.encryptionKey, JSON.stringify(input.credentials)),
      created_at: ctx.clock.now().toISOString(),
    })
    .execute();
  invalidateLookups(ctx);
  return id;
}

export interface ConnectionJson {
  id: string;
  provider: string;
  createdAt: string;
}

/** The organization's own connections of a provider, decrypted, oldest first (for lookups, never for an answer). */
export async function organizationConnections(
  ctx: AppContext,
  organizationId: string,
  provider: string,
): Promise<Array<{ id: string; credentials: Credentials }>> {
  const rows = await ctx.db
    .selectFrom('connections')
    .select(['id', 'credentials_encrypted'])
    .where('organization_id', '=', organizationId)
    .where('provider', '=', provider)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, credentials: JSON.parse(decrypt(ctx.encryptionKey, r.credentials_encrypted)) as Credentials }));
}

export async function listConnections(ctx: AppContext, organizationId: string): Promise<ConnectionJson[]> {
  const rows = await ctx.db
    .selectFrom('connections')
    .select(['id', 'provider', 'created_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, provider: r.provider, createdAt: r.created_at }));
}
