// Twilio numbers for organizations (seed 002): search, buy, release, through the official SDK with
// the platform's account. Buying a number does not make it a WhatsApp sender (providers.md §1.5),
// so a bought number starts with sender status `pending` and the answer says what is left to do.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, unavailable } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import type { NumberRow } from '../../db/schema.js';
import type { AccountNumber, AvailableNumber, TwilioCredentials } from '../../providers/provider.js';
import { providers } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { getOrganization, numbersOf, organizationNumber } from '../tenancy/organizations.js';
import { invalidateLookups } from '../lookup-cache.js';
import { providerError } from './provider-errors.js';

export type { AvailableNumber } from '../../providers/provider.js';

// The platform rents numbers from its Twilio account: the adapter's search, buy and release.
const twilio = providers.twilio;
const sale = { search: twilio.numbers!.search!, buy: twilio.numbers!.buy!, release: twilio.numbers!.release! };

export const SUPPORTED_COUNTRIES = sale.search.countries;

function platformTwilio(ctx: AppContext): TwilioCredentials {
  const credentials = twilio.platformCredentials(ctx.config);
  if (!credentials) {
    throw unavailable('Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to search and buy numbers.', 'TWILIO_NOT_CONFIGURED');
  }
  return credentials;
}

/** Whether the platform's Twilio account is configured: numbers can be searched and bought only then. */
export const twilioConfigured = (ctx: AppContext) => twilio.platformCredentials(ctx.config) !== undefined;

/** Twilio's refusals as sentences with a fitting status; anything else is passed on as it is. */
export function twilioError(err: unknown, doing: string, credentials?: string): unknown {
  return providerError(twilio, err, doing, credentials);
}

export async function searchNumbers(ctx: AppContext, query: { country: string; areaCode?: string; limit?: number }): Promise<AvailableNumber[]> {
  const country = query.country.toUpperCase();
  if (!SUPPORTED_COUNTRIES.includes(country)) {
    throw badRequest(
      `Twilio has no WhatsApp-capable numbers for ${country}; use a US number instead — customers in ${country} can message a US WhatsApp number without issues. ` +
        `Countries available: ${SUPPORTED_COUNTRIES.join(', ')}.`,
      'COUNTRY_NOT_SUPPORTED',
    );
  }
  const credentials = platformTwilio(ctx);
  try {
    return await sale.search.run(ctx, credentials, { country, areaCode: query.areaCode, limit: query.limit ?? 20 });
  } catch (err) {
    throw twilioError(err, 'searching for numbers');
  }
}

/** The webhook Twilio calls for messages and status callbacks of numbers we buy. */
export function twilioWebhookUrl(ctx: AppContext): string {
  // The URL the adapter declares, so a bought number always points where webhooks are registered.
  const route = twilio.webhooks.find((w) => w.kind === 'receive')!;
  return `${ctx.config.publicUrl}${route.path}`;
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
  let bought: AccountNumber;
  try {
    bought = await sale.buy(ctx, credentials, { phoneNumber, friendlyName: `Switchboard: ${org.name}`.slice(0, 64), webhookUrl: webhook });
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
        provider_id: bought.providerId,
        display_name: bought.displayName,
        connection_id: null,
        sender_status: 'pending',
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
  } catch (err) {
    // We paid for a number we cannot record: give it back rather than rent it unseen.
    await sale.release(ctx, credentials, bought.providerId).catch(() => undefined);
    throw err;
  }
  invalidateLookups(ctx);
  return {
    organization: { id: org.id, whatsappNumber: phoneNumber, whatsappNumberSid: bought.providerId },
    message:
      `WhatsApp number provisioned successfully: ${phoneNumber} is bought and its webhook points at ${webhook}. ` +
      'It must still be registered as a WhatsApp sender (Twilio Console or the Senders API) before WhatsApp messages reach it; its sender status is pending.',
  };
}

/** A number the platform bought at Twilio for an organization (not one of the organization's own account). */
export const isBoughtNumber = (number: NumberRow) =>
  number.provider === twilio.name && number.connection_id === null && number.is_dedicated === 1 && number.organization_id !== null;

/** Gives a bought number back at Twilio (the IncomingPhoneNumber is deleted); `alreadyGone`: Twilio no longer had it. */
export async function releaseBought(ctx: AppContext, number: NumberRow): Promise<{ alreadyGone: boolean }> {
  const credentials = platformTwilio(ctx);
  try {
    return await sale.release(ctx, credentials, number.provider_id);
  } catch (err) {
    throw twilioError(err, `releasing ${number.phone_number ?? number.provider_id}`);
  }
}

export async function releaseNumber(ctx: AppContext, organizationId: string): Promise<{ message: string }> {
  await getOrganization(ctx, organizationId);
  const number = await organizationNumber(ctx, organizationId, 'twilio');
  if (!number) throw notFound('Provisioned Twilio number of this organization');
  const { alreadyGone } = await releaseBought(ctx, number);
  await ctx.db.deleteFrom('numbers').where('id', '=', number.id).execute();
  invalidateLookups(ctx);
  return {
    message: alreadyGone
      ? `Twilio no longer had ${number.phone_number} (already released); it is now removed from this organization.`
      : 'WhatsApp number released successfully',
  };
}
