// Numbers an organization can use (SPEC §6): its own (provisioned, Meta-assigned, Whapi channel,
// registered from its own connection, simulated) and every platform number. A widget's senders are
// checked here when saved: a number found in the platform's Twilio or Meta account becomes a
// platform number then, so nothing is discovered while a visitor waits.
import { badRequest, conflict } from '../../core/errors.js';
import { toE164 } from '../../core/phone.js';
import { isUniqueViolation } from '../../db/database.js';
import type { NumberRow } from '../../db/schema.js';
import type { Credentials, ProviderAdapter, ProviderName } from '../../providers/provider.js';
import { providerByName, providers } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { getOrganization } from '../tenancy/organizations.js';
import { organizationConnections, platformCredentials } from './connections.js';
import { providerError } from './provider-errors.js';
import { newNumberRow } from './rows.js';

/** The organization's own numbers, then every platform number (the shared trial number included). */
export async function usableNumbers(ctx: AppContext, organizationId: string): Promise<NumberRow[]> {
  const rows = await ctx.db
    .selectFrom('numbers')
    .selectAll()
    .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('organization_id', 'is', null)]))
    .orderBy('created_at')
    .execute();
  return [...rows.filter((r) => r.organization_id === organizationId), ...rows.filter((r) => r.organization_id === null)];
}

type Found = { provider: ProviderName; providerId: string; displayName: string | null; connectionId: string | null };

/** The providers whose accounts can be asked for a number by phone (Twilio, then Meta). */
const searchable = () => Object.values(providers).filter((adapter) => adapter.numbers?.find);

/**
 * The number behind a widget's sender (`what`: "the handover number", "pool number"), registering
 * it when the organization's own account or the platform's Twilio or Meta account holds it.
 * 409: another organization's; 400: found nowhere, saying where it was looked for.
 */
export async function senderForOrganization(ctx: AppContext, organizationId: string, phone: string, what: string): Promise<NumberRow> {
  const known = await ctx.db.selectFrom('numbers').selectAll().where('phone_number', '=', phone).orderBy('created_at').execute();
  const usable = known.find((n) => n.organization_id === organizationId) ?? known.find((n) => n.organization_id === null);
  if (usable) return usable;
  if (known.length > 0) {
    throw conflict(
      `${what} ${phone} is a number of another organization; a widget can send only from this organization's numbers and platform numbers.`,
      'NUMBER_ASSIGNED_ELSEWHERE',
    );
  }
  const lookedIn = ["this organization's numbers", 'the platform numbers'];
  const own = await findInOwnAccounts(ctx, organizationId, phone, lookedIn);
  if (own) return register(ctx, own.connectionId ? organizationId : null, phone, own);
  const platform = await findInPlatformAccounts(ctx, phone, lookedIn);
  if (platform) return register(ctx, null, phone, platform);
  throw badRequest(
    `${what} ${phone} is not a number this organization can use: it was looked for in ${listed(lookedIn)}, and found nowhere. ` +
      'Pick one of the organization’s numbers (GET /api/organizations/:orgId/numbers) or add it first.',
    'SENDER_NOT_FOUND',
  );
}

const listed = (places: string[]) => (places.length < 2 ? places.join('') : `${places.slice(0, -1).join(', ')} and ${places.at(-1)}`);

async function findInOwnAccounts(ctx: AppContext, organizationId: string, phone: string, lookedIn: string[]): Promise<Found | undefined> {
  for (const adapter of searchable()) {
    const place = `the organization's own ${adapter.numbers!.account}`;
    for (const connection of await organizationConnections(ctx, organizationId, adapter.name)) {
      if (!lookedIn.includes(place)) lookedIn.push(place);
      const found = await lookUp(ctx, adapter, connection.credentials, phone, `the organization's ${adapter.numbers!.credentialsName}`);
      if (found) return { ...found, connectionId: connection.id };
    }
  }
  return undefined;
}

