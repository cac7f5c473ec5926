import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server.js';
import { DEMO_BUSINESS, DEMO_KNOWLEDGE, demoOrigins } from '../../../src/services/platform/demo.js';
import { listSimulatorPhones } from '../../../src/services/platform/simulator.js';
import { makeTestContext } from '../../support/context.js';
import { waitFor } from '../../support/wait.js';

const running: RunningServer[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function databaseFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sb-demo-'));
  folders.push(folder);
  return `sqlite:${join(folder, 'switchboard.db')}`;
}

async function start(databaseUrl: string, env: Record<string, string> = {}) {
  const server = await startServer(await makeTestContext({ databaseUrl, env: { DEMO: '1', PUBLIC_URL: 'http://localhost:3000', ...env } }), { listen: false });
  running.push(server);
  return server;
}

async function counts(server: RunningServer) {
  const db = server.ctx.db;
  const count = async (table: 'organizations' | 'numbers' | 'widgets' | 'pool_numbers' | 'knowledge_documents' | 'api_keys') =>
    Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    organizations: await count('organizations'),
    numbers: await count('numbers'),
    widgets: await count('widgets'),
    pool: await count('pool_numbers'),
    documents: await count('knowledge_documents'),
    keys: await count('api_keys'),
  };
}

describe('demo on first start', () => {
  it('creates the demo organization, its simulated numbers, knowledge base, widget, agents and pool', async () => {
    const server = await start(databaseFile());
    const demo = server.demo!;
    expect(demo.organizationName).toBe(DEMO_BUSINESS.name);
    expect(demo.apiKey).toMatch(/^sb_org_/);

    const org = await server.ctx.db.selectFrom('organizations').selectAll().where('id', '=', demo.organizationId).executeTakeFirstOrThrow();
    expect(org.plan).toBe('business');
    const numbers = await server.ctx.db.selectFrom('numbers').selectAll().orderBy('phone_number').execute();
    expect(numbers.map((n) => [n.phone_number, n.provider, n.organization_id])).toEqual([
      ['+15550100001', 'simulator', demo.organizationId],
      ['+15550100011', 'simulator', demo.organizationId],
      ['+15550100012', 'simulator', demo.organizationId],
    ]);

    // The widget as the API shows it: agents, the handover number, a two-number pool, the site's origins.
    const widget = await server.app.inject({ url: `/api/widgets/${demo.widgetId}`, headers: { authorization: `Bearer ${demo.apiKey}` } });
    expect(widget.statusCode).toBe(200);
    expect(widget.json().widget).toMatchObject({
      publicKey: demo.widgetPublicKey,
      allowedOrigins: expect.arrayContaining(['http://localhost:3000', 'http://127.0.0.1:3000']),
      agentWhatsappNumbers: ['+15550100101', '+15550100102'],
      handoverWhatsappNumber: '+15550100001',
      whatsappNumberPool: [
        expect.objectContaining({ number: '+15550100011', isActive: true }),
        expect.objectContaining({ number: '+15550100012', isActive: true }),
      ],
    });

    // The knowledge base is loaded and trained: a customer's question gets the price from it.
    expect((await counts(server)).documents).toBe(DEMO_KNOWLEDGE.length);
    const asked = await server.app.inject({
      method: 'POST',
      url: `/api/organizations/${demo.organizationId}/ask`,
      headers: { authorization: `Bearer ${demo.apiKey}` },
      payload: { question: 'how much does an electric bike cost for a whole day?' },
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.json().answer).toContain('$45');

    const phones = await listSimulatorPhones(server.ctx);
    expect(phones).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ number: '+15550100101', kind: 'agent' }),
        expect.objectContaining({ number: '+15550100102', kind: 'agent' }),
        expect.objectContaining({ number: DEMO_BUSINESS.customer.number, kind: 'customer' }),
      ]),
    );
  });

  it('adds nothing on a second start, and returns the same demo without its key', async () => {
    const url = databaseFile();
    const first = await start(url);
    const before = await counts(first);
    await first.stop();
    running.splice(0);
    const second = await start(url);
    expect(await counts(second)).toEqual(before);
    expect(second.demo).toMatchObject({ organizationId: first.demo!.organizationId, widgetPublicKey: first.demo!.widgetPublicKey });
    expect(second.demo!.apiKey).toBeUndefined();
  });

  it('leaves a database that already has organizations alone', async () => {
    const url = databaseFile();
    const plain = await start(url, { DEMO: '0' });
    const now = plain.ctx.clock.now().toISOString();
    await plain.ctx.db
      .insertInto('organizations')
      .values({
        id: 'org-1',
        name: 'Existing',
        description: null,
        business_info: null,
        plan: 'trial',
        join_code: 'calm-owl',
        instructions: null,
        last_conversation_ref: 0,
        dedupe_window_seconds: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await plain.stop();
    running.splice(0);
    const server = await start(url);
    expect(server.demo).toBeUndefined();
    expect(await counts(server)).toMatchObject({ organizations: 1, numbers: 0, widgets: 0 });
  });

  it('is not created when the simulator is off (real providers configured)', async () => {
    const server = await start(databaseFile(), { SIMULATOR: '0' });
    expect(server.demo).toBeUndefined();
    expect((await counts(server)).organizations).toBe(0);
  });

  it('is not created when DEMO is off', async () => {
    const server = await start(databaseFile(), { DEMO: '0' });
    expect(server.demo).toBeUndefined();
    expect((await counts(server)).organizations).toBe(0);
  });
});

describe('demoOrigins', () => {
  it('allows the public URL and its localhost / 127.0.0.1 twin', () => {
    expect(demoOrigins('http://localhost:3000')).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(demoOrigins('http://127.0.0.1:8080/')).toEqual(['http://127.0.0.1:8080', 'http://localhost:8080']);
    expect(demoOrigins('https://chat.example.com')).toEqual(['https://chat.example.com']);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('first start of the real process', () => {
  it('prints the generated admin key, the demo key, the URLs of the dashboard, the demo page and the simulator, and the first step', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-start-'));
    folders.push(folder);
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `sqlite:${join(folder, 'switchboard.db')}`,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: join(import.meta.dirname, '../../..'), env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(() => output.includes('First step:') || child.exitCode !== null, { timeoutMs: 60_000, what: 'the start-up banner' });
      const base = `http://localhost:${port}`;
      expect(output).toContain(`Dashboard:     ${base}/`);
      expect(output).toContain(`Demo website:  ${base}/demo`);
      expect(output).toContain(`Simulator:     ${base}/simulator`);
      expect(output).toMatch(/Admin API key: sb_admin_\S+/);
      expect(output).toMatch(/Demo organization "Lantern Lane Bikes" key: sb_org_\S+/);
      // the banner ends with the first step: the demo's organization is not the operator's own
      expect(output.trimEnd().split('\n').at(-1)).toBe(
        `First step: open ${base}/ and sign in with the admin API key above, then create your organization (the dashboard opens on Organizations).`,
      );
      // the printed admin key really is the platform key
      const adminKey = /Admin API key: (\S+)/.exec(output)![1]!;
      const res = await fetch(`${base}/api/admin/unrouted-events`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
