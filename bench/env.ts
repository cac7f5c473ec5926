// The product's environment in a bench target: platform Twilio and Meta credentials, providers offline.
import { BENCH_NUMBERS, BENCH_SECRETS } from './payloads.js';

export const PUBLIC_URL = 'https://bench.example.com';

export function productEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const nowhere = 'http://127.0.0.1:9';
  return {
    PORT: '0',
    PUBLIC_URL,
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: '22'.repeat(32),
    ADMIN_API_KEY: 'bench-admin-key',
    DEMO: '0',
    LOG_LEVEL: 'info',
    // The throughput runs measure the webhook path (verify → store → enqueue); the reactions
    // it enqueues are not run, so their CPU is not counted against it.
    WORKER: '0',
    TWILIO_ACCOUNT_SID: BENCH_SECRETS.twilioAccountSid,
    TWILIO_AUTH_TOKEN: BENCH_SECRETS.twilioAuthToken,
    TWILIO_PHONE_NUMBER: `whatsapp:${BENCH_NUMBERS.twilioPhone}`,
    TWILIO_API_BASE_URL: nowhere,
    WHATSAPP_ACCESS_TOKEN: BENCH_SECRETS.metaAccessToken,
    WHATSAPP_APP_SECRET: BENCH_SECRETS.metaAppSecret,
    WHATSAPP_PHONE_NUMBER_ID: BENCH_NUMBERS.metaPhoneNumberId,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: 'bench-verify',
    META_GRAPH_BASE_URL: nowhere,
    WHAPI_TOKEN: BENCH_SECRETS.whapiToken,
    WHAPI_WEBHOOK_SECRET: BENCH_SECRETS.whapiWebhookSecret,
    WHAPI_BASE_URL: nowhere,
    ...extra,
  };
}
