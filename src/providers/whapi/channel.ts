// A Whapi channel as its token sees it (providers.md §3.2 "Channel health"): GET /health answers the
// channel id, whether it is linked (`AUTH`) and the linked WhatsApp account's number.
import type { Config } from '../../config.js';
import { toE164 } from '../../core/phone.js';
import { ProviderRequestError, ProviderSendError } from '../provider.js';
import { isRecord, requestJson } from '../transport.js';

export interface WhapiChannelHealth {
  channelId: string | null;
  /** AUTH when linked; QR, INIT, LAUNCH, STOP, SYNC_ERROR otherwise */
  status: string | null;
  /** E.164 of the linked account, when the answer names it */
  phoneNumber: string | null;
}

export async function whapiChannelHealth(config: Config, token: string): Promise<WhapiChannelHealth> {
  let response: Awaited<ReturnType<typeof requestJson>>;
  try {
    response = await requestJson(`${config.whapi.baseUrl}/health`, { headers: { authorization: `Bearer ${token}` } }, 'Whapi');
  } catch (err) {
    if (err instanceof ProviderSendError) throw new ProviderRequestError('unreachable', err.message);
    throw err;
  }
  const body = isRecord(response.body) ? response.body : {};
  if (response.status < 200 || response.status >= 300) {
    const error = isRecord(body.error) ? body.error : {};
    const detail = [error.message, error.details].filter((v) => typeof v === 'string').join(': ') || `HTTP ${response.status}`;
    // 404 "Channel not found" usually means a bad token (providers.md §3.1).
    if (response.status === 401 || response.status === 403 || response.status === 404) throw new ProviderRequestError('auth', detail);
    if (response.status === 429) throw new ProviderRequestError('busy', detail);
    throw new ProviderRequestError('failed', detail);
  }
  const status = isRecord(body.status) && typeof body.status.text === 'string' ? body.status.text : null;
  const user = isRecord(body.user) ? body.user : {};
  return {
    channelId: typeof body.channel_id === 'string' ? body.channel_id : null,
    status,
    phoneNumber: typeof user.id === 'string' ? (toE164(user.id) ?? null) : null,
  };
}
