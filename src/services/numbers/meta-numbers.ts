// The platform's shared Meta business account (seed 004): list its phone numbers and assign one to
// each organization (`storeId` is an organization id). Inbound routing then finds the organization
// by `metadata.phone_number_id`; sends use the platform's token with the assigned id.
import { randomUUID } from 'node:crypto';
import { AppError, badRequest, conflict, notFound, unavailable } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import { isRecord, requestJson } from '../../providers/transport.js';
import { ProviderSendError } from '../../providers/provider.js';
import type { AppContext } from '../context.js';
import { assertNumberAvailable, getOrganization, organizationNumber } from '../tenancy/organizations.js';

export interface BusinessPhoneNumber {
  phoneNumberId: string;
  displayNumber: string;
  verifiedName: string | null;
  verificationStatus: string | null;
}

export interface MetaAssignment {
  id: string;
  whatsappPhoneNumberId: string | null;
  whatsappDisplayNumber: string | null;
}

const FIELDS = 'id,display_phone_number,verified_name,code_verification_status,quality_rating,status';
/** Graph pages hold 25 by default; the account limit is at most 120 numbers. */
const MAX_PAGES = 10;

function platformMeta(ctx: AppContext): { token: string; businessAccountId: string | undefined } {
  const { accessToken, businessAccountId } = ctx.config.meta;
  if (!accessToken) throw unavailable('Meta is not configured: set WHATSAPP_ACCESS_TOKEN (and WHATSAPP_BUSINESS_ACCOUNT_ID).', 'META_NOT_CONFIGURED');
  return { token: accessToken, businessAccountId };
}

function graphUrl(ctx: AppContext, path: string): string {
  return `${ctx.config.meta.graphBaseUrl}/${ctx.config.meta.apiVersion}/${path}`;
}

/** One Graph GET; Graph errors (`{error:{message, code}}`) become sentences. */
async function graphGet(ctx: AppContext, url: string, token: string, doing: string): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await requestJson(url, { headers: { authorization: `Bearer ${token}` } }, 'Meta');
  } catch (err) {
    if (err instanceof ProviderSendError) throw new AppError(502, 'PROVIDER_UNREACHABLE', `Meta could not be reached while ${doing}; try again shortly.`);
    throw err;
  }
  const body = isRecord(response.body) ? response.body : {};
  if (response.status >= 200 && response.status < 300) return body;
  const error = isRecord(body.error) ? body.error : {};
  const detail = `${typeof error.message === 'string' ? error.message : `HTTP ${response.status}`}${error.code !== undefined ? ` (Graph error ${String(error.code)})` : ''}`;
  if (response.status === 401 || error.code === 190) {
    throw new AppError(502, 'PROVIDER_AUTH_FAILED', `Meta refused the platform's access token while ${doing}: ${detail}.`);
  }
  if (response.status === 404 || (response.status === 400 && error.code === 100)) throw badRequest(`Meta does not know this while ${doing}: ${detail}.`, 'PROVIDER_REJECTED');
  if (response.status === 429) throw new AppError(503, 'PROVIDER_BUSY', `Meta is rate limiting requests; try ${doing} again shortly.`);
  throw new AppError(502, 'PROVIDER_ERROR', `Meta failed while ${doing}: ${detail}.`);
}

function toBusinessNumber(entry: Record<string, unknown>): BusinessPhoneNumber {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    phoneNumberId: String(entry.id),
    displayNumber: text(entry.display_phone_number) ?? '',
    verifiedName: text(entry.verified_name),
    verificationStatus: text(entry.code_verification_status),
  };
}

export async function listBusinessNumbers(ctx: AppContext): Promise<BusinessPhoneNumber[]> {
  const { token, businessAccountId } = platformMeta(ctx);
  if (!businessAccountId) throw unavailable('WHATSAPP_BUSINESS_ACCOUNT_ID is not set, so the business account cannot be listed.', 'META_NOT_CONFIGURED');
  const numbers: BusinessPhoneNumber[] = [];
  let url: string | undefined = `${graphUrl(ctx, `${encodeURIComponent(businessAccountId)}/phone_numbers`)}?fields=${FIELDS}`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const body = await graphGet(ctx, url, token, 'listing the business account phone numbers');
    for (const entry of Array.isArray(body.data) ? body.data : []) if (isRecord(entry) && entry.id !== undefined) numbers.push(toBusinessNumber(entry));
    const paging = isRecord(body.paging) ? body.paging : {};
    // The token goes only to the Graph origin we were configured with.
    const next = typeof paging.next === 'string' ? paging.next : undefined;
    url = next && URL.canParse(next) && new URL(next).origin === new URL(ctx.config.meta.graphBaseUrl).origin ? next : undefined;
  }
  return numbers;
}

async function fetchDisplayNumber(ctx: AppContext, phoneNumberId: string, token: string): Promise<string> {
  const body = await graphGet(ctx, `${graphUrl(ctx, encodeURIComponent(phoneNumberId))}?fields=${FIELDS}`, token, `reading phone number ${phoneNumberId}`);
  const display = toBusinessNumber({ id: phoneNumberId, ...body }).displayNumber;
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
  const holder = await assertNumberAvailable(ctx, organizationId, 'meta', input.phoneNumberId, `Phone number ${input.phoneNumberId}`, 'NUMBER_ASSIGNED_ELSEWHERE');
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
  return { message: `Phone number ${row.provider_id} is no longer assigned to this organization.` };
}
