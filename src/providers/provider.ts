// The one interface every provider adapter satisfies. Adapters translate between a provider's
// wire format and these normalized shapes; tenancy, routing, de-duplication and storage live
// in services/.
import type { ZodType } from 'zod';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { RealtimeBus } from '../realtime/bus.js';

export type ProviderName = 'twilio' | 'meta' | 'whapi' | 'simulator';

/** What a webhook route hands an adapter: the exact bytes and headers as received. */
export interface WebhookRequest {
  method: string;
  /** path and query exactly as requested, e.g. `/api/webhooks/twilio?x=1` */
  url: string;
  rawBody: Buffer;
  /** lower-case header names */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface InboundMedia {
  /** image | video | audio | document | sticker | location | contacts | reaction | unsupported */
  type: string;
  /** provider URL or media id to fetch the file from */
  url?: string;
  providerMediaId?: string;
  mimeType?: string;
  caption?: string;
  filename?: string;
  latitude?: number;
  longitude?: number;
  name?: string;
  address?: string;
  /** for contacts cards: the raw card(s) */
  contacts?: unknown;
}

export interface InboundMessageEvent {
  kind: 'message';
  provider: ProviderName;
  providerMessageId: string;
  /** The business side, used to route to an organization. */
  to: { phone?: string; providerNumberId?: string };
  /** The customer or agent who wrote. `phone` is E.164; `externalId` when there is no phone (username). */
  from: { phone?: string; externalId?: string; name?: string };
  text: string | null;
  media?: InboundMedia;
  /** A quick-reply button tap: the payload the template defined. */
  buttonPayload?: string;
  /** Swipe-reply context: the provider id of the message replied to (Meta context.id, Twilio OriginalRepliedMessageSid). */
  replyToProviderMessageId?: string;
  timestamp?: Date;
}

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  kind: 'status';
  provider: ProviderName;
  providerMessageId: string;
  status: DeliveryStatus;
  /** The business side that sent the message, when the payload says. */
  to?: { phone?: string; providerNumberId?: string };
  errorCode?: string;
  errorMessage?: string;
  timestamp?: Date;
  /** our reference given on send, echoed back (Meta's biz_opaque_callback_data) */
  reference?: string;
}

/** The agent or contact is typing, where the provider reports it (simulator, Whapi presences). */
export interface TypingEvent {
  kind: 'typing';
  provider: ProviderName;
  to: { phone?: string; providerNumberId?: string };
  from: { phone?: string; externalId?: string };
}

/** A template's review state in our words (providers-templates.md A1): only `approved` may be sent. */
export type TemplateStatus = 'pending' | 'approved' | 'rejected' | 'paused' | 'disabled';

/** A template's review changed (Meta's `message_template_status_update`), for the account that owns it. */
export interface TemplateStatusEvent {
  kind: 'template_status';
  provider: ProviderName;
  /** the provider account the template belongs to (Meta: the WABA id of `entry[].id`) */
  account: string;
  /** as text, whatever the payload's type (Meta's webhook has an integer, its REST API a string) */
  providerTemplateId: string;
  status: TemplateStatus;
  reason?: string;
}

export type NormalizedEvent = InboundMessageEvent | StatusEvent | TypingEvent;

/** Credentials of one connection (the platform's, from the environment, or an organization's own). */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}
export interface MetaCredentials {
  accessToken: string;
  appSecret?: string;
  businessAccountId?: string;
}
export interface WhapiCredentials {
  token: string;
  webhookSecret?: string;
}
export type Credentials = TwilioCredentials | MetaCredentials | WhapiCredentials | Record<string, never>;

export interface OutboundMessage {
  /** The business sender: E.164 phone and/or provider number id (phone_number_id, channel id). */
  from: { phone?: string; providerNumberId?: string };
  /** E.164 or the contact's external id. */
  to: string;
  text?: string;
  media?: { url: string; mimeType?: string; filename?: string; type?: string };
  /** `providerTemplateId`: the provider's own id when it sends by id (Twilio's ContentSid); else the name is sent */
  template?: { name: string; language?: string; variables: string[]; providerTemplateId?: string };
  /** Reply to a specific message (Meta context, Whapi quoted). */
  replyToProviderMessageId?: string;
  /** Twilio StatusCallback. */
  statusCallbackUrl?: string;
  /** Ours, unique per message; a provider that echoes it in status callbacks gets it (Meta's biz_opaque_callback_data). */
  reference?: string;
}

