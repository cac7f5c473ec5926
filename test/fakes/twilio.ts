// A fake Twilio REST API (providers.md §1.4–§1.5): Messages (create, fetch, list), AvailablePhoneNumbers,
// IncomingPhoneNumbers and message media (behind Basic auth, redirecting to a separate "CDN").
import { basicAuth, type FakeResponse, type FakeServer, hex32, type RecordedRequest, startFakeServer } from './server.js';
import { contentRoutes, type FakeContent } from './twilio-content.js';

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Countries with numbers for sale; any other answers Twilio's 404 error body. */
  countries?: Record<string, AvailableNumber[]>;
  /**
   * A created message is stored at once but answered this much later, as a real API's latency: a
   * client killed meanwhile never learns that Twilio accepted it.
   */
  answerDelayMs?: number;
}

export interface AvailableNumber {
  phone_number: string;
  friendly_name: string;
  locality?: string;
  region?: string;
  iso_country: string;
  capabilities: Record<string, boolean>;
}

export interface FakeTwilio extends FakeServer, FakeContent {
  accountSid: string;
  authToken: string;
  /** Requests the media CDN received (it must never see credentials). */
  cdnRequests: RecordedRequest[];
  /** Messages created, by SID, as the snake_case resource. */
  messages: Map<string, Record<string, unknown>>;
  /** Numbers bought and not released, by PN SID. */
  incomingNumbers: Map<string, Record<string, unknown>>;
  /** Serves a media file at a Twilio media URL (Basic auth, then a redirect to the CDN). */
  addMedia(bytes: Buffer, contentType: string): string;
  /** Messages to this address are created (201) but come back as a `failed` resource with the error (until reset). */
  failMessagesTo(to: string, errorCode: number, errorMessage: string): void;
  /** The next message created gets this SID (a test can send its status callback first). */
  planMessageSid(sid: string): void;
  /** A number the account already holds (bought in the Console): listed by IncomingPhoneNumbers.json. Returns its PN SID. */
  addIncomingNumber(phoneNumber: string, friendlyName?: string): string;
}

const DEFAULT_COUNTRIES: Record<string, AvailableNumber[]> = {
  US: [
    {
      phone_number: '+14155550142',
      friendly_name: '(415) 555-0142',
      locality: 'San Francisco',
      region: 'CA',
      iso_country: 'US',
      capabilities: { voice: true, SMS: true, MMS: true, fax: false },
    },
    {
      phone_number: '+14155550199',
      friendly_name: '(415) 555-0199',
      locality: 'San Francisco',
      region: 'CA',
      iso_country: 'US',
      capabilities: { voice: true, SMS: true, MMS: true, fax: false },
    },
    {
      phone_number: '+12125550110',
      friendly_name: '(212) 555-0110',
      locality: 'New York',
      region: 'NY',
      iso_country: 'US',
      capabilities: { voice: true, SMS: true, MMS: true, fax: false },
    },
  ],
  CA: [
    {
      phone_number: '+16045550123',
      friendly_name: '(604) 555-0123',
      locality: 'Vancouver',
      region: 'BC',
      iso_country: 'CA',
      capabilities: { voice: true, SMS: true, MMS: true, fax: false },
    },
  ],
  GB: [
    {
      phone_number: '+447700900123',
      friendly_name: '07700 900123',
      locality: 'London',
      region: 'ENG',
      iso_country: 'GB',
      capabilities: { voice: true, SMS: true, MMS: false, fax: false },
    },
  ],
};

const WHATSAPP_ADDRESS = /^whatsapp:\+[1-9]\d{7,14}$/;

