// Twilio (WhatsApp over Programmable Messaging): form webhooks signed with the account's auth token.
import type { Config } from '../../config.js';
import type { ProviderAdapter, TwilioCredentials } from '../provider.js';
import { detectTwilio, parseTwilioWebhook, twilioRoutingHint, verifyTwilioRequest } from './inbound.js';
import { checkTwilioCredentials, platformTwilioSender, twilioNumbers } from './numbers.js';
import { fetchTwilioMedia, findSentTwilioMessages, sendTwilioMessage, showTwilioTyping } from './outbound.js';
import { twilioTemplates } from './templates.js';

/** The platform's account (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, both needed). */
function platformTwilioCredentials(config: Config): TwilioCredentials | undefined {
  const { accountSid, authToken } = config.twilio;
  return accountSid && authToken ? { accountSid, authToken } : undefined;
}

/** Where Twilio posts messages and status callbacks (numbers we buy are pointed here). */
export const TWILIO_WEBHOOK_PATH = '/api/webhooks/twilio';

export const twilio = {
  name: 'twilio',
  label: 'Twilio',
  webhooks: [{ kind: 'receive', method: 'POST', path: TWILIO_WEBHOOK_PATH }],
  platformCredentials: platformTwilioCredentials,
  detect: detectTwilio,
  verify: verifyTwilioRequest,
  webhookSecretField: 'authToken',
  routingHint: twilioRoutingHint,
  parse: parseTwilioWebhook,
  send: sendTwilioMessage,
  findSent: findSentTwilioMessages,
  fetchMedia: fetchTwilioMedia,
  // Twilio reads the answer as TwiML: an empty Response sends nothing back (JSON would log error 12300).
  ack: { contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' },
  hasServiceWindow: true,
  // Templates are Content SIDs (HX…), sent with ContentVariables.
  capabilities: { templates: true },
  statusCallbackPath: TWILIO_WEBHOOK_PATH,
  numbers: twilioNumbers,
  checkCredentials: checkTwilioCredentials,
  platformSender: platformTwilioSender,
  managedTemplates: twilioTemplates,
  typing: showTwilioTyping,
} satisfies ProviderAdapter<TwilioCredentials>;
