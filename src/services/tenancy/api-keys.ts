// Organization API keys: shown once when created, stored as a sha256 hash, revoked by time stamp.
import { randomUUID } from 'node:crypto';
import { notFound } from '../../core/errors.js';
import { hashSecret, newSecret } from '../../core/keys.js';
import { keyLabel, keyRevocationText } from '../../core/removal-text.js';
import type { AppContext } from '../context.js';
import { getOrganization } from './organizations.js';
import { endSessionsOfApiKey } from './sessions.js';

export interface ApiKeyJson {
  id: string;
  organizationId: string;
  /** the first characters of the key, to tell keys apart; never enough to use it */
  prefix: string;
  /** the person the key stands for, who signs inbox replies; null: replies are signed with the organization's name */
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const KEY_PREFIX = 'sb_org_';

export async function createApiKey(ctx: AppContext, organizationId: string, input: { name?: string } = {}): Promise<{ key: string; apiKey: ApiKeyJson }> {
  await getOrganization(ctx, organizationId);
  const key = newSecret(KEY_PREFIX);
  const row = {
    id: randomUUID(),
    organization_id: organizationId,
    key_hash: hashSecret(key),
    prefix: key.slice(0, KEY_PREFIX.length + 4),
    name: input.name?.trim() || null,
    created_at: ctx.clock.now().toISOString(),
    revoked_at: null,
  };
  await ctx.db.insertInto('api_keys').values(row).execute();
  return { key, apiKey: apiKeyJson(row) };
}

export async function listApiKeys(ctx: AppContext, organizationId: string): Promise<ApiKeyJson[]> {
  await getOrganization(ctx, organizationId);
  const rows = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'prefix', 'name', 'created_at', 'revoked_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .execute();
  return rows.map(apiKeyJson);
}

export interface KeyRevocation {
  apiKey: ApiKeyJson;
  /** dashboard sign-ins made with the key, which end with it */
  sessions: number;
  /** the caller is signed in with this very key */
  yours: boolean;
  summary: string;
}

async function keyRow(ctx: AppContext, organizationId: string, keyId: string) {
  const row = await ctx.db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'prefix', 'name', 'created_at', 'revoked_at', 'key_hash'])
    .where('id', '=', keyId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw notFound('API key');
  return row;
}

function revocationOf(row: Awaited<ReturnType<typeof keyRow>>, sessions: number, callerKeyId: string | undefined): KeyRevocation {
  const yours = callerKeyId === row.id && !row.revoked_at;
  return {
    apiKey: apiKeyJson(row),
    sessions,
    yours,
    summary: keyRevocationText({ label: keyLabel(row), revokedAt: row.revoked_at, sessions, yours }),
  };
}

async function liveSessions(ctx: AppContext, keyHash: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('dashboard_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('key_hash', '=', keyHash)
    .where('expires_at', '>', ctx.clock.now().toISOString())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What revoking the key would do (`callerKeyId`: the key the caller is signed in with); nothing changes. */
export async function previewRevocation(ctx: AppContext, organizationId: string, keyId: string, callerKeyId?: string): Promise<KeyRevocation> {
  const row = await keyRow(ctx, organizationId, keyId);
  return revocationOf(row, row.revoked_at ? 0 : await liveSessions(ctx, row.key_hash), callerKeyId);
}

/** Revoking twice is harmless; the first revocation time is kept. The answer says what it did. */
export async function revokeApiKey(ctx: AppContext, organizationId: string, keyId: string, callerKeyId?: string): Promise<KeyRevocation> {
  const row = await keyRow(ctx, organizationId, keyId);
  if (row.revoked_at) return revocationOf(row, 0, callerKeyId);
  const revocation = revocationOf(row, await liveSessions(ctx, row.key_hash), callerKeyId);
  const revokedAt = ctx.clock.now().toISOString();
  await ctx.db.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', keyId).where('revoked_at', 'is', null).execute();
  await endSessionsOfApiKey(ctx, keyId);
  return { ...revocation, apiKey: { ...revocation.apiKey, revokedAt } };
}

function apiKeyJson(row: {
  id: string;
  organization_id: string;
  prefix: string;
  name: string | null;
  created_at: string;
  revoked_at: string | null;
}): ApiKeyJson {
  return { id: row.id, organizationId: row.organization_id, prefix: row.prefix, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}

/** What the platform key signs inbox replies with: it stands for the platform's operator, not a named person. */
export const PLATFORM_SIGNATURE = 'Operator';

/**
 * The name an inbox reply is signed with, for the key that made it (directly or through a dashboard
 * session): the key's name, else the organization's; the platform key signs as the operator.
 */
export async function signatureOf(ctx: AppContext, principal: { kind: 'platform' } | { kind: 'organization'; keyId: string }): Promise<string> {
  if (principal.kind === 'platform') return PLATFORM_SIGNATURE;
  const row = await ctx.db
    .selectFrom('api_keys')
    .innerJoin('organizations', 'organizations.id', 'api_keys.organization_id')
    .select(['api_keys.name as key_name', 'organizations.name as organization_name'])
    .where('api_keys.id', '=', principal.keyId)
    .executeTakeFirst();
  return row?.key_name ?? row?.organization_name ?? PLATFORM_SIGNATURE;
}
