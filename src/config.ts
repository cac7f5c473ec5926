// The environment, parsed once. Nothing else in src/ reads process.env.
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const onOff = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : ['1', 'true', 'on', 'yes'].includes(v)));

/** An IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of proxy addresses/ranges; empty means none. */
const addressList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine((entries) => entries.every(isAddressOrRange), { message: 'must be a comma-separated list of IP addresses or CIDR ranges' });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/switchboard.db')
    .refine((v) => v.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be sqlite:PATH, sqlite::memory: or postgres://…',
    }),
  ADMIN_API_KEY: optionalText,
  ENCRYPTION_KEY: optionalText.refine((v) => v === undefined || decodeKey(v) !== null, {
    message: 'must be 32 bytes as hex (64 characters) or base64',
  }),
  TWILIO_ACCOUNT_SID: optionalText.refine((v) => v === undefined || /^AC[0-9a-fA-F]{32}$/.test(v), {
    message: 'must be AC followed by 32 hex characters',
  }),
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_PHONE_NUMBER: optionalText,
  TWILIO_API_BASE_URL: z.url().default('https://api.twilio.com'),
  /** the Content API (templates); default: content.twilio.com, or TWILIO_API_BASE_URL when that points elsewhere (a fake, a proxy) */
  TWILIO_CONTENT_BASE_URL: z.url().optional(),
  WHATSAPP_ACCESS_TOKEN: optionalText,
  WHATSAPP_BUSINESS_ACCOUNT_ID: optionalText,
  WHATSAPP_PHONE_NUMBER_ID: optionalText,
  WHATSAPP_APP_SECRET: optionalText,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: optionalText,
  META_GRAPH_BASE_URL: z.url().default('https://graph.facebook.com'),
  META_GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .default('v23.0'),
  META_NUMBER_LIMIT: z.coerce.number().int().min(1).max(120).default(25),
  WHAPI_TOKEN: optionalText,
  WHAPI_CHANNEL_ID: optionalText,
  WHAPI_BASE_URL: z.url().default('https://gate.whapi.cloud'),
  WHAPI_WEBHOOK_SECRET: optionalText,
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: optionalText,
  LLM_MODEL: optionalText,
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(15000),
  EMBEDDINGS_BASE_URL: z.url().optional(),
  EMBEDDINGS_API_KEY: optionalText,
  EMBEDDINGS_MODEL: optionalText,
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
  ANSWER_BY_MEANING: onOff,
  ENCODER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(30000),
  KNOWLEDGE_MAX_DOCUMENTS: z.coerce.number().int().min(1).default(500),
  KNOWLEDGE_MAX_ENTRIES: z.coerce.number().int().min(1).default(20000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(30000),
  SIMULATOR: onOff,
  DEMO: onOff,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER: onOff,
  INSTANCE_ID: optionalText,
  JOB_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  WIDGET_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  WIDGET_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  TRUSTED_PROXIES: addressList,
  MEDIA_FETCH_ALLOW_PRIVATE: onOff,
  METRICS_TOKEN: optionalText,
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  UNROUTED_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  HANDOVER_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  SUGGESTION_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  RATE_LIMIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(1),
  /** unset or empty: messages are kept forever */
  MESSAGE_RETENTION_DAYS: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).optional()),
  /** where media files and visitor uploads are kept: a directory, or `s3://bucket/prefix` */
  MEDIA_STORE: optionalText.refine((v) => v === undefined || !v.startsWith('s3:') || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(v), {
    message: 'must be a directory or s3://bucket/prefix (a valid bucket name)',
  }),
  MEDIA_S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  MEDIA_S3_REGION: optionalText,
  AWS_REGION: optionalText,
  AWS_ACCESS_KEY_ID: optionalText,
  AWS_SECRET_ACCESS_KEY: optionalText,
  AWS_SESSION_TOKEN: optionalText,
});

export type Config = ReturnType<typeof toConfig>;

export function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : null;
}

/** Where media files are kept (services/media/store.ts). */
export type MediaStoreConfig =
  /** `directory` undefined: a database in memory keeps its files in a temporary directory */
  | { kind: 'disk'; directory: string | undefined }
  | {
      kind: 's3';
      bucket: string;
      /** prepended to every key, without a trailing slash ('' for none) */
      prefix: string;
      /** an S3-compatible server (MinIO, R2…), addressed path-style; undefined: AWS */
      endpoint: string | undefined;
      region: string;
      /** undefined: the SDK's own chain (shared config files, instance or task roles) */
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
    };

