// A Whapi channel as its token sees it (providers.md §3.2 "Channel health"): GET /health answers the
// channel id, whether it is linked (`AUTH`) and the linked WhatsApp account's number.
import type { Config } from '../../config.js';
import { toE164 } from '../../core/phone.js';
import { type NumberHealth, type PlatformSender, type ProviderContext, ProviderRequestError, ProviderSendError, type WhapiCredentials } from '../provider.js';
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

export async function whapiHealth(ctx: ProviderContext, credentials: WhapiCredentials): Promise<NumberHealth> {
  const health = await whapiChannelHealth(ctx.config, credentials.token);
  return { providerNumberId: health.channelId, status: health.status, phoneNumber: health.phoneNumber };
}

/** A token works when /health answers; its channel must also be linked (AUTH) to carry messages. */
export async function checkWhapiCredentials(ctx: ProviderContext, credentials: WhapiCredentials): Promise<{ notReady?: string }> {
  const health = await whapiChannelHealth(ctx.config, credentials.token);
  if (health.status && health.status !== 'AUTH') {
    return { notReady: `Whapi accepted the token, but its channel is not linked to WhatsApp yet (status ${health.status}); scan its QR code first.` };
  }
  return {};
}

/** WHAPI_CHANNEL_ID; its phone is the linked account's, asked at /health with WHAPI_TOKEN. */
export function platformWhapiSender(ctx: ProviderContext): PlatformSender | undefined {
  const { channelId, token } = ctx.config.whapi;
  if (!channelId) return undefined;
  return {
    providerId: channelId,
    lookUpPhone: async () => (token ? (await whapiChannelHealth(ctx.config, token)).phoneNumber : null),
    displayName: 'Platform Whapi channel',
  };
}
