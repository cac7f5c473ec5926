// Signed provider webhooks, each with a new message id, as the load generator sends them.
import { createHmac } from 'node:crypto';

export const BENCH_SECRETS = {
  twilioAccountSid: `AC${'b3'.repeat(16)}`,
  twilioAuthToken: '7c1e4b2a9d3f5e6081a2b3c4d5e6f708',
  metaAppSecret: 'e3b1c44298fc1c149afbf4c8996fb924',
  metaAccessToken: 'bench-meta-token',
  whapiToken: 'bench-whapi-token',
  whapiWebhookSecret: 'bench-whapi-webhook-secret-5d1e',
};
export const BENCH_NUMBERS = {
  twilioPhone: '+14155550123',
  twilioSid: `PN${'c4'.repeat(16)}`,
  metaPhone: '+15550783881',
  metaPhoneNumberId: '106540352242922',
  whapiPhone: '+14155550188',
  whapiChannelId: 'BENCHSHOP-7QK2X',
};

export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  let data = url;
  for (const key of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(key))].sort()) data += key + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export interface SignedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A Twilio inbound WhatsApp message (providers.md §1.1), signed for `publicUrl`. */
export function twilioInbound(
  publicUrl: string,
  n: number,
  { text = `Hello, order ${n}?`, from = `+55119876${String(n % 1000).padStart(5, '0')}` } = {},
): SignedRequest {
  const sid = `SM${n.toString(16).padStart(32, '0')}`;
  const customer = from;
  const params = new URLSearchParams({
    SmsMessageSid: sid,
    NumMedia: '0',
    ProfileName: `Customer ${n % 1000}`,
    MessageType: 'text',
    SmsSid: sid,
    WaId: customer.slice(1),
    SmsStatus: 'received',
    Body: text,
    To: `whatsapp:${BENCH_NUMBERS.twilioPhone}`,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: BENCH_SECRETS.twilioAccountSid,
    From: `whatsapp:${customer}`,
    ApiVersion: '2010-04-01',
  });
  const path = '/api/webhooks/twilio';
  return {
    path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(BENCH_SECRETS.twilioAuthToken, publicUrl + path, params),
    },
    body: params.toString(),
  };
}

/** A Meta Cloud API notification with one text message (providers.md §2.2), signed. */
export function metaInbound(n: number, text = `Hello, order ${n}?`): SignedRequest {
  const from = `1631555${String(n % 10000).padStart(4, '0')}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: BENCH_NUMBERS.metaPhone.slice(1), phone_number_id: BENCH_NUMBERS.metaPhoneNumberId },
              contacts: [{ profile: { name: `Customer ${n % 1000}` }, wa_id: from }],
              messages: [{ from, id: `wamid.bench${n.toString(36).padStart(12, '0')}`, timestamp: '1784034321', type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
  return {
    path: '/api/webhooks/meta',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', BENCH_SECRETS.metaAppSecret).update(body).digest('hex')}`,
    },
    body,
  };
}

/** A Whapi messages webhook with one text message (providers.md §3.2), with the webhook secret as Bearer. */
export function whapiInbound(n: number, text = `Hello, order ${n}?`): SignedRequest {
  const from = `1415777${String(n % 10000).padStart(4, '0')}`;
  const body = JSON.stringify({
    messages: [
      {
        id: `bench.${n.toString(36).padStart(12, '0')}`,
        from_me: false,
        type: 'text',
        chat_id: `${from}@s.whatsapp.net`,
        timestamp: 1784034321,
        source: 'mobile',
        text: { body: text },
        from,
        from_name: `Customer ${n % 1000}`,
      },
    ],
    event: { type: 'messages', event: 'post' },
    channel_id: BENCH_NUMBERS.whapiChannelId,
  });
  return {
    path: '/api/webhooks/whapi',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_SECRETS.whapiWebhookSecret}` },
    body,
  };
}
