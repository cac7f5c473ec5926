// Who is calling: the platform key sees everything; an organization key sees its organization
// only (anything else answers 404, as if it did not exist).
import type { FastifyRequest } from 'fastify';
import { forbidden, notFound, unauthorized } from '../core/errors.js';
import { hashSecret, safeEqual } from '../core/keys.js';
import type { AppContext } from '../services/context.js';

export type Principal = { kind: 'platform' } | { kind: 'organization'; organizationId: string; keyId: string };

export const ADMIN_KEY_HASH_SETTING = 'admin_key_hash';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim();
}

export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const key = bearer(request);
  if (!key) throw unauthorized();
  if (ctx.config.adminApiKey && safeEqual(key, ctx.config.adminApiKey)) return { kind: 'platform' };
  const hash = hashSecret(key);
  if (!ctx.config.adminApiKey) {
    const stored = await ctx.db.selectFrom('settings').select('value').where('key', '=', ADMIN_KEY_HASH_SETTING).executeTakeFirst();
    if (stored && safeEqual(hash, stored.value)) return { kind: 'platform' };
  }
  const row = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'organization_id'])
    .where('key_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw unauthorized('This API key is not valid (unknown or revoked).');
  return { kind: 'organization', organizationId: row.organization_id, keyId: row.id };
}

/** Throws 404 unless the principal may see this organization. */
export function assertOrganizationAccess(principal: Principal, organizationId: string, what = 'Organization'): void {
  if (principal.kind === 'organization' && principal.organizationId !== organizationId) throw notFound(what);
}

export function assertPlatform(principal: Principal): void {
  if (principal.kind !== 'platform') throw forbidden('This needs the platform administrator key.');
}
