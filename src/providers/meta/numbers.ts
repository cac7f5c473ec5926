// The phone numbers of a WhatsApp Business Account on the Graph API (providers.md §2.6): list them
// and look one up. Answers come back in our shape and failures as ProviderRequestError; which
// organization a number is assigned to is decided in services/numbers/ (through the adapter's `numbers`).
import type { Config } from '../../config.js';
import { toE164 } from '../../core/phone.js';
import {
  type BusinessPhoneNumber,
  type MetaCredentials,
  type NumberAbilities,
  type PlatformSender,
  type ProviderContext,
  ProviderRequestError,
  ProviderSendError,
} from '../provider.js';
import { isRecord, requestJson } from '../transport.js';

export type { BusinessPhoneNumber } from '../provider.js';

const FIELDS = 'id,display_phone_number,verified_name,code_verification_status,quality_rating,status';
/** Graph pages hold 25 by default; the account limit is at most 120 numbers. */
const MAX_PAGES = 10;

export function graphUrl(config: Config, path: string): string {
  return `${config.meta.graphBaseUrl}/${config.meta.apiVersion}/${path}`;
}

/** One Graph call (a GET, or a POST with `body`); Graph errors (`{error:{message, code}}`) are classified by status and code. */
export async function graphCall(url: string, accessToken: string, body?: unknown): Promise<Record<string, unknown>> {
  let response: Awaited<ReturnType<typeof requestJson>>;
  try {
    response = await requestJson(url, { headers: { authorization: `Bearer ${accessToken}` }, body }, 'Meta');
  } catch (err) {
    if (err instanceof ProviderSendError) throw new ProviderRequestError('unreachable', err.message);
    throw err;
  }
  const answer = isRecord(response.body) ? response.body : {};
  if (response.status >= 200 && response.status < 300) return answer;
  const error = isRecord(answer.error) ? answer.error : {};
  const detail = `${typeof error.message === 'string' ? error.message : `HTTP ${response.status}`}${error.code !== undefined ? ` (Graph error ${String(error.code)})` : ''}`;
  // 190: Graph's "Invalid OAuth access token", whatever the status says.
  if (response.status === 401 || error.code === 190) throw new ProviderRequestError('auth', detail);
  // 100 with 400: Graph's "Unsupported get request" for an object id it does not know (or may not read).
  if (response.status === 404 || (response.status === 400 && error.code === 100)) throw new ProviderRequestError('unknown', detail);
  if (response.status === 429) throw new ProviderRequestError('busy', detail);
  throw new ProviderRequestError('failed', detail);
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

/** GET /{WABA}/phone_numbers, following `paging.next` (at most MAX_PAGES pages). */
export async function listMetaBusinessNumbers(config: Config, accessToken: string, businessAccountId: string): Promise<BusinessPhoneNumber[]> {
  const numbers: BusinessPhoneNumber[] = [];
  let url: string | undefined = `${graphUrl(config, `${encodeURIComponent(businessAccountId)}/phone_numbers`)}?fields=${FIELDS}`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const body = await graphCall(url, accessToken);
    for (const entry of Array.isArray(body.data) ? body.data : []) if (isRecord(entry) && entry.id !== undefined) numbers.push(toBusinessNumber(entry));
    const paging = isRecord(body.paging) ? body.paging : {};
    // The token goes only to the Graph origin we were configured with.
    const next = typeof paging.next === 'string' ? paging.next : undefined;
    url = next && URL.canParse(next) && new URL(next).origin === new URL(config.meta.graphBaseUrl).origin ? next : undefined;
  }
  return numbers;
}

/** GET /{phone-number-id}; `displayNumber` is '' when Meta has none. */
export async function lookUpMetaNumber(config: Config, accessToken: string, phoneNumberId: string): Promise<BusinessPhoneNumber> {
  const body = await graphCall(`${graphUrl(config, encodeURIComponent(phoneNumberId))}?fields=${FIELDS}`, accessToken);
  return toBusinessNumber({ id: phoneNumberId, ...body });
}

/** The adapter's number abilities: list the business account's numbers, look one up, find one by phone. */
export const metaNumbers = {
  account: 'Meta business account',
  credentialsName: 'access token',
  reachAccount: (credentials) => Boolean(credentials.accessToken && credentials.businessAccountId),
  list: (ctx, credentials) => listMetaBusinessNumbers(ctx.config, credentials.accessToken, credentials.businessAccountId!),
  lookUp: (ctx, credentials, phoneNumberId) => lookUpMetaNumber(ctx.config, credentials.accessToken, phoneNumberId),
  find: async (ctx, credentials, phone) => {
    const numbers = await listMetaBusinessNumbers(ctx.config, credentials.accessToken, credentials.businessAccountId!);
    // display_phone_number is human-formatted (`+1 555-078-3881`): compared as E.164.
    const found = numbers.find((n) => toE164(n.displayNumber) === phone);
    return found ? { providerId: found.phoneNumberId, phoneNumber: phone, displayName: found.verifiedName ?? found.displayNumber } : undefined;
  },
} satisfies NumberAbilities<MetaCredentials>;

/** The token works when it may list the business account's numbers. */
export async function checkMetaCredentials(ctx: ProviderContext, credentials: MetaCredentials): Promise<{ notReady?: string }> {
  await listMetaBusinessNumbers(ctx.config, credentials.accessToken, credentials.businessAccountId!);
  return {};
}

/** WHATSAPP_PHONE_NUMBER_ID; its phone is asked of Meta with the platform's token. */
export function platformMetaSender(ctx: ProviderContext): PlatformSender | undefined {
  const { phoneNumberId: id, accessToken: token } = ctx.config.meta;
  if (!id) return undefined;
  return {
    providerId: id,
    lookUpPhone: async () => (token ? (toE164((await lookUpMetaNumber(ctx.config, token, id)).displayNumber) ?? null) : null),
    displayName: 'Platform Meta sender',
  };
}
