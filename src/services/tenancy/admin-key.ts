// The platform administrator key. With ADMIN_API_KEY unset, the first start generates one, keeps
// only its hash (the `admin_key_hash` setting) and hands the key back once to print.
import { newSecret, hashSecret, safeEqual } from '../../core/keys.js';
import { isUniqueViolation } from '../../db/database.js';
import type { AppContext } from '../context.js';

export const ADMIN_KEY_HASH_SETTING = 'admin_key_hash';

/** Whether a key is the platform administrator's: ADMIN_API_KEY, or else the generated one's hash. */
export async function isAdminKey(ctx: AppContext, key: string): Promise<boolean> {
  if (ctx.config.adminApiKey) return safeEqual(key, ctx.config.adminApiKey);
  const stored = await ctx.db.selectFrom('settings').select('value').where('key', '=', ADMIN_KEY_HASH_SETTING).executeTakeFirst();
  return stored !== undefined && safeEqual(hashSecret(key), stored.value);
}

/** Whether a key's sha256 hash is the platform administrator key's (a dashboard session keeps only the hash). */
export async function isAdminKeyHash(ctx: AppContext, keyHash: string): Promise<boolean> {
  if (ctx.config.adminApiKey) return safeEqual(keyHash, hashSecret(ctx.config.adminApiKey));
  const stored = await ctx.db.selectFrom('settings').select('value').where('key', '=', ADMIN_KEY_HASH_SETTING).executeTakeFirst();
  return stored !== undefined && safeEqual(keyHash, stored.value);
}

export async function ensureAdminKey(ctx: AppContext): Promise<{ key?: string }> {
  if (ctx.config.adminApiKey) return {};
  const stored = await ctx.db.selectFrom('settings').select('key').where('key', '=', ADMIN_KEY_HASH_SETTING).executeTakeFirst();
  if (stored) return {};
  const key = newSecret('sb_admin_');
  try {
    await ctx.db
      .insertInto('settings')
      .values({ key: ADMIN_KEY_HASH_SETTING, value: hashSecret(key) })
      .execute();
  } catch (err) {
    // Another instance starting at the same moment stored its key first; that one is printed there.
    if (isUniqueViolation(err)) return {};
    throw err;
  }
  return { key };
}