async function findInPlatformAccounts(ctx: AppContext, phone: string, lookedIn: string[]): Promise<Found | undefined> {
  for (const adapter of searchable()) {
    const credentials = platformCredentials(ctx, adapter.name);
    if (!credentials || !(adapter.numbers!.reachAccount?.(credentials) ?? true)) continue;
    lookedIn.push(`the platform's ${adapter.numbers!.account}`);
    const found = await lookUp(ctx, adapter, credentials, phone);
    if (found) return { ...found, connectionId: null };
  }
  return undefined;
}

async function lookUp(
  ctx: AppContext,
  // biome-ignore lint/suspicious/noExplicitAny: credentials come from the number's own provider (registry.ts)
  adapter: ProviderAdapter<any>,
  credentials: Credentials,
  phone: string,
  whose?: string,
): Promise<Omit<Found, 'connectionId'> | undefined> {
  try {
    const found = await adapter.numbers!.find!(ctx, credentials, phone);
    return found ? { provider: adapter.name, providerId: found.providerId, displayName: found.displayName } : undefined;
  } catch (err) {
    throw providerError(adapter, err, `looking for ${phone}`, whose);
  }
}

/** Records a number found at a provider; a concurrent save that recorded it first wins. */
async function register(ctx: AppContext, organizationId: string | null, phone: string, found: Found): Promise<NumberRow> {
  const row = newNumberRow(ctx, {
    organization_id: organizationId,
    provider: found.provider,
    phone_number: phone,
    provider_id: found.providerId,
    display_name: found.displayName,
    connection_id: found.connectionId,
  });
  try {
    await ctx.db.insertInto('numbers').values(row).execute();
    ctx.log.info({ numberId: row.id, provider: row.provider, organizationId }, 'number found at the provider and registered');
    return row;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return ctx.db
      .selectFrom('numbers')
      .selectAll()
      .where('provider', '=', found.provider)
      .where('provider_id', '=', found.providerId)
      .executeTakeFirstOrThrow();
  }
}

/**
 * `POST …/numbers {provider, phoneNumber}`: a number of the organization's own Twilio or Meta
 * account, found there first; `{provider: "simulator"}` in simulator mode: a simulated number at once.
 */
export async function addOrganizationNumber(
  ctx: AppContext,
  organizationId: string,
  input: { provider: 'twilio' | 'meta' | 'simulator'; phoneNumber?: string },
): Promise<NumberRow> {
  await getOrganization(ctx, organizationId);
  const phone = input.phoneNumber === undefined ? undefined : toE164(input.phoneNumber);
  if (input.phoneNumber !== undefined && !phone) {
    throw badRequest(`"${input.phoneNumber}" is not a phone number in international form (+ and country code).`, 'VALIDATION_ERROR');
  }
  const adapter = providerByName(input.provider)!;
  if (adapter.numbers?.onDemand) return addSimulatedNumber(ctx, organizationId, phone);
  if (!phone) throw badRequest('phoneNumber is required: the number as its account lists it, e.g. +14155550123.', 'VALIDATION_ERROR');
  if (!adapter.numbers?.find) throw badRequest(`${adapter.label} numbers are not added by phone; see the organization's numbers routes.`, 'VALIDATION_ERROR');
  const label = adapter.label;
  const connections = await organizationConnections(ctx, organizationId, input.provider);
  if (connections.length === 0) {
    throw badRequest(`This organization has no ${label} connection: add one first (POST /api/organizations/:orgId/connections).`, 'NO_CONNECTION');
  }
  await assertFree(ctx, organizationId, phone);
  for (const connection of connections) {
    const found = await lookUp(ctx, adapter, connection.credentials, phone, `the organization's ${adapter.numbers!.credentialsName}`);
    if (found) {
      const row = await register(ctx, organizationId, phone, { ...found, connectionId: connection.id });
      if (row.organization_id !== organizationId)
        throw conflict(`${phone} is already a number of another organization or of the platform.`, 'NUMBER_ASSIGNED_ELSEWHERE');
      return row;
    }
  }
  throw badRequest(
    `${phone} is not a number of this organization's ${label} account${connections.length > 1 ? 's' : ''}; it was looked for there and not found.`,
    'NUMBER_NOT_FOUND',
  );
}

