// Twilio numbers through the official SDK (providers.md §1.5): search what is for sale, buy, release.
// Answers come back in our shapes and failures as ProviderRequestError; which organization a number
// belongs to, and what to answer, is decided in services/numbers/ (through the adapter's `numbers`).
import type { Config } from '../../config.js';
import { toE164 } from '../../core/phone.js';
import {
  type AvailableNumber,
  type NumberAbilities,
  type PlatformSender,
  type ProviderContext,
  ProviderRequestError,
  type TwilioCredentials,
} from '../provider.js';
import { twilioClient } from './client.js';

/** Where Twilio sells numbers that can carry WhatsApp for us; GB's SMS-capable numbers are mobile ones. */
export const TWILIO_NUMBER_TYPES = { US: 'local', CA: 'local', GB: 'mobile' } as const;
export type TwilioNumberCountry = keyof typeof TWILIO_NUMBER_TYPES;

export type { AvailableNumber } from '../provider.js';

export interface BoughtNumber {
  /** the `PN…` SID */
  sid: string;
  phoneNumber: string;
  friendlyName: string | null;
}

/** The SDK's RestException (status, code, message), or no status at all when Twilio did not answer. */
function requestError(err: unknown): ProviderRequestError {
  const e = err as { status?: number; code?: number; message?: string };
  if (typeof e?.status !== 'number') return new ProviderRequestError('unreachable', e?.message ?? 'no answer');
  const detail = `${e.message ?? 'no detail'}${e.code ? ` (Twilio error ${e.code})` : ''}`;
  if (e.status === 401 || e.status === 403) return new ProviderRequestError('auth', detail);
  if (e.status === 429) return new ProviderRequestError('busy', detail);
  if (e.status >= 400 && e.status < 500) return new ProviderRequestError('rejected', detail);
  return new ProviderRequestError('failed', detail);
}

/** Twilio names capabilities `SMS`/`MMS`/`voice` in one resource and lower-case in another. */
function capability(caps: Record<string, unknown> | undefined, name: string): boolean {
  if (!caps) return false;
  const key = Object.keys(caps).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? caps[key] === true : false;
}

/** GET /AvailablePhoneNumbers/{country}/{Local|Mobile}.json, SMS-enabled numbers only. */
export async function searchTwilioNumbers(
  config: Config,
  credentials: TwilioCredentials,
  query: { country: TwilioNumberCountry; areaCode?: string; limit: number },
): Promise<AvailableNumber[]> {
  const { client } = twilioClient(config, credentials);
  const options = { smsEnabled: true, limit: query.limit, ...(query.areaCode ? { areaCode: Number(query.areaCode) } : {}) };
  let found: Array<{ phoneNumber: string; friendlyName: string; locality?: string; region?: string; capabilities: unknown }>;
  try {
    const listing = client.availablePhoneNumbers(query.country);
    found = TWILIO_NUMBER_TYPES[query.country] === 'mobile' ? await listing.mobile.list(options) : await listing.local.list(options);
  } catch (err) {
    throw requestError(err);
  }
  return found.map((n) => {
    const caps = n.capabilities as Record<string, unknown> | undefined;
    return {
      phoneNumber: n.phoneNumber,
      friendlyName: n.locality && n.region ? `${n.locality}, ${n.region}` : n.friendlyName,
      capabilities: { SMS: capability(caps, 'sms'), MMS: capability(caps, 'mms'), voice: capability(caps, 'voice') },
    };
  });
}

/** POST /IncomingPhoneNumbers.json: buys the number with messages and status callbacks to `webhookUrl`. */
export async function buyTwilioNumber(
  config: Config,
  credentials: TwilioCredentials,
  input: { phoneNumber: string; friendlyName: string; webhookUrl: string },
): Promise<BoughtNumber> {
  const { client } = twilioClient(config, credentials);
  try {
    const bought = await client.incomingPhoneNumbers.create({
      phoneNumber: input.phoneNumber,
      friendlyName: input.friendlyName,
      smsUrl: input.webhookUrl,
      smsMethod: 'POST',
      statusCallback: input.webhookUrl,
      statusCallbackMethod: 'POST',
    });
    return { sid: bought.sid, phoneNumber: bought.phoneNumber, friendlyName: bought.friendlyName ?? null };
  } catch (err) {
    throw requestError(err);
  }
}

/** DELETE /IncomingPhoneNumbers/{sid}.json. `alreadyGone`: Twilio no longer had it (20404). */
export async function releaseTwilioNumber(config: Config, credentials: TwilioCredentials, sid: string): Promise<{ alreadyGone: boolean }> {
  const { client } = twilioClient(config, credentials);
  try {
    await client.incomingPhoneNumbers(sid).remove();
    return { alreadyGone: false };
  } catch (err) {
    // Released in the Console, or a retry of this call.
    if ((err as { status?: number })?.status === 404) return { alreadyGone: true };
    throw requestError(err);
  }
}

/** GET /IncomingPhoneNumbers.json?PhoneNumber=: the account's own number, or undefined when it has none such. */
export async function findTwilioNumber(config: Config, credentials: TwilioCredentials, phoneNumber: string): Promise<BoughtNumber | undefined> {
  const { client } = twilioClient(config, credentials);
  try {
    const [found] = await client.incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
    return found ? { sid: found.sid, phoneNumber: found.phoneNumber, friendlyName: found.friendlyName ?? null } : undefined;
  } catch (err) {
    throw requestError(err);
  }
}

/** GET /Accounts/{sid}.json: the credentials work (ProviderRequestError `auth` when they do not). */
export async function checkTwilioAccount(config: Config, credentials: TwilioCredentials): Promise<{ friendlyName: string | null }> {
  const { client } = twilioClient(config, credentials);
  try {
    const account = await client.api.v2010.accounts(credentials.accountSid).fetch();
    return { friendlyName: account.friendlyName ?? null };
  } catch (err) {
    throw requestError(err);
  }
}

/** The adapter's number abilities: search, buy, release, and find one of an account's numbers. */
export const twilioNumbers = {
  account: 'Twilio account',
  credentialsName: 'credentials',
  search: {
    countries: Object.keys(TWILIO_NUMBER_TYPES),
    run: (ctx, credentials, query) => searchTwilioNumbers(ctx.config, credentials, { ...query, country: query.country as TwilioNumberCountry }),
  },
  buy: async (ctx, credentials, input) => {
    const bought = await buyTwilioNumber(ctx.config, credentials, input);
    return { providerId: bought.sid, phoneNumber: bought.phoneNumber, displayName: bought.friendlyName };
  },
  release: (ctx, credentials, sid) => releaseTwilioNumber(ctx.config, credentials, sid),
  find: async (ctx, credentials, phone) => {
    const found = await findTwilioNumber(ctx.config, credentials, phone);
    return found ? { providerId: found.sid, phoneNumber: found.phoneNumber, displayName: found.friendlyName } : undefined;
  },
} satisfies NumberAbilities<TwilioCredentials>;

export async function checkTwilioCredentials(ctx: ProviderContext, credentials: TwilioCredentials): Promise<{ notReady?: string }> {
  await checkTwilioAccount(ctx.config, credentials);
  return {};
}

/** TWILIO_PHONE_NUMBER: the number's PN… SID is not in the environment; its E.164 stands for it (webhooks route by `To`). */
export function platformTwilioSender(ctx: ProviderContext): PlatformSender | undefined {
  const phone = ctx.config.twilio.phoneNumber ? toE164(ctx.config.twilio.phoneNumber) : undefined;
  return phone ? { providerId: phone, phone, displayName: 'Platform Twilio sender' } : undefined;
}
