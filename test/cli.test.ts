// The CLI as an operator runs it: a separate process on a temporary SQLite database, talking to
// the fake Twilio and Meta servers for numbers.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/core/keys.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { type FakeMeta, startFakeMeta } from './fakes/meta.js';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio.js';

const ROOT = join(import.meta.dirname, '..');
/** The CLI's sources through tsx: what these tests check is this checkout's code, never a stale dist/. */
const SOURCE = ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli.ts')];
let dir: string;
let twilio: FakeTwilio;
let meta: FakeMeta;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  [twilio, meta] = await Promise.all([startFakeTwilio(), startFakeMeta()]);
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    DATABASE_URL: `sqlite:${join(dir, 'switchboard.db')}`,
    PUBLIC_URL: 'https://hooks.example.com',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    WHATSAPP_ACCESS_TOKEN: meta.accessToken,
    WHATSAPP_BUSINESS_ACCOUNT_ID: meta.wabaId,
    META_GRAPH_BASE_URL: meta.url,
  };
});
afterAll(async () => {
  await Promise.all([twilio.close(), meta.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
  return run(SOURCE, args);
}

function run(entry: string[], args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: any }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...entry, ...args], { env, cwd: dir, timeout: 300_000 }, (error, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr, json });
    });
  });
}

async function withDatabase<T>(use: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(env.DATABASE_URL!);
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}

