// The platform's own senders from the environment (TWILIO_PHONE_NUMBER, WHATSAPP_PHONE_NUMBER_ID,
// WHAPI_CHANNEL_ID), registered as platform numbers at start-up so a widget with no number of its
// own hands over from them (SPEC §8 "Choosing the sender", step 3).
import { isUniqueViolation } from '../../db/database.js';
import type { NumberRow } from '../../db/schema.js';
import type { PlatformSender, ProviderName } from '../../providers/provider.js';
import { providers } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { invalidateLookups } from '../lookup-cache.js';
import { newNumberRow } from './rows.js';

/** Each adapter's sender named in the environment, in the registry's order. */
function environmentSenders(ctx: AppContext): Array<PlatformSender & { provider: ProviderName }> {
  return Object.values(providers).flatMap((adapter) => {
    const sender = adapter.platformSender?.(ctx);
    return sender ? [{ ...sender, provider: adapter.name }] : [];
  });
}

/**
 * Registers each environment sender once. A number an organization already holds stays theirs;
 * a phone the provider cannot tell now (Meta, Whapi unreachable) is asked again on the next start.
 */
export async function registerPlatformNumbers(ctx: AppContext): Promise<NumberRow[]> {
  const registered: NumberRow[] = [];
  for (const sender of environmentSenders(ctx)) {
    let existing = await ctx.db
      .selectFrom('numbers')
      .selectAll()
      .where('provider', '=', sender.provider)
      .where('provider_id', '=', sender.providerId)
      .executeTakeFirst();
    // A sender the environment names by phone may be registered under its real id (Twilio's PN… SID).
    if (!existing && sender.phone) {
      existing = await ctx.db
        .selectFrom('numbers')
        .selectAll()
        .where('provider', '=', sender.provider)
        .where('phone_number', '=', sender.phone)
        .executeTakeFirst();
    }
    if (existing?.phone_number) {
      if (existing.organization_id) ctx.log.warn({ provider: sender.provider }, 'an environment sender is a number of an organization; it stays theirs');
      registered.push(existing);
      continue;
    }
    let phone: string | null = null;
    try {
      phone = sender.phone ?? (await sender.lookUpPhone?.()) ?? null;
    } catch (err) {
      ctx.log.warn({ provider: sender.provider, err: (err as Error).message }, 'the platform sender’s phone number could not be read from the provider');
    }
    if (existing) {
      if (phone) {
        await ctx.db.updateTable('numbers').set({ phone_number: phone }).where('id', '=', existing.id).execute();
        invalidateLookups(ctx);
      }
      registered.push({ ...existing, phone_number: phone });
      continue;
    }
    const row = newNumberRow(ctx, {
      organization_id: null,
      provider: sender.provider,
      phone_number: phone,
      provider_id: sender.providerId,
      display_name: sender.displayName,
      connection_id: null,
    });
    try {
      await ctx.db.insertInto('numbers').values(row).execute();
      registered.push(row);
    } catch (err) {
      // another instance starting at the same time registered it
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return registered;
}
