// One shared trial number, two trial organizations: `join <code>` keeps their customers apart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../src/core/clock.js';
import type { NumberRow, Organization } from '../../../src/db/schema.js';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { drainJobs } from '../../../src/jobs/queue.js';
import { routeTrialMessage, setSharedTrialNumber } from '../../../src/services/inbound/trial.js';
import { startServer } from '../../../src/server.js';
import { makeTestContext } from '../../support/context.js';

let ctx: AppContext & { clock: ManualClock };
let shared: NumberRow;
let bakery: Organization;
let florist: Organization;
let providerId = 0;

beforeEach(async () => {
  ctx = await makeTestContext();
  shared = {
    id: 'shared-trial',
    organization_id: null,
    provider: 'simulator',
    phone_number: '+14155238886',
    provider_id: '+14155238886',
    display_name: 'Switchboard sandbox',
    connection_id: null,
    sender_status: 'online',
    is_shared_trial: 1,
    is_dedicated: 0,
    created_at: ctx.clock.now().toISOString(),
  };
  await ctx.db.insertInto('numbers').values(shared).execute();
  bakery = await createOrganization(ctx, { name: 'Bay Bakery' });
  florist = await createOrganization(ctx, { name: 'Fern Florist' });
});
afterEach(async () => {
  await ctx.database.close();
});

/** Stores an inbound message as the pipeline does (no organization yet: the number is shared). */
async function inbound(from: string, body: string) {
  const at = ctx.clock.now().toISOString();
  const row = await ctx.db
    .insertInto('messages')
    .values({
      organization_id: null,
      direction: 'in',
      author: 'contact',
      audience: 'contact',
      body,
      provider: 'simulator',
      provider_message_id: `sim-${++providerId}`,
      number_id: shared.id,
      from_address: from,
      to_address: shared.phone_number,
      status: 'received',
      category: 'service',
      cost: 0,
      created_at: at,
      updated_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('service_windows')
    .values({ number_id: shared.id, contact_address: from, last_inbound_at: at })
    .onConflict((oc) => oc.columns(['number_id', 'contact_address']).doUpdateSet({ last_inbound_at: at }))
    .execute();
  ctx.clock.advance(1000);
  return row;
}

async function repliesTo(address: string) {
  return ctx.db
    .selectFrom('messages')
    .select(['body', 'organization_id', 'number_id'])
    .where('direction', '=', 'out')
    .where('to_address', '=', address)
    .orderBy('id')
    .execute();
}

async function organizationOf(messageId: number) {
  return (await ctx.db.selectFrom('messages').select('organization_id').where('id', '=', messageId).executeTakeFirstOrThrow()).organization_id;
}

describe('the shared trial number', () => {
  it('tells an unbound customer how to join, from the shared number, and routes nowhere', async () => {
    const msg = await inbound('+447700900001', 'hello?');
    expect(await routeTrialMessage(ctx, msg, shared)).toBeNull();
    const replies = await repliesTo('+447700900001');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ organization_id: null, number_id: shared.id });
    expect(replies[0]!.body).toMatch(/join <code>/);
    expect(await organizationOf(msg.id)).toBeNull();
  });

  it("keeps two organizations' customers apart on one number", async () => {
    const ana = '+447700900001';
    const ben = '+447700900002';
    const joinA = await inbound(ana, `  JOIN   ${bakery.join_code.toUpperCase()} `);
    const joinB = await inbound(ben, `join ${florist.join_code}`);
    expect(await routeTrialMessage(ctx, joinA, shared)).toBeNull();
    expect(await routeTrialMessage(ctx, joinB, shared)).toBeNull();
    expect((await repliesTo(ana))[0]).toMatchObject({ organization_id: bakery.id, body: expect.stringContaining('Bay Bakery') });
    expect((await repliesTo(ben))[0]).toMatchObject({ organization_id: florist.id, body: expect.stringContaining('Fern Florist') });
    expect(await organizationOf(joinA.id)).toBe(bakery.id);

    const fromAna = await inbound(ana, 'Do you have sourdough?');
    const fromBen = await inbound(ben, 'Do you deliver roses?');
    expect(await routeTrialMessage(ctx, fromAna, shared)).toBe(bakery.id);
    expect(await routeTrialMessage(ctx, fromBen, shared)).toBe(florist.id);
    expect(await organizationOf(fromAna.id)).toBe(bakery.id);
    expect(await organizationOf(fromBen.id)).toBe(florist.id);

    // Ana switches to the florist; Ben stays where he was.
    await routeTrialMessage(ctx, await inbound(ana, `join ${florist.join_code}`), shared);
    expect(await routeTrialMessage(ctx, await inbound(ana, 'Tulips?'), shared)).toBe(florist.id);
    expect(await routeTrialMessage(ctx, await inbound(ben, 'And lilies?'), shared)).toBe(florist.id);
    const bindings = await ctx.db.selectFrom('trial_bindings').select(['contact_address', 'organization_id']).orderBy('contact_address').execute();
    expect(bindings).toEqual([
      { contact_address: ana, organization_id: florist.id },
      { contact_address: ben, organization_id: florist.id },
    ]);
  });

  it('answers an unknown code without binding, and handles a redelivered join once', async () => {
    const msg = await inbound('+447700900003', 'join no-such-code');
    expect(await routeTrialMessage(ctx, msg, shared)).toBeNull();
    expect((await repliesTo('+447700900003'))[0]!.body).toMatch(/No business uses the code "no-such-code"/);
    expect(await ctx.db.selectFrom('trial_bindings').selectAll().execute()).toEqual([]);

    const join = await inbound('+447700900004', `join ${bakery.join_code}`);
    await routeTrialMessage(ctx, join, shared);
    await routeTrialMessage(ctx, join, shared); // the react job retried
    expect(await repliesTo('+447700900004')).toHaveLength(1);
  });
});