// Each command is a fresh Node process loading TypeScript through tsx: slow on a busy machine,
// so the time limit is generous (it guards against a hang, not a slow start).
describe('switchboard CLI', { timeout: 600_000 }, () => {
  it('creates and lists organizations and issues a key that is stored hashed', async () => {
    const created = await cli('org', 'create', '--name', 'Harbor Books', '--plan', 'starter');
    expect(created.code).toBe(0);
    expect(created.json.organization).toMatchObject({ name: 'Harbor Books', plan: 'starter', joinCode: expect.stringMatching(/^[a-z]+-[a-z]+$/) });
    const orgId: string = created.json.organization.id;

    const listed = await cli('org', 'list');
    expect(listed.json.organizations.map((o: { id: string }) => o.id)).toContain(orgId);

    const key = await cli('key', 'create', '--org', orgId);
    expect(key.code).toBe(0);
    expect(key.json.key).toMatch(/^sb_org_/);
    const stored = await withDatabase((d) => d.db.selectFrom('api_keys').selectAll().where('id', '=', key.json.apiKey.id).executeTakeFirstOrThrow());
    expect(stored).toMatchObject({ organization_id: orgId, key_hash: hashSecret(key.json.key) });
  });

  it('buys a Twilio number and assigns a Meta number for an organization', async () => {
    const orgId = (await cli('org', 'create', '--name', 'Numbers Ltd')).json.organization.id;
    const bought = await cli('number', 'provision', '--org', orgId, '--phone', '+14155550142');
    expect(bought.code).toBe(0);
    expect(bought.json.organization).toMatchObject({ id: orgId, whatsappNumber: '+14155550142', whatsappNumberSid: expect.stringMatching(/^PN/) });
    const purchase = twilio.requests.find((r) => r.method === 'POST' && r.path.endsWith('/IncomingPhoneNumbers.json'))!;
    expect(purchase.body).toMatchObject({ PhoneNumber: '+14155550142', SmsUrl: 'https://hooks.example.com/api/webhooks/twilio' });

    const assigned = await cli('number', 'assign-meta', '--org', orgId, '--phone-number-id', '106540352242922');
    expect(assigned.code).toBe(0);
    expect(assigned.json).toEqual({ success: true, store: { id: orgId, whatsappPhoneNumberId: '106540352242922', whatsappDisplayNumber: '+1 555-078-3881' } });

    const trial = await cli('number', 'set-trial', '--provider', 'twilio', '--phone', '+14155238886');
    expect(trial.code).toBe(0);
    expect(trial.json.number).toMatchObject({ provider: 'twilio', phoneNumber: '+14155238886' });
    const shared = await withDatabase((d) => d.db.selectFrom('numbers').select(['phone_number', 'organization_id']).where('is_shared_trial', '=', 1).execute());
    expect(shared).toEqual([{ phone_number: '+14155238886', organization_id: null }]);
  });

  it('lists an unrouted event and replays it once its number is assigned', async () => {
    const orgId = (await cli('org', 'create', '--name', 'Late Number Co')).json.organization.id;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: meta.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783882', phone_number_id: '106540352242923' },
                contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: '16315551181' }],
                messages: [{ from: '16315551181', id: 'wamid.cli-replay-1', timestamp: '1784034321', type: 'text', text: { body: 'Hi there' } }],
              },
            },
          ],
        },
      ],
    };
    const eventId = await withDatabase(async (d) => {
      const row = await d.db
        .insertInto('unrouted_events')
        .values({
          provider: 'meta',
          reason: 'No organization owns this number.',
          payload: JSON.stringify(payload),
          headers: JSON.stringify({ contentType: 'application/json', url: '/api/webhooks/meta' }),
          received_at: new Date().toISOString(),
          replayed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    });
    const listed = await cli('unrouted', 'list');
    expect(listed.json.events.map((e: { id: number }) => e.id)).toContain(eventId);

    expect((await cli('number', 'assign-meta', '--org', orgId, '--phone-number-id', '106540352242923', '--display-number', '+15550783882')).code).toBe(0);
    const replayed = await cli('unrouted', 'replay', String(eventId));
    expect(replayed.code).toBe(0);
    expect(replayed.json).toMatchObject({ ok: true, stored: 1 });
    const message = await withDatabase((d) =>
      d.db.selectFrom('messages').selectAll().where('provider_message_id', '=', 'wamid.cli-replay-1').executeTakeFirst(),
    );
    expect(message).toMatchObject({ organization_id: orgId, direction: 'in', body: 'Hi there' });
  });

  it('answers bad arguments with one sentence and exit code 2, without touching the database', async () => {
    for (const args of [
      ['org', 'create'],
      ['org', 'create', '--name', 'X', '--plan', 'gold'],
      ['frobnicate'],
      ['unrouted', 'replay', 'abc'],
      ['org', 'list', '--verbose'],
      ['number', 'set-trial', '--provider', 'sms', '--phone', '+14155238886'],
    ]) {
      const res = await cli(...args);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stdout).toBe('');
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/number provision --org ORG_ID --phone/);
  });

  it('explains a failure of the operation itself with exit code 1', async () => {
    const res = await cli('key', 'create', '--org', 'no-such-org');
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Organization not found.');
  });
});

// `npm run build` compiles the CLI with the server; bin/switchboard.mjs then runs dist/cli.js as
// plain JavaScript. Built here apart (inside the checkout, so node_modules resolves) next to a copy
// of the bin and no sources: the bin can only have run the compiled CLI.
describe('the built CLI', { timeout: 600_000 }, () => {
  const built = join(ROOT, `.build-cli-test-${process.pid}`);
  afterAll(() => rmSync(built, { recursive: true, force: true }));

  it('runs from dist as plain JavaScript, through the bin', async () => {
    execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'scripts', 'build-server.ts'), '--out', join(built, 'dist')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    mkdirSync(join(built, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'switchboard.mjs'), join(built, 'bin', 'switchboard.mjs'));
    expect(existsSync(join(built, 'src'))).toBe(false);

    const help = await run([join(built, 'dist', 'cli.js')], ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchboard <command>');
    const created = await run([join(built, 'bin', 'switchboard.mjs')], ['org', 'create', '--name', 'Built Books']);
    expect(created.code).toBe(0);
    const listed = await run([join(built, 'bin', 'switchboard.mjs')], ['org', 'list']);
    expect(listed.json.organizations.map((o: { id: string }) => o.id)).toContain(created.json.organization.id);
  });
});
