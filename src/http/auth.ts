// Who is calling: the platform key sees everything; an organization key sees its organization
// only (anything else answers 404, as if it did not exist). The key comes in an `Authorization:
// Bearer` header, or — for the dashboard — as the HttpOnly session cookie it was exchanged for
// (http/session.ts), so no script on our origin can read it.
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
import { sessionPrincipal } from '../services/tenancy/sessions.js';

export type Principal = { kind: 'platform' } | { kind: 'organization'; organizationId: string; keyId: string };

/** The token of an `Authorization: Bearer <token>` header (API keys and visitor session tokens). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return m?.[1];
}

/** The dashboard's session cookie (SameSite=Strict, HttpOnly; set by POST /api/session). */
export const SESSION_COOKIE = 'switchboard_session';

/** The value of a cookie in the request's Cookie header (one pass over the header, no dependency). */
export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A write carried by the cookie must come from a script: JSON, or the dashboard's header. A form on
 * another site can send neither (SameSite=Strict already keeps the cookie off cross-site requests;
 * this is the second lock).
 */
function assertScriptedWrite(request: FastifyRequest): void {
  if (!WRITES.has(request.method)) return;
  const json = /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
  if (!json && request.headers['x-switchboard-dashboard'] === undefined) {
    throw forbidden('A change made with the dashboard session must be sent as JSON (Content-Type: application/json) or carry X-Switchboard-Dashboard.');
  }
}

/** Who a key is: the platform's, an organization's (not revoked), or 401. */
export async function principalOfKey(ctx: AppContext, key: string): Promise<Principal> {
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

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Principal> {
  const key = bearerToken(request);
  if (key) return principalOfKey(ctx, key);
  const token = cookieValue(request, SESSION_COOKIE);
  if (!token) throw unauthorized();
  const principal = await sessionPrincipal(ctx, token);
  if (!principal) throw unauthorized('The dashboard session has ended (signed out, expired, or its key revoked); sign in again.');
  assertScriptedWrite(request);
  return principal;
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
