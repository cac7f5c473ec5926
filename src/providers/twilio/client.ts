// The official twilio SDK, pointed at TWILIO_API_BASE_URL. The SDK has no base-URL option; its
// supported seam is the `httpClient` option (providers.md §1.6), so a RequestClient subclass
// rewrites each request's origin. Also used by number provisioning.
import twilio from 'twilio';
import type { Config } from '../../config.js';
import type { TwilioCredentials } from '../provider.js';

const TWILIO_API_ORIGIN = 'https://api.twilio.com';

type SdkRequestClient = InstanceType<typeof twilio.RequestClient>;

/** Sends every SDK request to `baseUrl` (the SDK hard-codes api.twilio.com, messaging.twilio.com…). */
export class TwilioHttpClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string | undefined) {
    super({ timeout: 20_000 });
  }

  override request: SdkRequestClient['request'] = (opts) => {
    if (this.baseUrl) {
      const original = new URL(opts.uri);
      opts.uri = this.baseUrl + original.pathname + original.search;
    }
    return super.request(opts);
  };

  /** Retry-After of the last response, for honoring a 429's wait. */
  lastHeader(name: string): string | undefined {
    const headers = (this.lastResponse?.headers ?? {}) as Record<string, unknown>;
    const value = headers[name.toLowerCase()];
    return typeof value === 'string' ? value : undefined;
  }
}

/** A client for one connection's account; a fresh one per use, so `lastResponse` is that call's. */
export function twilioClient(config: Config, credentials: TwilioCredentials): { client: twilio.Twilio; http: TwilioHttpClient } {
  const base = config.twilio.apiBaseUrl;
  const http = new TwilioHttpClient(base === TWILIO_API_ORIGIN ? undefined : base);
  return { client: twilio(credentials.accountSid, credentials.authToken, { httpClient: http }), http };
}
