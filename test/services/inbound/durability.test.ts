// "Answered 200 = stored": a real server process is killed with SIGKILL right after it answered a
// webhook; after a restart on the same SQLite file the message is there and its reaction runs.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../../src/db/database.js';
import { waitFor } from '../../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-durability-'));
const databaseUrl = `sqlite:${join(dir, 'switchboard.db')}`;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `tsx src/main.ts` and resolves with its URL once it listens. */
async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      SIMULATOR: '1',
      DEMO: '0',
      ADMIN_API_KEY: 'durability-admin-key-0123456789',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  let url: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    url ??= /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  await waitFor(() => url !== undefined || child.exitCode !== null, { timeoutMs: 60_000, what: 'the server to listen' });
  if (!url) throw new Error(`the server did not start:\n${output}`);
  return { child, url };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('kill -9 after a webhook was answered', () => {
  it('keeps the message and runs its reaction after the restart', async () => {
    const setup = openDatabase(databaseUrl);
    await migrateToLatest(setup);
    const now = new Date().toISOString();
    await setup.db
      .insertInto('organizations')
      .values({
        id: 'org-durable',
        name: 'Durable Shop',
        plan: 'starter',
        join_code: 'durable',
        last_conversation_ref: 0,
        dedupe_window_seconds: 0,
        created_at: now,
        updated_at: now,
        description: null,
        business_info: null,
        instructions: null,
      })
      .execute();
    await setup.db
      .insertInto('numbers')
      .values({
        id: 'number-durable',
        organization_id: 'org-durable',
        provider: 'simulator',
        phone_number: '+14155550188',
        provider_id: '+14155550188',
        display_name: null,
        connection_id: null,
        sender_status: 'online',
        is_shared_trial: 0,
        is_dedicated: 1,
        created_at: now,
      })
      .execute();
    await setup.close();

    // First life: no worker, so the reaction cannot have run before the kill.
    const first = await startProcess({ WORKER: '0' });
    const res = await fetch(`${first.url}/api/webhooks/sim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sim-durable-1', from: '+5511987654321', to: '+14155550188', text: 'Do you deliver on Sundays?' }),
    });
    expect(res.status).toBe(200);
    await killed(first.child);

    const afterKill = openDatabase(databaseUrl);
    const stored = await afterKill.db.selectFrom('messages').selectAll().where('provider_message_id', '=', 'sim-durable-1').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ body: 'Do you deliver on Sundays?', conversation_id: null });
    const pending = await afterKill.db.selectFrom('jobs').selectAll().where('kind', '=', 'inbound.react').execute();
    expect(pending.map((j) => j.status)).toEqual(['pending']);
    await afterKill.close();

    // Second life: the worker finds the job and the reaction runs.
    const second = await startProcess({});
    const check = openDatabase(databaseUrl);
    try {
      await waitFor(
        async () => {
          const job = await check.db.selectFrom('jobs').select(['status', 'last_error']).where('kind', '=', 'inbound.react').executeTakeFirst();
          if (job?.last_error) throw new Error(`the reaction failed: ${job.last_error}`);
          return job?.status === 'done';
        },
        { timeoutMs: 30_000, what: 'the reaction job to run after the restart' },
      );
      const message = await check.db.selectFrom('messages').selectAll().where('provider_message_id', '=', 'sim-durable-1').executeTakeFirstOrThrow();
      expect(message.conversation_id).not.toBeNull();
      const conversation = await check.db.selectFrom('conversations').selectAll().executeTakeFirstOrThrow();
      expect(conversation).toMatchObject({ organization_id: 'org-durable', ref: 1, number_id: 'number-durable' });
    } finally {
      await check.close();
      await killed(second.child);
    }
  }, 120_000);
});