function twilioError(status: number, code: number, message: string): FakeResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function field(req: RecordedRequest, name: string): string | undefined {
  const value = req.body?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The environment of a platform Twilio account that is this fake. */
export function twilioPlatformEnv(twilio: FakeTwilio): Record<string, string> {
  return { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_API_BASE_URL: twilio.url };
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${hex32()}`;
  const authToken = options.authToken ?? hex32();
  const countries = options.countries ?? DEFAULT_COUNTRIES;
  const messages = new Map<string, Record<string, unknown>>();
  const incomingNumbers = new Map<string, Record<string, unknown>>();
  const media = new Map<string, { bytes: Buffer; contentType: string }>();
  const failingRecipients = new Map<string, { code: number; message: string }>();
  const plannedSids: string[] = [];
  const account = `/2010-04-01/Accounts/${accountSid}`;
  // The Content API lives on content.twilio.com; here on the same fake (TWILIO_API_BASE_URL points both to it).
  const content = contentRoutes({ accountSid, authToken });

  const cdn = await startFakeServer([
    {
      method: 'GET',
      pattern: '/:mediaSid',
      handler: (_req, { mediaSid }) => {
        const file = media.get(mediaSid!);
        return file ? { status: 200, body: file.bytes, headers: { 'content-type': file.contentType } } : { status: 404, body: 'not found' };
      },
    },
  ]);

  /** Every API route checks Basic auth against this account first (20003 as Twilio answers). */
  const authed =
    (handler: (req: RecordedRequest, params: Record<string, string>) => FakeResponse) =>
    (req: RecordedRequest, params: Record<string, string>): FakeResponse => {
      const auth = basicAuth(req);
      if (!auth || auth.username !== accountSid || auth.password !== authToken || (params.accountSid ?? accountSid) !== accountSid) {
        return twilioError(401, 20003, 'Authenticate');
      }
      return handler(req, params);
    };

  const authedAsync =
    (handler: (req: RecordedRequest, params: Record<string, string>) => Promise<FakeResponse>) =>
    async (req: RecordedRequest, params: Record<string, string>): Promise<FakeResponse> => {
      const refused = authed(() => ({ status: 0 }))(req, params);
      return refused.status === 0 ? handler(req, params) : refused;
    };

  const server = await startFakeServer([
    ...content.routes,
    {
      // The typing indicator (messaging.twilio.com, public beta; providers-templates.md A2): form-encoded, Basic auth.
      method: 'POST',
      pattern: '/v2/Indicators/Typing.json',
      handler: authed((req) => {
        const messageId = field(req, 'messageId');
        if (field(req, 'channel') !== 'whatsapp') return twilioError(400, 20001, 'Invalid channel: only whatsapp is supported.');
        if (!messageId || !/^(SM|MM)[0-9a-f]{32}$/.test(messageId)) return twilioError(400, 20001, `Invalid messageId ${messageId ?? ''}.`);
        return { status: 200, body: { success: true } };
      }),
    },
    {
      method: 'POST',
      pattern: '/2010-04-01/Accounts/:accountSid/Messages.json',
      handler: authedAsync(async (req) => {
        const to = field(req, 'To');
        const from = field(req, 'From');
        if (!to || !WHATSAPP_ADDRESS.test(to)) return twilioError(400, 21211, `The 'To' number ${to ?? ''} is not a valid phone number.`);
        if (!from && !field(req, 'MessagingServiceSid')) return twilioError(400, 21603, "The 'From' phone number is required.");
        const mediaUrls = req.body.MediaUrl === undefined ? [] : [req.body.MediaUrl].flat();
        const sid = plannedSids.shift() ?? `${mediaUrls.length ? 'MM' : 'SM'}${hex32()}`;
        const now = new Date().toUTCString();
        const failure = failingRecipients.get(to);
        const resource = {
          sid,
          account_sid: accountSid,
          from: from ?? null,
          to,
          body: field(req, 'Body') ?? '',
          // A template send names its Content and values instead of a Body.
          content_sid: field(req, 'ContentSid') ?? null,
          content_variables: field(req, 'ContentVariables') ?? null,
          status: failure ? 'failed' : 'queued',
          num_segments: '1',
          num_media: String(mediaUrls.length),
          direction: 'outbound-api',
          api_version: '2010-04-01',
          price: null,
          price_unit: 'USD',
          error_code: failure?.code ?? null,
          error_message: failure?.message ?? null,
          messaging_service_sid: field(req, 'MessagingServiceSid') ?? null,
          date_created: now,
          date_updated: now,
          date_sent: null,
          uri: `${account}/Messages/${sid}.json`,
          subresource_uris: { media: `${account}/Messages/${sid}/Media.json` },
        };
        messages.set(sid, resource);
        if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
        return { status: 201, body: resource };
      }),
    },
    {
      // Newest first; To, From and DateSent (=, <, > as the SDK spells `DateSent>=…`) filter, PageSize pages.
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid/Messages.json',
      handler: authed((req) => {
        const { To: to, From: from } = req.query;
        const pageSize = Number(req.query.PageSize ?? 50);
        const sentFilters: Array<[string, (sent: number, bound: number) => boolean]> = [
          ['DateSent', (sent, bound) => sent === bound],
          ['DateSent<', (sent, bound) => sent <= bound],
          ['DateSent>', (sent, bound) => sent >= bound],
        ];
        const found = [...messages.values()]
          .reverse()
          .filter((m) => (!to || m.to === to) && (!from || m.from === from))
          .filter((m) =>
            sentFilters.every(([name, test]) => {
              const bound = req.query[name];
              if (bound === undefined) return true;
              return typeof m.date_sent === 'string' && test(Date.parse(m.date_sent), Date.parse(bound));
            }),
          )
          .slice(0, pageSize);
        return { status: 200, body: listPage('messages', found, `${account}/Messages.json`, pageSize) };
      }),
    },
    {
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid/Messages/:sid.json',
      handler: authed((_req, { sid }) => {
        const message = messages.get(sid!);
        return message ? { status: 200, body: message } : twilioError(404, 20404, `The requested resource ${account}/Messages/${sid}.json was not found`);
      }),
    },
    {
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid/Messages/:messageSid/Media/:mediaSid',
      handler: authed((_req, { mediaSid }) =>
        media.has(mediaSid!)
          ? { status: 307, headers: { location: `${cdn.url}/${mediaSid}` } }
          : twilioError(404, 20404, 'The requested resource was not found'),
      ),
    },
    {
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid/AvailablePhoneNumbers/:country/:kind.json',
      handler: authed((req, { country, kind }) => {
        const available = countries[country!];
        if (!available || !['Local', 'Mobile', 'TollFree'].includes(kind!)) {
          return twilioError(404, 20404, `The requested resource ${account}/AvailablePhoneNumbers/${country}/${kind}.json was not found`);
        }
        const areaCode = req.query.AreaCode;
        const pageSize = Number(req.query.PageSize ?? 50);
        const found = available.filter((n) => !areaCode || n.phone_number.replace(/^\+1/, '').startsWith(areaCode)).slice(0, pageSize);
        const uri = `${account}/AvailablePhoneNumbers/${country}/${kind}.json`;
        return {
          status: 200,
          body: {
            available_phone_numbers: found.map((n) => ({
              lata: null,
              rate_center: null,
              latitude: null,
              longitude: null,
              postal_code: null,
              address_requirements: 'none',
              beta: false,
              ...n,
            })),
            uri,
            first_page_uri: uri,
            next_page_uri: null,
            previous_page_uri: null,
            page: 0,
            page_size: pageSize,
          },
        };
      }),
    },
    {
      method: 'POST',
      pattern: '/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers.json',
      handler: authed((req) => {
        const phoneNumber = field(req, 'PhoneNumber');
        const forSale = Object.values(countries)
          .flat()
          .find((n) => n.phone_number === phoneNumber);
        const owned = [...incomingNumbers.values()].some((n) => n.phone_number === phoneNumber);
        if (!phoneNumber) return twilioError(400, 21452, 'A PhoneNumber or AreaCode is required.');
        if (!forSale || owned) return twilioError(400, 21422, `Phone number ${phoneNumber} is not available.`);
        const sid = `PN${hex32()}`;
        const now = new Date().toUTCString();
        const resource = {
          sid,
          account_sid: accountSid,
          phone_number: phoneNumber,
          friendly_name: field(req, 'FriendlyName') ?? forSale.friendly_name,
          capabilities: Object.fromEntries(Object.entries(forSale.capabilities).map(([k, v]) => [k.toLowerCase(), v])),
          sms_url: field(req, 'SmsUrl') ?? '',
          sms_method: field(req, 'SmsMethod') ?? 'POST',
          status_callback: field(req, 'StatusCallback') ?? '',
          status_callback_method: field(req, 'StatusCallbackMethod') ?? 'POST',
          address_requirements: 'none',
          status: 'in-use',
          api_version: '2010-04-01',
          date_created: now,
          date_updated: now,
          uri: `${account}/IncomingPhoneNumbers/${sid}.json`,
        };
        incomingNumbers.set(sid, resource);
        return { status: 201, body: resource };
      }),
    },
    {
      // The account's numbers, filtered by an exact PhoneNumber as Twilio does (the SDK's list({phoneNumber})).
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers.json',
      handler: authed((req) => {
        const wanted = req.query.PhoneNumber;
        const pageSize = Number(req.query.PageSize ?? 50);
        const found = [...incomingNumbers.values()].filter((n) => !wanted || n.phone_number === wanted).slice(0, pageSize);
        return { status: 200, body: listPage('incoming_phone_numbers', found, `${account}/IncomingPhoneNumbers.json`, pageSize) };
      }),
    },
    {
      // The account itself: what checking a pair of credentials reads.
      method: 'GET',
      pattern: '/2010-04-01/Accounts/:accountSid.json',
      handler: authed(() => ({
        status: 200,
        body: {
          sid: accountSid,
          friendly_name: 'My first Twilio account',
          status: 'active',
          type: 'Full',
          date_created: new Date(0).toUTCString(),
          date_updated: new Date(0).toUTCString(),
          uri: `${account}.json`,
        },
      })),
    },
    {
      method: 'DELETE',
      pattern: '/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers/:sid.json',
      handler: authed((_req, { sid }) => {
        if (!incomingNumbers.delete(sid!)) {
          return twilioError(404, 20404, `The requested resource ${account}/IncomingPhoneNumbers/${sid}.json was not found`);
        }
        return { status: 204 };
      }),
    },
  ]);

  return {
    ...server,
    ...content.content,
    accountSid,
    authToken,
    cdnRequests: cdn.requests,
    messages,
    incomingNumbers,
    addMedia(bytes, contentType) {
      const mediaSid = `ME${hex32()}`;
      media.set(mediaSid, { bytes, contentType });
      return `${server.url}${account}/Messages/MM${hex32()}/Media/${mediaSid}`;
    },
    failMessagesTo(to, errorCode, errorMessage) {
      failingRecipients.set(to, { code: errorCode, message: errorMessage });
    },
    planMessageSid(sid) {
      plannedSids.push(sid);
    },
    addIncomingNumber(phoneNumber, friendlyName) {
      const sid = `PN${hex32()}`;
      const now = new Date().toUTCString();
      incomingNumbers.set(sid, {
        sid,
        account_sid: accountSid,
        phone_number: phoneNumber,
        friendly_name: friendlyName ?? phoneNumber,
        capabilities: { voice: true, sms: true, mms: true, fax: false },
        sms_url: '',
        status: 'in-use',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        uri: `${account}/IncomingPhoneNumbers/${sid}.json`,
      });
      return sid;
    },
    reset() {
      server.reset();
      cdn.reset();
      content.content.contents.clear();
      content.content.submitAs('received');
      failingRecipients.clear();
      plannedSids.length = 0;
    },
    close: async () => {
      await Promise.all([server.close(), cdn.close()]);
    },
  };
}

/** The first (and only) page of a Twilio list resource: the items under their key, with the paging fields Twilio sends. */
function listPage(key: string, items: unknown[], path: string, pageSize: number): Record<string, unknown> {
  const uri = `${path}?PageSize=${pageSize}&Page=0`;
  return {
    [key]: items,
    end: items.length - 1,
    first_page_uri: uri,
    next_page_uri: null,
    previous_page_uri: null,
    page: 0,
    page_size: pageSize,
    start: 0,
    uri,
  };
}
