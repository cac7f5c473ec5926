// Twilio numbers for organizations (seed 002): search, buy, release, through the official SDK with
// the platform's account. Buying a number does not make it a WhatsApp sender (providers.md §1.5),
// so a bought number starts with sender status `pending` and the answer says what is left to do.
import { randomUUID } from 'node:crypto';
import { AppError, badRequest, notFound, unavailable } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import type { TwilioCredentials } from '../../providers/provider.js';
import { twilioClient } from '../../providers/twilio/client.js';
import type { AppContext } from '../context.js';
import { getOrganization, numbersOf, organizationNumber } from '../tenancy/organizations.js';

/** Where Twilio sells numbers that can carry WhatsApp for us; GB's SMS-capable numbers are mobile ones. */
const NUMBER_TYPE_BY_COUNTRY = { US: 'local', CA: 'local', GB: 'mobile' } as const;
type SupportedCountry = keyof typeof NUMBER_TYPE_BY_COUNTRY;

export const SUPPORTED_COUNTRIES = Object.keys(NUMBER_TYPE_BY_COUNTRY) as SupportedCountry[];

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  capabilities: { SMS: boolean; MMS: boolean; voice: boolean };
}

function platformTwilio(ctx: AppContext): TwilioCredentials {
  const { accountSid, authToken } = ctx.config.twilio;
  if (!accountSid || !authToken) {
    throw unavailable('Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to search and buy numbers.', 'TWILIO_NOT_CONFIGURED');
  }
  return { accountSid, authToken };
}

/** Twilio's errors (RestException: status, code, message) as sentences with a fitting status. */
function twilioError(err: unknown, doing: string): AppError {
  const e = err as { status?: number; code?: number; message?: string };
  if (typeof e?.status !== 'number') {
    return new AppError(502, 'PROVIDER_UNREACHABLE', `Twilio could not be reached while ${doing}; try again shortly.`);
  }
  const detail = `${e.message ?? 'no detail'}${e.code ? ` (Twilio error ${e.code})` : ''}`;
  if (e.status === 401 || e.status === 403) {
    return new AppError(502, 'PROVIDER_AUTH_FAILED', `Twilio refused the platform's credentials while ${doing}: ${detail}.`);
  }
  if (e.status === 429) return new AppError(503, 'PROVIDER_BUSY', `Twilio is rate limiting requests; try ${doing} again shortly.`);
  if (e.status >= 400 && e.status < 500) return badRequest(`Twilio refused ${doing}: ${detail}.`, 'PROVIDER_REJECTED');
  return new AppError(502, 'PROVIDER_ERROR', `Twilio failed while ${doing}: ${detail}.`);
}

function capability(caps: Record<string, unknown> | undefined, name: string): boolean {
  if (!caps) return false;
  const key = Object.keys(caps).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? caps[key] === true : false;
}

export async function searchNumbers(ctx: AppContext, query: { country: string; areaCode?: string; limit?: number }): Promise<AvailableNumber[]> {
  const country = query.country.toUpperCase();
  if (!(country in NUMBER_TYPE_BY_COUNTRY)) {
    throw badRequest(
      `Twilio has no WhatsApp-capable numbers for ${country}; use a US number instead — customers in ${country} can message a US WhatsApp number without issues. ` +
        `Countries available: ${SUPPORTED_COUNTRIES.join(', ')}.`,
      'COUNTRY_NOT_SUPPORTED',
    );
  }
  const { client } = twilioClient(ctx.config, platformTwilio(ctx));
  const type = NUMBER_TYPE_BY_COUNTRY[country as SupportedCountry];
  const options = { smsEnabled: true, limit: query.limit ?? 20, ...(query.areaCode ? { areaCode: Number(query.areaCode) } : {}) };
  let found: Array<{ phoneNumber: string; friendlyName: string; locality?: string; region?: string; capabilities: unknown }>;
  try {
    const listing = client.availablePhoneNumbers(country);
    found = type === 'mobile' ? await listing.mobile.list(options) : await listing.local.list(options);
  } catch (err) {
    throw twilioError(err, 'searching for numbers');
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

/** The webhook Twilio calls for messages and status callbacks of numbers we buy. */
export function twilioWebhookUrl(ctx: AppContext): string {
  return `${ctx.config.publicUrl}/api/webhooks/twilio`;
}

export async function provisionNumber(
  ctx: AppContext,
  organizationId: string,
  phoneNumberInput: string,
): Promise<{ organization: { id: string; whatsappNumber: string; whatsappNumberSid: string }; message: string }> {
  const org = await getOrganization(ctx, organizationId);
  const phoneNumber = toE164(phoneNumberInput);
  if (!phoneNumber) throw badRequest('phoneNumber must be an E.164 number from the search, e.g. +14155551234.', 'VALIDATION_ERROR');
  if ((await numbersOf(ctx, [org.id])).length > 0) throw badRequest('Organization already has a WhatsApp number', 'ALREADY_HAS_NUMBER');
  const { client } = twilioClient(ctx.config, platformTwilio(ctx));
  const webhook = twilioWebhookUrl(ctx);
  let bought;
  try {
    bought = await client.incomingPhoneNumbers.create({
      phoneNumber,
      friendlyName: `Switchboard: ${org.name}`.slice(0, 64),
      smsUrl: webhook,
      smsMethod: 'POST',
      statusCallback: webhook,
      statusCallbackMethod: 'POST',
    });
  } catch (err) {
    throw twilioError(err, `buying ${phoneNumber}`);
  }
  try {
    await ctx.db
      .insertInto('numbers')
      .values({
        id: randomUUID(),
        organization_id: org.id,
        provider: 'twilio',
        phone_number: toE164(bought.phoneNumber) ?? phoneNumber,
        provider_id: bought.sid,
        display_name: bought.friendlyName ?? null,
        connection_id: null,
        sender_status: 'pending',
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
  } catch (err) {
    // We paid for a number we cannot record: give it back rather than rent it unseen.
    await client.incomingPhoneNumbers(bought.sid).remove().catch(() => undefined);
    throw err;
  }
  return {
    organization: { id: org.id, whatsappNumber: phoneNumber, whatsappNumberSid: bought.sid },
    message:
      `WhatsApp number provisioned successfully: ${phoneNumber} is bought and its webhook points at ${webhook}. ` +
      'It must still be registered as a WhatsApp sender (Twilio Console or the Senders API) before WhatsApp messages reach it; its sender status is pending.',
  };
}

export async function releaseNumber(ctx: AppContext, organizationId: string): Promise<{ message: string }> {
  await getOrganization(ctx, organizationId);
  const number = await organizationNumber(ctx, organizationId, 'twilio');
  if (!number) throw notFound('Provisioned Twilio number of this organization');
  const { client } = twilioClient(ctx.config, platformTwilio(ctx));
  let alreadyGone = false;
  try {
    await client.incomingPhoneNumbers(number.provider_id).remove();
  } catch (err) {
    const e = err as { status?: number; code?: number };
    // 20404: Twilio no longer has it (released in the Console, or a retry of this call).
    if (e?.status === 404) alreadyGone = true;
    else throw twilioError(err, `releasing ${number.phone_number ?? number.provider_id}`);
  }
  await ctx.db.deleteFrom('numbers').where('id', '=', number.id).execute();
  return {
    message: alreadyGone
      ? `Twilio no longer had ${number.phone_number} (already released); it is now removed from this organization.`
      : 'WhatsApp number released successfully',
  };
}