async function assertFree(ctx: AppContext, organizationId: string, phone: string): Promise<void> {
  const holder = await ctx.db.selectFrom('numbers').select('organization_id').where('phone_number', '=', phone).executeTakeFirst();
  if (!holder) return;
  if (holder.organization_id === organizationId) throw conflict(`${phone} is already one of this organization's numbers.`, 'NUMBER_EXISTS');
  throw conflict(`${phone} is already a number of ${holder.organization_id ? 'another organization' : 'the platform'}.`, 'NUMBER_ASSIGNED_ELSEWHERE');
}

/** Simulated numbers are handed out from +1 555 011 0001 upward (the demo's are +1 555 010 …). */
const FIRST_SIMULATED = 15550110001;

async function addSimulatedNumber(ctx: AppContext, organizationId: string, wanted: string | undefined): Promise<NumberRow> {
  if (!ctx.config.simulator) throw badRequest('Simulated numbers exist only in simulator mode (SIMULATOR=1).', 'SIMULATOR_OFF');
  if (wanted) await assertFree(ctx, organizationId, wanted);
  const org = await getOrganization(ctx, organizationId);
  for (let attempt = 0; attempt < 50; attempt++) {
    const phone = wanted ?? (await freeSimulatedNumber(ctx));
    const row = newNumberRow(ctx, {
      organization_id: organizationId,
      provider: 'simulator',
      phone_number: phone,
      provider_id: phone,
      display_name: org.name,
      connection_id: null,
    });
    try {
      await ctx.db.insertInto('numbers').values(row).execute();
      return row;
    } catch (err) {
      if (!isUniqueViolation(err) || wanted) throw err;
    }
  }
  throw new Error('no free simulated number after 50 draws');
}

async function freeSimulatedNumber(ctx: AppContext): Promise<string> {
  const taken = new Set(
    (await ctx.db.selectFrom('numbers').select('phone_number').where('phone_number', 'like', '+1555011%').execute()).map((r) => r.phone_number),
  );
  for (let n = FIRST_SIMULATED; ; n++) if (!taken.has(`+${n}`)) return `+${n}`;
}

/** Where an agent of the organization can write: its own first number, else the platform's default sender. */
export async function defaultSenderPhone(ctx: AppContext, organizationId: string): Promise<string | null> {
  const own = await ctx.db
    .selectFrom('numbers')
    .select('phone_number')
    .where('organization_id', '=', organizationId)
    .where('phone_number', 'is not', null)
    .orderBy('created_at')
    .executeTakeFirst();
  if (own?.phone_number) return own.phone_number;
  return (await platformDefaultSender(ctx.db, ctx.config))?.phone_number ?? null;
}

/** TWILIO_PHONE_NUMBER, else WHATSAPP_PHONE_NUMBER_ID, as a known platform number with a phone. */
export async function platformDefaultSender(db: AppContext['db'], config: AppContext['config']): Promise<NumberRow | undefined> {
  const twilioPhone = config.twilio.phoneNumber ? toE164(config.twilio.phoneNumber) : undefined;
  if (twilioPhone) {
    const number = await db.selectFrom('numbers').selectAll().where('provider', '=', 'twilio').where('phone_number', '=', twilioPhone).executeTakeFirst();
    if (number) return number;
  }
  const metaId = config.meta.phoneNumberId;
  if (!metaId) return undefined;
  return db
    .selectFrom('numbers')
    .selectAll()
    .where('provider', '=', 'meta')
    .where('provider_id', '=', metaId)
    .where('phone_number', 'is not', null)
    .executeTakeFirst();
}