/** Default: a `media/` directory beside the SQLite file, or under ./data with PostgreSQL. */
function mediaStoreConfig(env: z.infer<typeof envSchema>): MediaStoreConfig {
  const store = env.MEDIA_STORE;
  if (store?.startsWith('s3://')) {
    const [bucket = '', ...prefix] = store.slice('s3://'.length).split('/');
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
        : undefined;
    return {
      kind: 's3',
      bucket,
      prefix: prefix.filter(Boolean).join('/'),
      endpoint: env.MEDIA_S3_ENDPOINT?.replace(/\/+$/, ''),
      region: env.MEDIA_S3_REGION ?? env.AWS_REGION ?? 'us-east-1',
      credentials,
    };
  }
  if (store) return { kind: 'disk', directory: store.replace(/^file:\/\//, '') };
  if (env.DATABASE_URL === 'sqlite::memory:') return { kind: 'disk', directory: undefined };
  const dataDirectory = env.DATABASE_URL.startsWith('sqlite:') ? dirname(env.DATABASE_URL.slice('sqlite:'.length)) : './data';
  return { kind: 'disk', directory: join(dataDirectory, 'media') };
}

function toConfig(env: z.infer<typeof envSchema>) {
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const anyProvider = Boolean(env.TWILIO_ACCOUNT_SID || env.WHATSAPP_ACCESS_TOKEN || env.WHAPI_TOKEN);
  return {
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    databaseUrl: env.DATABASE_URL,
    adminApiKey: env.ADMIN_API_KEY,
    encryptionKey: env.ENCRYPTION_KEY ? decodeKey(env.ENCRYPTION_KEY)! : undefined,
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      phoneNumber: env.TWILIO_PHONE_NUMBER,
      apiBaseUrl: env.TWILIO_API_BASE_URL.replace(/\/+$/, ''),
      contentBaseUrl: (
        env.TWILIO_CONTENT_BASE_URL ??
        (env.TWILIO_API_BASE_URL.replace(/\/+$/, '') === 'https://api.twilio.com' ? 'https://content.twilio.com' : env.TWILIO_API_BASE_URL)
      ).replace(/\/+$/, ''),
    },
    meta: {
      accessToken: env.WHATSAPP_ACCESS_TOKEN,
      businessAccountId: env.WHATSAPP_BUSINESS_ACCOUNT_ID,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
      appSecret: env.WHATSAPP_APP_SECRET,
      verifyToken: env.WHATSAPP_WEBHOOK_VERIFY_TOKEN,
      graphBaseUrl: env.META_GRAPH_BASE_URL.replace(/\/+$/, ''),
      apiVersion: env.META_GRAPH_API_VERSION,
      numberLimit: env.META_NUMBER_LIMIT,
    },
    whapi: {
      token: env.WHAPI_TOKEN,
      channelId: env.WHAPI_CHANNEL_ID,
      baseUrl: env.WHAPI_BASE_URL.replace(/\/+$/, ''),
      webhookSecret: env.WHAPI_WEBHOOK_SECRET,
    },
    llm:
      env.LLM_BASE_URL && env.LLM_MODEL
        ? { baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL, timeoutMs: env.LLM_TIMEOUT_MS }
        : undefined,
    /** an OpenAI-compatible embeddings endpoint giving the sentence vectors instead of the built-in encoder */
    embeddings: env.EMBEDDINGS_BASE_URL
      ? {
          baseUrl: env.EMBEDDINGS_BASE_URL,
          apiKey: env.EMBEDDINGS_API_KEY,
          model: env.EMBEDDINGS_MODEL ?? 'text-embedding-3-small',
          timeoutMs: env.EMBEDDINGS_TIMEOUT_MS,
        }
      : undefined,
    /** the sentence encoder beside word matching (about 30 MB of model, 160 MB of memory) */
    answerByMeaning: env.ANSWER_BY_MEANING ?? true,
    /** the built-in encoder's time limit for one batch; past it the batch fails and its thread is replaced */
    encoderTimeoutMs: env.ENCODER_TIMEOUT_MS,
    /** per organization: documents in the knowledge base, entries (passages) a training may make */
    knowledgeLimits: { documents: env.KNOWLEDGE_MAX_DOCUMENTS, entries: env.KNOWLEDGE_MAX_ENTRIES },
    /** SIGTERM: how long running work may take before the process ends anyway (its jobs are taken back) */
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    simulator: env.SIMULATOR ?? !anyProvider,
    demo: env.DEMO ?? true,
    logLevel: env.LOG_LEVEL,
    worker: env.WORKER ?? true,
    instanceId: env.INSTANCE_ID ?? `${process.pid}`,
    /** INSTANCE_ID was given: jobs leased under it on PostgreSQL belong to this instance's earlier life */
    instanceIdChosen: env.INSTANCE_ID !== undefined,
    /** a running job's lease, renewed while it runs; a dead instance's jobs return after it */
    jobLeaseMs: env.JOB_LEASE_SECONDS * 1000,
    /** visitor API limits: messages per session, requests per address (per minute) */
    widgetLimits: { messagesPerMinute: env.WIDGET_MESSAGES_PER_MINUTE, requestsPerMinute: env.WIDGET_REQUESTS_PER_MINUTE },
    /** proxies whose X-Forwarded-For names the client (addresses or CIDR ranges); none by default */
    trustedProxies: env.TRUSTED_PROXIES,
    /** media may be fetched from private and loopback addresses (tests against local fakes only) */
    mediaFetchAllowPrivate: env.MEDIA_FETCH_ALLOW_PRIVATE ?? false,
    /** when set, GET /metrics answers only `Authorization: Bearer <this>` (queue depth and traffic are not for anyone) */
    metricsToken: env.METRICS_TOKEN,
    /** what is removed after how many days (services/platform/retention.ts); messages: undefined = kept forever */
    retention: {
      everyMs: env.RETENTION_INTERVAL_MINUTES * 60_000,
      jobsDays: env.JOB_RETENTION_DAYS,
      unroutedDays: env.UNROUTED_RETENTION_DAYS,
      handoversDays: env.HANDOVER_RETENTION_DAYS,
      suggestionsDays: env.SUGGESTION_RETENTION_DAYS,
      rateLimitDays: env.RATE_LIMIT_RETENTION_DAYS,
      messagesDays: env.MESSAGE_RETENTION_DAYS,
    },
    /** inbound media copies and visitor uploads: on disk by default, or an S3-compatible bucket */
    mediaStore: mediaStoreConfig(env),
  };
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`);
  }
  const config = toConfig(parsed.data);
  if (config.databaseUrl.startsWith('postgres') && !config.encryptionKey) {
    throw new ConfigError('Invalid configuration: ENCRYPTION_KEY is required with PostgreSQL (32 bytes, hex or base64)');
  }
  return config;
}

/** A config for tests: defaults plus the given variables, nothing from the real environment (the fakes listen on loopback). */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent', DEMO: '0', MEDIA_FETCH_ALLOW_PRIVATE: '1', ...env });
}
