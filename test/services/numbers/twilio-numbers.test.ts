// Buying and releasing at Twilio, the edges: a purchase we cannot record is given back, and every
// Twilio failure becomes a sentence with a fitting status.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../../src/core/errors.js';
import type { AppContext } from '../../../src/services/context.js';
import { createOrganization } from '../../../src/services/tenancy/organizations.js';
import { provisionNumber, releaseNumber, searchNumbers } from '../../../src/services/numbers/twilio-numbers.js';
import { type FakeTwilio, startFakeTwilio, twilioPlatformEnv } from '../../fakes/twilio.js';
import { makeTestContext } from '../../support/context.js';

let twilio: FakeTwilio;
let ctx: AppContext;

beforeAll(async () => {
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await twilio.close();
});
beforeEach(async () => {
  twilio.reset();
  ctx = await makeTestContext({
    env: { ...twilioPlatformEnv(twilio), PUBLIC_URL: 'https://sb.example.com' },
  });
});
afterEach(async () => {
  for (const sid of [...twilio.incomingNumbers.keys()]) twilio.incomingNumbers.delete(sid);
  await ctx.database.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as AppError,
  );

describe('provisioning at Twilio', () => {
  it('gives the number back when it cannot be recorded', async () => {
    const org = await createOrganization(ctx, { name: 'Unlucky' });
    await sql`create trigger refuse_numbers before insert on numbers begin select raise(abort, 'disk full'); end`.execute(ctx.db);
    await expect(provisionNumber(ctx, org.id, '+14155550142')).rejects.toThrow(/disk full/);
    const calls = twilio.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(calls).toEqual(['POST IncomingPhoneNumbers.json', expect.stringMatching(/^DELETE PN[0-9a-f]{32}\.json$/)]);
    expect(twilio.incomingNumbers.size).toBe(0);
  });

  it("maps Twilio's answers: refused credentials, rate limiting, unreachable", async () => {
    const org = await createOrganization(ctx, { name: 'Edge' });
    twilio.failNext(1, { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
    expect(await failure(searchNumbers(ctx, { country: 'US' }))).toMatchObject({ status: 502, code: 'PROVIDER_AUTH_FAILED' });
    twilio.failNext(1, { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    expect(await failure(provisionNumber(ctx, org.id, '+14155550142'))).toMatchObject({ status: 503, code: 'PROVIDER_BUSY' });
    twilio.failNext(1, { dropConnection: true });
    const dropped = await failure(searchNumbers(ctx, { country: 'CA' }));
    expect(dropped).toMatchObject({ status: 502, code: 'PROVIDER_UNREACHABLE' });
    expect(dropped!.message).toMatch(/Twilio could not be reached/);
    expect(await ctx.db.selectFrom('numbers').selectAll().execute()).toEqual([]);
  });

  it('releases only the organization that owns the number', async () => {
    const a = await createOrganization(ctx, { name: 'A' });
    const b = await createOrganization(ctx, { name: 'B' });
    await provisionNumber(ctx, a.id, '+14155550142');
    expect(await failure(releaseNumber(ctx, b.id))).toMatchObject({ status: 404 });
    expect(twilio.incomingNumbers.size).toBe(1);
    await releaseNumber(ctx, a.id);
    expect(twilio.incomingNumbers.size).toBe(0);
  });
});
