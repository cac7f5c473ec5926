// Dashboard sessions: signing in exchanges a key for a random token kept in an HttpOnly cookie, so
// no script on our origin can read the key. Only the token's hash is stored, with the hash of the
// key it stands for: the session is worth what that key is worth, checked on every request — a
// revoked organization key or a changed platform key ends it at once.
import { hashSecret, newSecret } from '../../core/keys.js';
import type { AppContext } from '../context.js';
import { isAdminKeyHash } from './admin-key.js';

/** How long a sign-in lasts; then the dashboard asks for the key again. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type SessionPrincipal = { kind: 'platform' } | { kind: 'organization'; organizationId: string; keyId: string };

/** Starts a session for a key already checked to be `principal`; returns the cookie's token. */
export async function startDashboardSession(ctx: AppContext, key: string, principal: SessionPrincipal): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock.now();
  const token = newSecret('sbs_', 32);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await ctx.db.deleteFrom('dashboard_sessions').where('expires_at', '<=', now.toISOString()).execute();
  await ctx.db
    .insertInto('dashboard_sessions')
    .values({
      token_hash: hashSecret(token),
      principal: principal.kind,
      key_hash: hashSecret(key),
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  return { token, expiresAt };
}

/** Who a session cookie's token stands for, or undefined when it is unknown, expired, or its key no longer valid. */
export async function sessionPrincipal(ctx: AppContext, token: string): Promise<SessionPrincipal | undefined> {
  const row = await ctx.db
    .selectFrom('dashboard_sessions')
    .select(['principal', 'key_hash'])
    .where('token_hash', '=', hashSecret(token))
    .where('expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.principal === 'platform') return (await isAdminKeyHash(ctx, row.key_hash)) ? { kind: 'platform' } : undefined;
  const key = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'organization_id'])
    .where('key_hash', '=', row.key_hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return key ? { kind: 'organization', organizationId: key.organization_id, keyId: key.id } : undefined;
}

/** Signing out: the token stops working (unknown tokens are ignored). */
export async function endDashboardSession(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.deleteFrom('dashboard_sessions').where('token_hash', '=', hashSecret(token)).execute();
}

/** Revoking an organization key removes the sessions signed in with it. */
export async function endSessionsOfApiKey(ctx: AppContext, keyId: string): Promise<void> {
  await ctx.db
    .deleteFrom('dashboard_sessions')
    .where('key_hash', 'in', ctx.db.selectFrom('api_keys').select('key_hash').where('id', '=', keyId))
    .execute();
}
