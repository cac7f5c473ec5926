// Real server processes (`src/main.ts`) for the scale-out, fault and crash tests, and the rows they share.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../../src/services/context.js';
import { formBody, signTwilio } from '../fixtures/providers/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
  url: string;
  process: ChildProcess;
  /** the last lines it logged, for a failing test's message */
  output: string[];
  /** every line it logged (up to 50,000) */
  lines: string[];
  /** SIGTERM and wait for the exit */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown, no goodbye */
  kill(): Promise<void>;
}

/** Starts `tsx src/main.ts` with exactly this environment (plus PATH/HOME) and waits until it listens. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const onLine = (line: string) => {
      output.push(line);
      if (lines.length < 50_000) lines.push(line);
      if (output.length > 200) output.shift();
      if (line.includes('Switchboard is listening')) {
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch {
          // not a JSON log line
        }
      }
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) onLine(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`the instance exited before listening:\n${output.slice(-20).join('\n')}`)));
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { url, process: child, output, lines, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

export const PUBLIC_URL = 'https://switchboard.example.com';
export const TWILIO_ACCOUNT = { sid: `AC${'5a'.repeat(16)}`, token: '0f'.repeat(16) };

/** The environment two instances share: one database, one key, the platform's Twilio account at a fake. */
export function sharedEnv(databaseUrl: string, twilioUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY: '33'.repeat(32),
    ADMIN_API_KEY: 'scale-admin-key',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT.sid,
    TWILIO_AUTH_TOKEN: TWILIO_ACCOUNT.token,
    TWILIO_PHONE_NUMBER: 'whatsapp:+14155550100',
    TWILIO_API_BASE_URL: twilioUrl,
    ...extra,
  };
}

/** An organization with `count` Twilio numbers (+14155550200 + first…), straight into the database. */
export async function seedTwilioOrganization(
  ctx: AppContext,
  count: number,
  first = 0,
): Promise<{ organizationId: string; numberIds: string[]; phones: string[] }> {
  const now = ctx.clock.now().toISOString();
  const organizationId = randomUUID();
  await ctx.db
    .insertInto('organizations')
    .values({
      id: organizationId,
      name: 'Scale Shop',
      plan: 'business',
      join_code: `scale${organizationId.slice(0, 6)}`,
      last_conversation_ref: 0,
      dedupe_window_seconds: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const phones = Array.from({ length: count }, (_, i) => `+1415555${String(200 + first + i).padStart(4, '0')}`);
  const numberIds = phones.map(() => randomUUID());
  await ctx.db
    .insertInto('numbers')
    .values(
      phones.map((phone, i) => ({
        id: numberIds[i]!,
        organization_id: organizationId,
        provider: 'twilio',
        phone_number: phone,
        provider_id: `PN${phone.slice(1).padStart(32, '0')}`,
        display_name: `Scale ${i}`,
        connection_id: null,
        sender_status: 'online',
        is_shared_trial: 0 as const,
        is_dedicated: 1 as const,
        created_at: now,
      })),
    )
    .execute();
  return { organizationId, numberIds, phones };
}

export interface EventStream {
  events: Array<{ event: string; data: any }>;
  close(): void;
}

/** Reads a Server-Sent Events stream as a browser's EventSource would, collecting every event. */
export async function openEventStream(url: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
  const events: EventStream['events'] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // closed
    }
  })();
  return { events, close: () => abort.abort() };
}

/** Customer `n` writes to one of the business numbers, as Twilio posts it (providers.md §1.1). */
export function inboundWebhook(n: number, to: string): { body: Buffer; signature: string } {
  const sid = `SM${n.toString(16).padStart(32, '0')}`;
  const customer = `+447946${String(100000 + n)}`;
  const fields = {
    SmsMessageSid: sid,
    NumMedia: '0',
    ProfileName: `Customer ${n}`,
    MessageType: 'text',
    SmsSid: sid,
    WaId: customer.slice(1),
    SmsStatus: 'received',
    Body: `Do you deliver on Sundays? (${n})`,
    To: `whatsapp:${to}`,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: TWILIO_ACCOUNT.sid,
    From: `whatsapp:${customer}`,
    ApiVersion: '2010-04-01',
  };
  return { body: formBody(fields), signature: signTwilio(`${PUBLIC_URL}/api/webhooks/twilio`, fields, TWILIO_ACCOUNT.token) };
}

export async function postWebhook(url: string, webhook: { body: Buffer; signature: string }): Promise<number | 'no answer'> {
  try {
    const response = await fetch(`${url}/api/webhooks/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': webhook.signature },
      body: webhook.body.toString(),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'no answer';
  }
}

/** Jobs still to run or running: zero once every reply has been decided. */
export async function unfinishedJobs(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['pending', 'running'])
    // A handover template's review is read again for hours until the provider decides: not part of
    // the replies these tests count.
    .where('kind', 'not in', ['template.create', 'template.check'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
