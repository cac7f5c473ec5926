import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import type { AppContext } from '../../src/services/context.js';
import { addSimulatorPhone } from '../../src/services/platform/simulator.js';
import { makeTestContext } from '../support/context.js';
import { waitFor } from '../support/wait.js';

let server: RunningServer;
afterEach(async () => {
  await server?.stop();
});

async function start(env: Record<string, string> = {}, listen = false) {
  const ctx = await makeTestContext({ env: { SIMULATOR: '1', ...env } });
  server = await startServer(ctx, { listen });
  return { app: server.app, ctx };
}

async function makeBusiness(ctx: AppContext, number = '+15550100001') {
  const now = ctx.clock.now().toISOString();
  const organizationId = randomUUID();
  await ctx.db
    .insertInto('organizations')
    .values({
      id: organizationId,
      name: 'Harbour Tea',
      description: null,
      business_info: null,
      plan: 'starter',
      join_code: `tea-${organizationId.slice(0, 6)}`,
      instructions: null,
      last_conversation_ref: 0,
      dedupe_window_seconds: 0,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await ctx.db
    .insertInto('numbers')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      provider: 'simulator',
      phone_number: number,
      provider_id: number,
      display_name: 'Harbour Tea',
      connection_id: null,
      sender_status: 'online',
      is_shared_trial: 0,
      is_dedicated: 1,
      created_at: now,
    })
    .execute();
  return organizationId;
}