/** What to look for among a provider's messages: a send cut short (a crash) that may have arrived. */
export interface SentLookup {
  from: OutboundMessage['from'];
  to: string;
  /** the text (a media caption); undefined for templates, whose text the provider renders */
  body?: string;
  /** only messages created at or after this instant (clock slack already taken off) */
  after: Date;
}

export interface SendResult {
  providerMessageId: string;
  /** `failed`: the provider took the request but answered that the message failed (Twilio's resource can). */
  status: DeliveryStatus;
  /** with `failed`: the provider's error code and sentence, when it gave them */
  errorCode?: string;
  errorMessage?: string;
}

/**
 * A failed send, classified. transient: retry with backoff (network, 429, 5xx);
 * permanent: never retry, keep the reason; window_closed: free-form outside 24 h, a template is needed.
 */
export class ProviderSendError extends Error {
  constructor(
    readonly kind: 'transient' | 'permanent' | 'window_closed',
    message: string,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A verified payload that cannot be understood: kept as an unrouted event, answered 200. */
export class PayloadError extends Error {}

/**
 * A failed number call (search, buy, release, list, look up), classified from the provider's
 * answer; services turn it into their own sentence and status. unreachable: no answer at all;
 * auth: the credentials were refused; busy: rate limited; rejected: the request was refused;
 * unknown: the provider does not know what was asked for; failed: anything else.
 */
export class ProviderRequestError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'auth' | 'busy' | 'rejected' | 'unknown' | 'failed',
    /** the provider's own words, e.g. "Authenticate (Twilio error 20003)" */
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** A webhook that receives events: raw body → verify → store → enqueue (services/inbound/receive.ts). */
export interface ReceiveWebhook {
  kind: 'receive';
  method: 'POST';
  path: string;
  /** Registered only when this is true for the configuration (the simulator's, behind SIMULATOR). */
  enabled?: (config: Config) => boolean;
}

/** A provider's subscription check, answered by the adapter alone (Meta's GET hub.challenge). */
export interface HandshakeWebhook {
  kind: 'handshake';
  method: 'GET';
  path: string;
  /** For the API docs and validation of the query. */
  query?: ZodType;
  /** The answer to give, or why the check is refused (answered 403 with that sentence). */
  answer(req: WebhookRequest, config: Config): { contentType: string; body: string } | { refused: string };
}

export type WebhookRoute = ReceiveWebhook | HandshakeWebhook;

export interface ProviderContext {
  config: Config;
  /** Live events; the simulator delivers its outbound messages to the simulated phones here. */
  bus?: RealtimeBus;
  /** Time for what an adapter stamps itself (the simulator's delivered messages). */
  clock?: Clock;
}

/** What the platform asks a provider to review: a UTILITY template with positional variables {{1}}…{{n}}. */
export interface TemplateDraft {
  /** lowercase letters, digits and `_` */
  name: string;
  language: string;
  body: string;
  /** a realistic sample for each variable, in order: what the reviewer reads */
  samples: string[];
}

/** A template as the provider holds it. */
export interface ProviderTemplate {
  providerTemplateId: string;
  status: TemplateStatus;
  rejectionReason: string | null;
}

/**
 * Templates the platform creates and tracks itself (Twilio's Content API, Meta's message_templates).
 * Failures are ProviderRequestErrors.
 */
export interface TemplateAbility<C extends Credentials> {
  /** the provider account the credentials belong to (Twilio AC… sid, Meta WABA id); undefined when not known */
  accountOf(credentials: C): string | undefined;
  /** Creates the template and submits it for review; one of that name already there is adopted (a repeated call). */
  create(ctx: ProviderContext, credentials: C, draft: TemplateDraft): Promise<ProviderTemplate>;
  /** Its current review state. */
  read(ctx: ProviderContext, credentials: C, template: { providerTemplateId: string; name: string; language: string }): Promise<ProviderTemplate>;
  /** Review changes arrive as webhooks (Meta); otherwise they are read again until final (Twilio). */
  statusPushed: boolean;
  /** The account a webhook about templates names, before verification (to choose whose secret checks it). */
  webhookAccount?(req: WebhookRequest): string | undefined;
  /** The template review changes of a verified webhook (none for other payloads). */
  parseStatusWebhook?(req: WebhookRequest): TemplateStatusEvent[];
}

export interface ProviderAdapter<C extends Credentials = Credentials> {
  name: ProviderName;
  /** How sentences name the provider ("Whapi numbers cannot…"). */
  label: string;
  /** The URLs this provider calls us on; http/webhooks.ts registers them all. */
  webhooks: WebhookRoute[];
  /** The platform's own credentials from configuration; undefined when they are not configured. */
  platformCredentials(config: Config): C | undefined;
  /** True when the body has this provider's shape (for /api/webhooks/whatsapp). */
  detect(req: WebhookRequest): boolean;
  /**
   * Verify authenticity with the given credentials (pure, constant-time).
   * Twilio needs the public URL the provider called.
   */
  verify(req: WebhookRequest, credentials: C | undefined, publicUrl: string): boolean;
  /**
   * The credential that `verify` checks against (Meta's app secret, Whapi's webhook secret, Twilio's
   * auth token); none where nothing is signed. Tells whose secret verified an event: an
   * organization's own connection or the platform's.
   */
  webhookSecretField?: keyof C & string;
  /** Pre-verification routing hint: which business number the payload is for (to choose credentials). */
  routingHint(req: WebhookRequest): { phone?: string; providerNumberId?: string } | undefined;
  /** Parse every entry of the payload; throws PayloadError when it cannot. */
  parse(req: WebhookRequest): NormalizedEvent[];
  /** Send one message; throws ProviderSendError. */
  send(ctx: ProviderContext, credentials: C, message: OutboundMessage): Promise<SendResult>;
  /**
   * The provider's messages matching the lookup, newest first (its message list). For a re-run of a
   * send whose earlier call may have reached the provider: a match is that message, not sent again.
   */
  findSent?(ctx: ProviderContext, credentials: C, lookup: SentLookup): Promise<SendResult[]>;
  /**
   * No list to ask, but status callbacks carry `OutboundMessage.reference` (Meta): a re-run waits a
   * bounded time for a callback naming it before sending again.
   */
  statusesCarryReference?: boolean;
  /** Fetch an inbound media file with the connection's credentials. */
  fetchMedia?(ctx: ProviderContext, credentials: C, media: InboundMedia): Promise<{ bytes: Buffer; contentType: string }>;
  /** What a webhook's successful answer looks like (Twilio: empty TwiML). */
  ack?: { contentType: string; body: string };
  /** Provider has the 24-hour window: free-form messages only within 24 h of the contact's last one. */
  hasServiceWindow: boolean;
  /** What a number of this provider can send; checked before a send is accepted. */
  capabilities: {
    /** approved message templates (needed outside the 24-hour window) */
    templates: boolean;
    /**
     * A number's display name is ours to set, at once (the simulator). Twilio's and Meta's are the
     * sender's profile name, reviewed by Meta; Whapi's is the linked phone's own profile.
     */
    displayNames?: boolean;
  };
  /** Where the provider posts a message's delivery statuses when each send names it (Twilio's StatusCallback). */
  statusCallbackPath?: string;
  /** Its webhooks carry no signature (the simulator): an unreadable post is the caller's mistake, answered 400, not an event to keep. */
  unsignedWebhooks?: true;
  /** The numbers of its accounts: what services/numbers/ may ask, each ability only where the provider has it. */
  numbers?: NumberAbilities<C>;
  /** Asks the provider whether an account's credentials work (ProviderRequestError when refused), before they are kept. */
  checkCredentials?(ctx: ProviderContext, credentials: C): Promise<{ notReady?: string }>;
  /** How one number stands at the provider, asked with its credentials (Whapi's GET /health). */
  health?(ctx: ProviderContext, credentials: C): Promise<NumberHealth>;
  /** The platform's own sender named in the environment (TWILIO_PHONE_NUMBER, …), registered at start-up. */
  platformSender?(ctx: ProviderContext): PlatformSender | undefined;
  /** The platform manages its own handover template in each account (absent: none, e.g. Whapi, which needs none). */
  managedTemplates?: TemplateAbility<C>;
  /**
   * Shows the customer that a reply is being written, in answer to their message, where the
   * provider can (providers-templates.md A2: Meta's typing_indicator, which also marks the message
   * read; Twilio's typing indicator; Whapi's presence). It lasts until the reply or about 25 s.
   * Throws ProviderSendError when refused; callers treat it as best effort.
   */
  typing?(ctx: ProviderContext, credentials: C, reply: TypingReply): Promise<void>;
}

/** What a typing indicator answers: the customer's message, from the business number it reached. */
export interface TypingReply {
  from: OutboundMessage['from'];
  /** the customer: E.164 or their external id */
  to: string;
  /** the provider's id of the customer's message (Meta's wamid, Twilio's SM… SID) */
  inboundProviderMessageId: string;
}

/** A number for sale (Twilio's AvailablePhoneNumbers). */
export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string;
  capabilities: { SMS: boolean; MMS: boolean; voice: boolean };
}

/** A number an account holds, as the provider names it. */
export interface AccountNumber {
  /** the provider's id: Twilio's `PN…` SID, Meta's phone number id */
  providerId: string;
  phoneNumber: string;
  displayName: string | null;
}

/** A phone number of a business account as its list shows it (Meta's /{WABA}/phone_numbers). */
export interface BusinessPhoneNumber {
  phoneNumberId: string;
  displayNumber: string;
  verifiedName: string | null;
  verificationStatus: string | null;
}

export interface NumberHealth {
  /** the provider's id of the number the credentials reach (Whapi's channel id) */
  providerNumberId: string | null;
  /** the provider's word for it; Whapi: AUTH when linked, QR, INIT, LAUNCH, STOP, SYNC_ERROR otherwise */
  status: string | null;
  /** E.164 of the number, when the answer names it */
  phoneNumber: string | null;
}

export interface PlatformSender {
  providerId: string;
  /** E.164 when the environment gives it (then it also finds a row registered under the real id) */
  phone?: string;
  /** asks the provider for the phone when the environment names only an id */
  lookUpPhone?: () => Promise<string | null>;
  displayName: string;
}

/** Every call throws ProviderRequestError when the provider refuses or cannot be reached. */
export interface NumberAbilities<C extends Credentials> {
  /** how sentences name an account and its credentials: "Twilio account" / "credentials", "Meta business account" / "access token" */
  account: string;
  credentialsName: string;
  /** whether these credentials reach an account's numbers at all (Meta: a token and a business account id) */
  reachAccount?(credentials: C): boolean;
  /** numbers for sale in `countries` (ISO codes) */
  search?: {
    countries: readonly string[];
    run(ctx: ProviderContext, credentials: C, query: { country: string; areaCode?: string; limit: number }): Promise<AvailableNumber[]>;
  };
  /** buys a number, its messages and status callbacks pointed at `webhookUrl` */
  buy?(ctx: ProviderContext, credentials: C, input: { phoneNumber: string; friendlyName: string; webhookUrl: string }): Promise<AccountNumber>;
  /** gives a bought number back; `alreadyGone` when the provider no longer had it */
  release?(ctx: ProviderContext, credentials: C, providerId: string): Promise<{ alreadyGone: boolean }>;
  /** the account's number with this E.164 phone, or undefined */
  find?(ctx: ProviderContext, credentials: C, phone: string): Promise<AccountNumber | undefined>;
  /** every number of the account */
  list?(ctx: ProviderContext, credentials: C): Promise<BusinessPhoneNumber[]>;
  /** one number by the provider's id */
  lookUp?(ctx: ProviderContext, credentials: C, providerId: string): Promise<BusinessPhoneNumber>;
  /** any phone is a number of this provider the moment it is named (the simulator's made-up phones) */
  onDemand?: true;
}
