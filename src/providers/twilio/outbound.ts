// Twilio sends: Messages API through the official SDK, errors classified for the retry policy.
import { downloadMedia, type MediaHosts, parseRetryAfter } from '../transport.js';
import {
  type DeliveryStatus,
  type InboundMedia,
  type OutboundMessage,
  ProviderSendError,
  type ProviderContext,
  type SendResult,
  type SentLookup,
  type TwilioCredentials,
  type TypingReply,
} from '../provider.js';
import { twilioClient } from './client.js';
import { isContentSid, isMessagingServiceSid, toTwilioAddress } from './ids.js';

/** Twilio error codes that mean "outside the 24-hour window: send a template" (63016; 131047 is Meta's, relayed). */
const WINDOW_CLOSED_CODES = new Set([63016, 131047]);

export async function sendTwilioMessage(ctx: ProviderContext, credentials: TwilioCredentials, message: OutboundMessage): Promise<SendResult> {
  const params = messageParams(message);
  const { client, http } = twilioClient(ctx.config, credentials);
  try {
    const created = await client.messages.create(params);
    // providers.md §1.4: a created message can already be `failed`/`undelivered`, with error_code.
    if (created.status === 'failed' || created.status === 'undelivered') {
      const errorCode = created.errorCode ? String(created.errorCode) : undefined;
      return { providerMessageId: created.sid, status: 'failed', errorCode, errorMessage: created.errorMessage ?? undefined };
    }
    return { providerMessageId: created.sid, status: created.status === 'sent' ? 'sent' : 'queued' };
  } catch (error) {
    throw classifyTwilioError(error, http.lastHeader('retry-after'));
  }
}

/**
 * "Typing…" in the customer's chat (Twilio's typing indicator, public beta, providers-templates.md
 * A2): POST messaging.twilio.com/v2/Indicators/Typing.json, `messageId` the customer's SM…/MM… SID.
 */
export async function showTwilioTyping(ctx: ProviderContext, credentials: TwilioCredentials, reply: TypingReply): Promise<void> {
  if (!/^(SM|MM)[0-9a-f]{32}$/.test(reply.inboundProviderMessageId)) {
    throw new ProviderSendError('permanent', 'A Twilio typing indicator needs the SID of a WhatsApp message (SM… or MM…).', 'BAD_MESSAGE_ID');
  }
  const { client, http } = twilioClient(ctx.config, credentials);
  try {
    await client.messaging.v2.typingIndicator.create({ channel: 'whatsapp', messageId: reply.inboundProviderMessageId });
  } catch (error) {
    throw classifyTwilioError(error, http.lastHeader('retry-after'));
  }
}

/** How many of the newest messages to one customer from one sender are looked through. */
const FIND_SENT_LIMIT = 50;

/**
 * Our messages to `to` created since `lookup.after`, newest first, through the Messages list
 * (`GET …/Messages.json?To=&From=`, newest first). Not filtered by `DateSent>`: a message Twilio still
 * holds as `queued` has no date_sent yet, and it is exactly the one a crash leaves unrecorded;
 * date_created is compared here instead.
 */
export async function findSentTwilioMessages(ctx: ProviderContext, credentials: TwilioCredentials, lookup: SentLookup): Promise<SendResult[]> {
  let to: string;
  try {
    to = toTwilioAddress(lookup.to);
  } catch {
    return [];
  }
  const sender = senderParams(lookup.from);
  const { client, http } = twilioClient(ctx.config, credentials);
  try {
    const listed = await client.messages.list({ to, ...('from' in sender ? { from: sender.from } : {}), pageSize: FIND_SENT_LIMIT, limit: FIND_SENT_LIMIT });
    return listed
      .filter((m) => m.direction !== 'inbound' && m.dateCreated.getTime() >= lookup.after.getTime())
      .filter((m) => !('messagingServiceSid' in sender) || m.messagingServiceSid === sender.messagingServiceSid)
      .filter((m) => lookup.body === undefined || (m.body ?? '').trim() === lookup.body.trim())
      .map((m) => ({
        providerMessageId: m.sid,
        status: listedStatus(m.status),
        ...(m.errorCode ? { errorCode: String(m.errorCode), errorMessage: m.errorMessage ?? undefined } : {}),
      }));
  } catch (error) {
    throw classifyTwilioError(error, http.lastHeader('retry-after'));
  }
}