async function storeMessage(
  ctx: AppContext,
  m: { direction: 'in' | 'out'; from: string; to: string; body: string; providerMessageId: string; replyTo?: string },
) {
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('messages')
    .values({
      organization_id: null,
      conversation_id: null,
      direction: m.direction,
      author: m.direction === 'in' ? 'contact' : 'bot',
      audience: 'contact',
      body: m.body,
      media: null,
      provider: 'simulator',
      provider_message_id: m.providerMessageId,
      reply_to_provider_message_id: m.replyTo ?? null,
      number_id: null,
      from_address: m.from,
      to_address: m.to,
      status: m.direction === 'in' ? 'received' : 'sent',
      send_success: null,
      send_error: null,
      error_code: null,
      category: 'service',
      cost: 0,
      idempotency_key: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

describe('simulator API', () => {
  it('is absent when the simulator is off', async () => {
    const { app } = await start({ SIMULATOR: '0' });
    expect((await app.inject({ url: '/api/simulator' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/simulator' })).statusCode).toBe(404);
  });

  it('lists phones with their threads per business number, from what the messages table holds', async () => {
    const { app, ctx } = await start();
    await makeBusiness(ctx);
    await addSimulatorPhone(ctx, { number: '+1 555 010 9001', name: 'Sam', kind: 'customer' });
    await addSimulatorPhone(ctx, { number: '+15550100101', name: 'Maya', kind: 'agent' });
    await storeMessage(ctx, { direction: 'in', from: '+15550109001', to: '+15550100001', body: 'Do you rent e-bikes?', providerMessageId: 'sim_1' });
    await storeMessage(ctx, {
      direction: 'out',
      from: '+15550100001',
      to: '+15550109001',
      body: 'Yes, $45 a day.',
      providerMessageId: 'sim_2',
      replyTo: 'sim_1',
    });
    // a stranger who wrote in shows up as a customer phone too
    await storeMessage(ctx, { direction: 'in', from: '+15550107777', to: '+15550100001', body: 'hello', providerMessageId: 'sim_3' });

    const res = await app.inject({ url: '/api/simulator' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.businessNumbers).toEqual([{ number: '+15550100001', displayName: 'Harbour Tea', organizationName: 'Harbour Tea' }]);
    const sam = body.phones.find((p: { number: string }) => p.number === '+15550109001');
    expect(sam).toMatchObject({ name: 'Sam', kind: 'customer' });
    expect(sam.threads).toHaveLength(1);
    expect(sam.threads[0].number).toBe('+15550100001');
    expect(sam.threads[0].messages.map((m: { text: string; mine: boolean; replyTo: string | null }) => [m.text, m.mine, m.replyTo])).toEqual([
      ['Do you rent e-bikes?', true, null],
      ['Yes, $45 a day.', false, 'sim_1'],
    ]);
    const maya = body.phones.find((p: { number: string }) => p.number === '+15550100101');
    expect(maya).toMatchObject({ kind: 'agent', threads: [] });
    expect(body.phones.find((p: { number: string }) => p.number === '+15550107777')).toMatchObject({ kind: 'customer' });
  });

  it('adds a customer phone, and refuses a bad number or a business number with a sentence', async () => {
    const { app, ctx } = await start();
    await makeBusiness(ctx);
    const added = await app.inject({ method: 'POST', url: '/api/simulator/phones', payload: { number: '+44 7700 900123', name: 'Ana' } });
    expect(added.statusCode).toBe(201);
    expect(added.json().phone).toEqual({ number: '+447700900123', name: 'Ana', kind: 'customer' });
    const again = await app.inject({ method: 'POST', url: '/api/simulator/phones', payload: { number: '+447700900123', name: 'Ana B' } });
    expect(again.statusCode).toBe(201);
    const phones = (await app.inject({ url: '/api/simulator' })).json().phones.filter((p: { number: string }) => p.number === '+447700900123');
    expect(phones).toEqual([expect.objectContaining({ name: 'Ana B' })]);

    const bad = await app.inject({ method: 'POST', url: '/api/simulator/phones', payload: { number: 'call me' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ ok: false, code: 'INVALID_PHONE' });
    const business = await app.inject({ method: 'POST', url: '/api/simulator/phones', payload: { number: '+15550100001' } });
    expect(business.statusCode).toBe(400);
    expect(business.json().error).toContain('business number');
  });

  it('sends as a phone through the simulator webhook: stored once, with the swipe-reply context', async () => {
    const { app, ctx } = await start();
    await makeBusiness(ctx);
    await addSimulatorPhone(ctx, { number: '+15550109001', name: 'Sam' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/simulator/messages',
      payload: { from: '+15550109001', to: '+15550100001', text: 'Is the shop open on Sunday?', replyTo: 'sim_earlier' },
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json();
    expect(id).toMatch(/^sim_/);
    const stored = await ctx.db.selectFrom('messages').selectAll().where('provider_message_id', '=', id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      direction: 'in',
      body: 'Is the shop open on Sunday?',
      from_address: '+15550109001',
      to_address: '+15550100001',
      reply_to_provider_message_id: 'sim_earlier',
    });
  });

  it('sends a file a phone attaches, as a data URL, into the pipeline', async () => {
    const { app, ctx } = await start();
    await makeBusiness(ctx);
    const photo = `data:image/png;base64,${Buffer.from('not really a png').toString('base64')}`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/simulator/messages',
      payload: { from: '+15550109001', to: '+15550100001', media: { url: photo, mimeType: 'image/png', filename: 'bike.png' } },
    });
    expect(res.statusCode).toBe(201);
    const [stored] = await ctx.db.selectFrom('messages').selectAll().where('provider_message_id', '=', res.json().id).execute();
    expect(stored).toMatchObject({ direction: 'in', body: null });
    expect(JSON.parse(stored!.media!)).toMatchObject({ type: 'image', mimeType: 'image/png', filename: 'bike.png' });
    const refused = await app.inject({
      method: 'POST',
      url: '/api/simulator/messages',
      payload: { from: '+15550109001', to: '+15550100001', media: { url: 'https://elsewhere.example/x.png' } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/data: URL/);
  });

  it('shows a send that failed as failed, with the reason, on the phone it never reached', async () => {
    const { app, ctx } = await start();
    await makeBusiness(ctx);
    await storeMessage(ctx, { direction: 'out', from: '+15550100001', to: '+15550100101', body: '🔔 *Agent Handover Request*', providerMessageId: 'sim_x' });
    await ctx.db
      .updateTable('messages')
      .set({ status: 'failed', audience: 'agent', error_code: 'WINDOW_CLOSED', send_error: 'closed', provider_message_id: null })
      .where('provider_message_id', '=', 'sim_x')
      .execute();
    const maya = (await app.inject({ url: '/api/simulator' })).json().phones.find((p: { number: string }) => p.number === '+15550100101');
    const [message] = maya.threads[0].messages;
    expect(message).toMatchObject({ status: 'failed', mine: false });
    expect(message.failure.reason).toMatch(/24-hour window/);
  });

  it('refuses an empty message and a non-number before anything is stored', async () => {
    const { app, ctx } = await start();
    const empty = await app.inject({ method: 'POST', url: '/api/simulator/messages', payload: { from: '+15550109001', to: '+15550100001', text: '  ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().ok).toBe(false);
    const bad = await app.inject({ method: 'POST', url: '/api/simulator/messages', payload: { from: 'sam', to: '+15550100001', text: 'hi' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_PHONE');
    expect(await ctx.db.selectFrom('messages').select('id').execute()).toEqual([]);
  });

  it('streams what the simulator delivers to phones as server-sent events', async () => {
    const { ctx } = await start({ PORT: '0' }, true);
    const received: string[] = [];
    const req = httpRequest(`${server.url}/api/simulator/events`);
    req.on('response', (res) => res.on('data', (chunk: Buffer) => received.push(chunk.toString())));
    req.end();
    await waitFor(() => received.join('').includes('retry:'), { what: 'the stream to open' });
    const data = {
      id: 'sim_out_1',
      from: '+15550100001',
      to: '+15550109001',
      text: 'Yes, from 9am.',
      media: null,
      replyTo: null,
      createdAt: ctx.clock.now().toISOString(),
    };
    await ctx.bus.publish({ channel: 'sim', type: 'message', data });
    await waitFor(() => received.join('').includes('sim_out_1'), { what: 'the delivered message on the stream' });
    expect(received.join('')).toContain(`event: message\ndata: ${JSON.stringify(data)}\n\n`);
    req.destroy();
  });

  it('ends open streams when the server stops, so a shutdown does not wait for the page to close', async () => {
    await start({ PORT: '0' }, true);
    let ended = false;
    let opened = false;
    const req = httpRequest(`${server.url}/api/simulator/events`);
    req.on('response', (res) => {
      opened = true;
      res.on('end', () => (ended = true));
      res.resume();
    });
    req.end();
    await waitFor(() => opened, { what: 'the stream to open' });
    await server.stop();
    await waitFor(() => ended, { what: 'the stream to end' });
  });
});
