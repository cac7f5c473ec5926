// Who is calling: the platform key sees everything; an organization key sees its organization
// only (anything else answers 404, as if it did not exist).
//
// Every admin route says who may call it with one of the route options below. They run as the
// route's preValidation hook, so a missing key (401), a platform route (403) and another
// organization's resource (404) are answered before the body or query is validated.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { forbidden, notFound, unauthorized } from '../core/errors.js';
import { hashSecret } from '../core/keys.js';
import type { AppContext } from '../services/context.js';
import { isAdminKey } from '../services/tenancy/admin-key.js';

export type Principal = { kind: 'platform' } | { kind: 'organization'; organizationId: string; keyId: string };

/** The token of an `Authorization: Bearer <token>` header (API keys and visitor session tokens). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return m?.[1];
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const key = bearerToken(request);
  if (!key) throw unauthorized();
  if (await isAdminKey(ctx, key)) return { kind: 'platform' };
  const row = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'organization_id'])
    .where('key_hash', '=', hashSecret(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw unauthorized('This API key is not valid (unknown or revoked).');
  return { kind: 'organization', organizationId: row.organization_id, keyId: row.id };
}

const principals = new WeakMap<FastifyRequest, Promise<Principal>>();

/** The caller's key, checked once per request (the route's guard and its handler share it). */
export function principalOf(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  let principal = principals.get(request);
  if (!principal) {
    principal = authenticate(ctx, request);
    principals.set(request, principal);
  }
  return principal;
}

/** Throws 404 unless the principal may see this organization. */
export function assertOrganizationAccess(principal: Principal, organizationId: string, what = 'Organization'): void {
  if (principal.kind === 'organization' && principal.organizationId !== organizationId) throw notFound(what);
}

export function assertPlatform(principal: Principal): void {
  if (principal.kind !== 'platform') throw forbidden('This needs the platform administrator key.');
}

export const orgParams = z.object({ orgId: z.string().min(1).max(100) });

type Guard = { preValidation: (request: FastifyRequest) => Promise<void> };

/** Path parameters as the router found them (not yet validated). */
const rawParams = (request: FastifyRequest) => request.params as Record<string, string | undefined>;

/** Route option: any valid key (401 otherwise). */
export const keyRequired = (ctx: AppContext): Guard => ({
  preValidation: async (request) => {
    await principalOf(ctx, request);
  },
});

/** Route option: the platform key only (401, then 403). */
export const platformOnly = (ctx: AppContext): Guard => ({
  preValidation: async (request) => {
    assertPlatform(await principalOf(ctx, request));
  },
});

/**
 * Route option: the organization in the path (`:orgId`); another organization's key → 404. With
 * `platformOnly`, the organization's own key then gets 403 (what it may see, it may not change).
 */
export const organizationAccess = (ctx: AppContext, options: { platformOnly?: boolean } = {}): Guard => ({
  preValidation: async (request) => {
    const principal = await principalOf(ctx, request);
    assertOrganizationAccess(principal, rawParams(request).orgId ?? '');
    if (options.platformOnly) assertPlatform(principal);
  },
});

/**
 * Route option for a resource addressed by its own id (`:id`): it is loaded before validation and
 * another organization's answers 404. The handler reads the loaded row with `of(request)`.
 */
export function ownedAccess<T extends { organization_id: string }>(
  ctx: AppContext,
  what: string,
  load: (ctx: AppContext, id: string) => Promise<T>,
): { guard: Guard; of(request: FastifyRequest): T } {
  const loaded = new WeakMap<FastifyRequest, T>();
  return {
    guard: {
      preValidation: async (request) => {
        const principal = await principalOf(ctx, request);
        const id = rawParams(request).id ?? '';
        // An id the route's schema refuses is answered 400 by validation, without a lookup.
        const idSchema = (request.routeOptions.schema?.params as z.ZodObject | undefined)?.shape?.id as z.ZodType | undefined;
        if (idSchema && !idSchema.safeParse(id).success) return;
        const row = await load(ctx, id);
        assertOrganizationAccess(principal, row.organization_id, what);
        loaded.set(request, row);
      },
    },
    of(request) {
      const row = loaded.get(request);
      if (!row) throw new Error(`${what} route without its access guard`);
      return row;
    },
  };
}
