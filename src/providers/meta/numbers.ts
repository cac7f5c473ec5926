// The phone numbers of a WhatsApp Business Account on the Graph API (providers.md §2.6): list them
// and look one up. Answers come back in our shape and failures as ProviderRequestError; which
// organization a number is assigned to is decided in services/numbers/meta-numbers.ts.
import type { Config } from '../../config.js';
import { ProviderRequestError, ProviderSendError } from '../provider.js';
import { isRecord, requestJson } from '../transport.js';

export interface BusinessPhoneNumber {
  phoneNumberId: string;
  displayNumber: string;
  verifiedName: string | null;
  verificationStatus: string | null;
}

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