/** A listed message's status in our words (providers.md §1.2's enum). */
function listedStatus(status: string): DeliveryStatus {
  if (status === 'failed' || status === 'undelivered' || status === 'canceled') return 'failed';
  if (status === 'sent' || status === 'delivered' || status === 'read') return status;
  return 'queued';
}

type CreateParams = Parameters<ReturnType<typeof twilioClient>['client']['messages']['create']>[0];

function messageParams(message: OutboundMessage): CreateParams {
  let to: string;
  try {
    to = toTwilioAddress(message.to);
  } catch {
    throw new ProviderSendError('permanent', `Cannot send to ${JSON.stringify(message.to)}: not a WhatsApp number or id.`, 'BAD_RECIPIENT');
  }
  const sender = senderParams(message.from);
  const params: CreateParams = { to, ...sender };
  if (message.template) {
    // Twilio names WhatsApp templates by Content SID; variables are positional {"1": …, "2": …}.
    const contentSid = message.template.providerTemplateId ?? message.template.name;
    if (!isContentSid(contentSid)) {
      throw new ProviderSendError('permanent', 'Twilio templates are sent by Content SID (HX followed by 32 hex characters).', 'BAD_TEMPLATE');
    }
    params.contentSid = contentSid;
    params.contentVariables = JSON.stringify(Object.fromEntries(message.template.variables.map((v, i) => [String(i + 1), v])));
  } else {
    if (message.text) params.body = message.text;
    if (message.media) params.mediaUrl = [message.media.url];
    if (!params.body && !params.mediaUrl) throw new ProviderSendError('permanent', 'A message needs text, media or a template.', 'EMPTY_MESSAGE');
  }
  if (message.statusCallbackUrl) params.statusCallback = message.statusCallbackUrl;
  return params;
}

function senderParams(from: OutboundMessage['from']): { from: string } | { messagingServiceSid: string } {
  if (from.phone) return { from: toTwilioAddress(from.phone) };
  if (from.providerNumberId && isMessagingServiceSid(from.providerNumberId)) return { messagingServiceSid: from.providerNumberId };
  throw new ProviderSendError('permanent', 'The Twilio sender needs a phone number (or a Messaging Service SID).', 'BAD_SENDER');
}

/**
 * providers.md §1.4: network, 429/20429 and 5xx are worth retrying; 63016 means a template is
 * needed; 21211 (bad To), 20003 (authentication) and other 4xx will fail again.
 */
export function classifyTwilioError(error: unknown, retryAfter?: string): ProviderSendError {
  const rest = error as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof rest?.status !== 'number') {
    const reason = (error as { code?: string })?.code ?? (error instanceof Error ? error.message : String(error));
    return new ProviderSendError('transient', `Twilio could not be reached: ${reason}`, 'NETWORK');
  }
  const code = typeof rest.code === 'number' ? rest.code : undefined;
  const codeText = code === undefined ? String(rest.status) : String(code);
  const sentence = `Twilio refused the message (${codeText}): ${typeof rest.message === 'string' ? rest.message : `HTTP ${rest.status}`}`;
  if (code !== undefined && WINDOW_CLOSED_CODES.has(code)) return new ProviderSendError('window_closed', sentence, codeText);
  if (rest.status === 429 || code === 20429) return new ProviderSendError('transient', sentence, codeText, parseRetryAfter(retryAfter));
  if (rest.status >= 500) return new ProviderSendError('transient', sentence, codeText);
  return new ProviderSendError('permanent', sentence, codeText);
}

/**
 * providers.md §1.1: MediaUrl0 is on the Twilio API, which may ask for Basic auth and redirects to
 * its CDN (`*.twiliocdn.com`); the credentials go to `*.twilio.com` only.
 */
const TWILIO_MEDIA_HOSTS: Omit<MediaHosts, 'apiBaseUrl'> = {
  fetchFrom: ['api.twilio.com', '*.twilio.com', 'media.twiliocdn.com', '*.twiliocdn.com'],
  credentialsTo: ['api.twilio.com', '*.twilio.com'],
};

export async function fetchTwilioMedia(ctx: ProviderContext, credentials: TwilioCredentials, media: InboundMedia) {
  if (!media.url) throw new ProviderSendError('permanent', 'This Twilio media has no URL to fetch.');
  const basic = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;
  return downloadMedia(ctx, media.url, basic, { ...TWILIO_MEDIA_HOSTS, apiBaseUrl: ctx.config.twilio.apiBaseUrl }, 'Twilio');
}
