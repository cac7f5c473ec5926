// The platform's own senders from the environment (TWILIO_PHONE_NUMBER, WHATSAPP_PHONE_NUMBER_ID,
// WHAPI_CHANNEL_ID), registered as platform numbers at start-up so a widget with no number of its
// own hands over from them (SPEC §8 "Choosing the sender", step 3).
import { toE164 } from '../../core/phone.js';
import { isUniqueViolation } from '../../db/database.js';
import type { NumberRow } from '../../db/schema.js';
import { lookUpMetaNumber } from '../../providers/meta/numbers.js';
import { whapiChannelHealth } from '../../providers/whapi/channel.js';
import type { AppContext } from '../context.js';
import { invalidateLookups } from '../lookup-cache.js';
import { newNumberRow } from './rows.js';

interface EnvironmentSender {
  provider: 'twilio' | 'meta' | 'whapi';
  providerId: string;
  phone: () => Promise<string | null>;
  displayName: string;
}

function environmentSenders(ctx: AppContext): EnvironmentSender[] {
  const { twilio, meta, whapi } = ctx.config;
  const senders: EnvironmentSender[] = [];
  const twilioPhone = twilio.phoneNumber ? toE164(twilio.phoneNumber) : undefined;
  // The number's PN… SID is not in the environment; its E.164 stands for it (webhooks route by `To`).
  if (twilioPhone) senders.push({ provider: 'twilio', providerId: twilioPhone, phone: async () => twilioPhone, displayName: 'Platform Twilio sender' });
  if (meta.phoneNumberId) {
    const id = meta.phoneNumberId;
    const token = meta.accessToken;
    senders.push({
      provider: 'meta',
      providerId: id,
      phone: async () => (token ? (toE164((await lookUpMetaNumber(ctx.config, token, id)).displayNumber) ?? null) : null),
      displayName: 'Platform Meta sender',
    });
  }
  if (whapi.channelId) {
    const token = whapi.token;
    senders.push({
      provider: 'whapi',
      providerId: whapi.channelId,
      phone: async () => (token ? (await whapiChannelHealth(ctx.config, token)).phoneNumber : null),
      displayName: 'Platform Whapi channel',
    });
  }
  return senders;
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
    if (!existing && sender.provider === 'twilio') {
      existing = await ctx.db
        .selectFrom('numbers')
        .selectAll()
        .where('provider', '=', 'twilio')
        .where('phone_number', '=', sender.providerId)
        .executeTakeFirst();
    }
    if (existing?.phone_number) {
      if (existing.organization_id) ctx.log.warn({ provider: sender.provider }, 'an environment sender is a number of an organization; it stays theirs');
      registered.push(existing);
      continue;
    }
    let phone: string | null = null;
    try {
      phone = await sender.phone();
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
