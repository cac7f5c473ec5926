// Twilio numbers for organizations (seed 002): search, buy, release, through the official SDK with
// the platform's account. Buying a number does not make it a WhatsApp sender (providers.md §1.5),
// so a bought number starts with sender status `pending` and the answer says what is left to do.
import { randomUUID } from 'node:crypto';
import { AppError, badRequest, notFound, unavailable } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import { ProviderRequestError, type TwilioCredentials } from '../../providers/provider.js';
import { twilio, TWILIO_WEBHOOK_PATH } from '../../providers/twilio/index.js';
import {
  type AvailableNumber,
  buyTwilioNumber,
  releaseTwilioNumber,
  searchTwilioNumbers,
  TWILIO_NUMBER_TYPES,
  type TwilioNumberCountry,
} from '../../providers/twilio/numbers.js';
import type { AppContext } from '../context.js';
import { getOrganization, numbersOf, organizationNumber } from '../tenancy/organizations.js';
import { invalidateLookups } from '../lookup-cache.js';

export type { AvailableNumber } from '../../providers/twilio/numbers.js';

export const SUPPORTED_COUNTRIES = Object.keys(TWILIO_NUMBER_TYPES) as TwilioNumberCountry[];

function platformTwilio(ctx: AppContext): TwilioCredentials {
  const credentials = twilio.platformCredentials(ctx.config);
  if (!credentials) {
    throw unavailable('Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to search and buy numbers.', 'TWILIO_NOT_CONFIGURED');
  }
  return credentials;
}

/** Twilio's refusals as sentences with a fitting status; anything else is passed on as it is. */
export function twilioError(err: unknown, doing: string, credentials = "the platform's credentials"): unknown {
  if (!(err instanceof ProviderRequestError)) return err;
  switch (err.kind) {
    case 'unreachable':
      return new AppError(502, 'PROVIDER_UNREACHABLE', `Twilio could not be reached while ${doing}; try again shortly.`);
    case 'auth':
      return new AppError(502, 'PROVIDER_AUTH_FAILED', `Twilio refused ${credentials} while ${doing}: ${err.detail}.`);
    case 'busy':
      return new AppError(503, 'PROVIDER_BUSY', `Twilio is rate limiting requests; try ${doing} again shortly.`);
    case 'rejected':
    case 'unknown':
      return badRequest(`Twilio refused ${doing}: ${err.detail}.`, 'PROVIDER_REJECTED');
    case 'failed':
      return new AppError(502, 'PROVIDER_ERROR', `Twilio failed while ${doing}: ${err.detail}.`);
  }
}

export async function searchNumbers(ctx: AppContext, query: { country: string; areaCode?: string; limit?: number }): Promise<AvailableNumber[]> {
  const country = query.country.toUpperCase();
  if (!(country in TWILIO_NUMBER_TYPES)) {
    throw badRequest(
      `Twilio has no WhatsApp-capable numbers for ${country}; use a US number instead — customers in ${country} can message a US WhatsApp number without issues. ` +
        `Countries available: ${SUPPORTED_COUNTRIES.join(', ')}.`,
      'COUNTRY_NOT_SUPPORTED',
    );
  }
  const credentials = platformTwilio(ctx);
  try {
    return await searchTwilioNumbers(ctx.config, credentials, { country: country as TwilioNumberCountry, areaCode: query.areaCode, limit: query.limit ?? 20 });
  } catch (err) {
    throw twilioError(err, 'searching for numbers');
  }
}

/** The webhook Twilio calls for messages and status callbacks of numbers we buy. */
export function twilioWebhookUrl(ctx: AppContext): string {
  // The URL the adapter declares, so a bought number always points where webhooks are registered.
  return `${ctx.config.publicUrl}${TWILIO_WEBHOOK_PATH}`;
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
  const credentials = platformTwilio(ctx);
  const webhook = twilioWebhookUrl(ctx);
  let bought: Awaited<ReturnType<typeof buyTwilioNumber>>;
  try {
    bought = await buyTwilioNumber(ctx.config, credentials, { phoneNumber, friendlyName: `Switchboard: ${org.name}`.slice(0, 64), webhookUrl: webhook });
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
        display_name: bought.friendlyName,
        connection_id: null,
        sender_status: 'pending',
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
  } catch (err) {
    // We paid for a number we cannot record: give it back rather than rent it unseen.
    await releaseTwilioNumber(ctx.config, credentials, bought.sid).catch(() => undefined);
    throw err;
  }
  invalidateLookups(ctx);
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
  const credentials = platformTwilio(ctx);
  let alreadyGone: boolean;
  try {
    ({ alreadyGone } = await releaseTwilioNumber(ctx.config, credentials, number.provider_id));
  } catch (err) {
    throw twilioError(err, `releasing ${number.phone_number ?? number.provider_id}`);
  }
  await ctx.db.deleteFrom('numbers').where('id', '=', number.id).execute();
  invalidateLookups(ctx);
  return {
    message: alreadyGone
      ? `Twilio no longer had ${number.phone_number} (already released); it is now removed from this organization.`
      : 'WhatsApp number released successfully',
  };
}