describe('the shared trial number, end to end', () => {
  it('binds through a webhook and the react job, and later messages land in the organization', async () => {
    const flow = await makeTestContext({ env: { SIMULATOR: '1', WORKER: '0' } });
    const server = await startServer(flow, { listen: false });
    try {
      const org = await createOrganization(flow, { name: 'Harbor Books' });
      const sandbox = await setSharedTrialNumber(flow, { provider: 'simulator', phoneNumber: '+15550009999' });
      const post = (id: string, text: string) =>
        server.app.inject({ method: 'POST', url: '/api/webhooks/sim', payload: { id, from: '+447700900001', to: '+15550009999', text } });
      expect((await post('m1', `join ${org.join_code}`)).statusCode).toBe(200);
      await drainJobs(flow);
      const binding = await flow.db.selectFrom('trial_bindings').selectAll().executeTakeFirstOrThrow();
      expect(binding).toMatchObject({ number_id: sandbox.id, contact_address: '+447700900001', organization_id: org.id });
      const confirmation = await flow.db.selectFrom('messages').selectAll().where('direction', '=', 'out').executeTakeFirstOrThrow();
      expect(confirmation).toMatchObject({ organization_id: org.id, number_id: sandbox.id, to_address: '+447700900001' });
      expect(confirmation.body).toMatch(/connected to Harbor Books/);

      await post('m2', 'Are you open on Sunday?');
      await drainJobs(flow);
      const question = await flow.db.selectFrom('messages').selectAll().where('provider_message_id', '=', 'm2').executeTakeFirstOrThrow();
      expect(question.organization_id).toBe(org.id);
      expect(question.conversation_id).not.toBeNull();
      const conversation = await flow.db.selectFrom('conversations').selectAll().where('id', '=', question.conversation_id!).executeTakeFirstOrThrow();
      expect(conversation.organization_id).toBe(org.id);
    } finally {
      await server.stop();
    }
  });
});
