// The platform's shared Meta business account (seed 004): list its phone numbers and assign one to
// each organization (`storeId` is an organization id). Inbound routing then finds the organization
// by `metadata.phone_number_id`; sends use the platform's token with the assigned id.
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, unavailable } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import type { BusinessPhoneNumber } from '../../providers/provider.js';
import { providers } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { assertNumberAvailable, getOrganization, organizationNumber } from '../tenancy/organizations.js';
import { invalidateLookups } from '../lookup-cache.js';
import { providerError } from './provider-errors.js';

export type { BusinessPhoneNumber } from '../../providers/provider.js';

// The platform's business account is at Meta: the adapter's list and look-up of its numbers.
const meta = providers.meta;
const account = { list: meta.numbers!.list!, lookUp: meta.numbers!.lookUp! };

export interface MetaAssignment {
  id: string;
  whatsappPhoneNumberId: string | null;
  whatsappDisplayNumber: string | null;
}

function platformMeta(ctx: AppContext): { token: string; businessAccountId: string | undefined } {
  const credentials = meta.platformCredentials(ctx.config);
  if (!credentials?.accessToken)
    throw unavailable('Meta is not configured: set WHATSAPP_ACCESS_TOKEN (and WHATSAPP_BUSINESS_ACCOUNT_ID).', 'META_NOT_CONFIGURED');
  return { token: credentials.accessToken, businessAccountId: credentials.businessAccountId };
}

/** Whether the platform's business account can be listed (a token and a business account id): the dashboard offers it only then. */
export function businessAccountConfigured(ctx: AppContext): boolean {
  const credentials = meta.platformCredentials(ctx.config);
  return Boolean(credentials?.accessToken && credentials.businessAccountId);
}

export async function listBusinessNumbers(ctx: AppContext): Promise<BusinessPhoneNumber[]> {
  const { token, businessAccountId } = platformMeta(ctx);
  if (!businessAccountId) throw unavailable('WHATSAPP_BUSINESS_ACCOUNT_ID is not set, so the business account cannot be listed.', 'META_NOT_CONFIGURED');
  try {
    return await account.list(ctx, { accessToken: token, businessAccountId });
  } catch (err) {
    throw providerError(meta, err, 'listing the business account phone numbers');
  }
}

async function fetchDisplayNumber(ctx: AppContext, phoneNumberId: string, token: string): Promise<string> {
  let display: string;
  try {
    display = (await account.lookUp(ctx, { accessToken: token }, phoneNumberId)).displayNumber;
  } catch (err) {
    throw providerError(meta, err, `reading phone number ${phoneNumberId}`);
  }
  if (!display) throw badRequest(`Meta has no display number for phone number id ${phoneNumberId}; send displayNumber.`, 'PROVIDER_REJECTED');
  return display;
}

export async function getMetaAssignment(ctx: AppContext, organizationId: string): Promise<MetaAssignment> {
  await getOrganization(ctx, organizationId);
  const row = await organizationNumber(ctx, organizationId, 'meta');
  return {
    id: organizationId,
    whatsappPhoneNumberId: row?.provider_id ?? null,
    whatsappDisplayNumber: row ? (row.display_name ?? row.phone_number) : null,
  };
}

/**
 * Gives an organization a phone number of the platform's business account, replacing the one it had.
 * The same number for the same organization again is a no-op; another organization's is a 409.
 */
export async function assignMetaNumber(
  ctx: AppContext,
  organizationId: string,
  input: { phoneNumberId: string; displayNumber?: string },
): Promise<MetaAssignment> {
  await getOrganization(ctx, organizationId);
  const { token } = platformMeta(ctx);
  const holder = await assertNumberAvailable(
    ctx,
    organizationId,
    'meta',
    input.phoneNumberId,
    `Phone number ${input.phoneNumberId}`,
    'NUMBER_ASSIGNED_ELSEWHERE',
  );
  const current = await organizationNumber(ctx, organizationId, 'meta');
  if (!holder && !current) await assertUnderNumberLimit(ctx);
  const display = input.displayNumber ?? (await fetchDisplayNumber(ctx, input.phoneNumberId, token));
  const values = {
    provider_id: input.phoneNumberId,
    phone_number: toE164(display) ?? null,
    display_name: display,
    sender_status: 'online',
  };
  if (current) {
    await ctx.db.updateTable('numbers').set(values).where('id', '=', current.id).execute();
  } else {
    await ctx.db
      .insertInto('numbers')
      .values({
        id: randomUUID(),
        organization_id: organizationId,
        provider: 'meta',
        connection_id: null,
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: ctx.clock.now().toISOString(),
        ...values,
      })
      .execute();
  }
  invalidateLookups(ctx);
  return { id: organizationId, whatsappPhoneNumberId: input.phoneNumberId, whatsappDisplayNumber: display };
}

/** Meta caps the numbers of one business account (2 while registering, 25 by default, up to 120). */
async function assertUnderNumberLimit(ctx: AppContext): Promise<void> {
  const limit = ctx.config.meta.numberLimit;
  const row = await ctx.db
    .selectFrom('numbers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('provider', '=', 'meta')
    .where('connection_id', 'is', null)
    .executeTakeFirstOrThrow();
  if (Number(row.n) >= limit) {
    throw conflict(
      `The business account's number limit is reached: ${limit} phone numbers are assigned (META_NUMBER_LIMIT). ` +
        'Remove an assignment, or ask Meta to raise the limit and raise META_NUMBER_LIMIT (up to 120).',
      'NUMBER_LIMIT_REACHED',
    );
  }
}

export async function removeMetaAssignment(ctx: AppContext, organizationId: string): Promise<{ message: string }> {
  await getOrganization(ctx, organizationId);
  const row = await organizationNumber(ctx, organizationId, 'meta');
  if (!row) throw notFound('Meta phone number assignment of this organization');
  await ctx.db.deleteFrom('numbers').where('id', '=', row.id).execute();
  invalidateLookups(ctx);
  return { message: `Phone number ${row.provider_id} is no longer assigned to this organization.` };
}
