// Twilio (WhatsApp over Programmable Messaging): form webhooks signed with the account's auth token.
import type { ProviderAdapter, TwilioCredentials } from '../provider.js';
import { detectTwilio, parseTwilioWebhook, twilioRoutingHint, verifyTwilioRequest } from './inbound.js';
import { fetchTwilioMedia, sendTwilioMessage } from './outbound.js';

export const twilio = {
  name: 'twilio',
  detect: detectTwilio,
  verify: verifyTwilioRequest,
  routingHint: twilioRoutingHint,
  parse: parseTwilioWebhook,
  send: sendTwilioMessage,
  fetchMedia: fetchTwilioMedia,
  // Twilio reads the answer as TwiML: an empty Response sends nothing back (JSON would log error 12300).
  ack: { contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' },
  hasServiceWindow: true,
} satisfies ProviderAdapter<TwilioCredentials>;
