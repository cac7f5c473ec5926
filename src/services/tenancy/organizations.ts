// Organizations: the tenants. Their public JSON carries the numbers they own, derived from the
// `numbers` table (a Twilio number, a Meta phone number id, a Whapi channel).
import { randomUUID } from 'node:crypto';
import { newJoinCode } from '../../core/join.js';
import { conflict, notFound } from '../../core/errors.js';
import { isUniqueViolation } from '../../db/database.js';
import type { NumberRow, Organization } from '../../db/schema.js';
import type { ProviderName } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { invalidateLookups } from '../lookup-cache.js';
import { deleteMedia } from '../media/files.js';
import { enqueueJob } from '../../jobs/queue.js';
import type { LimitState } from '../../core/plans.js';
import { type PlanStanding, planStandings } from './plans.js';

export interface OrganizationInput {
  name: string;
  description?: string | null;
  businessInfo?: string | null;
  plan?: string;
  instructions?: string | null;
}

export interface OrganizationJson {
  id: string;
  name: string;
  description: string | null;
  businessInfo: string | null;
  instructions: string | null;
  plan: string;
  joinCode: string;
  whatsappNumber: string | null;
  whatsappNumberSid: string | null;
  whatsappPhoneNumberId: string | null;
  whatsappDisplayNumber: string | null;
  whapiChannelId: string | null;
  senderStatus: string | null;
  /** trial plan: the shared number its customers write to, after sending `join <joinCode>` */
  sharedTrialNumber: string | null;
  /** customers' WhatsApp messages this month, the plan's limit, and `near` (80%) or `reached` (the bot is silent) */
  messagesUsed: number;
  messageLimit: number;
  limitState: LimitState;
  createdAt: string;
  updatedAt: string;
}

export async function createOrganization(ctx: AppContext, input: OrganizationInput): Promise<Organization> {
  const now = ctx.clock.now().toISOString();
  for (let attempt = 0; ; attempt++) {
    const row: Organization = {
      id: randomUUID(),
      name: input.name,
      description: input.description ?? null,
      business_info: input.businessInfo ?? null,
      plan: input.plan ?? 'trial',
      join_code: newJoinCode(ctx.random, attempt),
      instructions: input.instructions ?? null,
      last_conversation_ref: 0,
      dedupe_window_seconds: 0,
      agent_code: null,
      last_visitor_number: 0,
      knowledge_changed_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await ctx.db.insertInto('organizations').values(row).execute();
      return row;
    } catch (err) {
      // Only the join code can collide; draw another.
      if (!isUniqueViolation(err) || attempt >= 20) throw err;
    }
  }
}

export async function getOrganization(ctx: AppContext, id: string): Promise<Organization> {
  const row = await ctx.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Organization');
  return row;
}

export async function listOrganizations(ctx: AppContext, onlyId?: string): Promise<Organization[]> {
  let query = ctx.db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id');
  if (onlyId) query = query.where('id', '=', onlyId);
  return query.execute();
}

export async function updateOrganization(ctx: AppContext, id: string, patch: Partial<OrganizationInput>): Promise<Organization> {
  await getOrganization(ctx, id);
  const values: Record<string, unknown> = { updated_at: ctx.clock.now().toISOString() };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.description !== undefined) values.description = patch.description;
  if (patch.businessInfo !== undefined) values.business_info = patch.businessInfo;
  if (patch.plan !== undefined) values.plan = patch.plan;
  if (patch.instructions !== undefined) values.instructions = patch.instructions;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('organizations').set(values).where('id', '=', id).execute();
    // A new plan may lift the limit: what the bot left unanswered at it is answered (inbound/unanswered.ts).
    if (patch.plan !== undefined) {
      const payload = { organizationId: id };
      await enqueueJob(ctx, { kind: 'inbound.answer-unanswered', payload, idempotencyKey: `answer-unanswered:${id}:${values.updated_at}` }, trx);
    }
  });
  if (patch.plan !== undefined) invalidateLookups(ctx);
  return getOrganization(ctx, id);
}

/**
 * Deletes an organization and everything it owns. A Twilio number is refused rather than silently
 * kept rented (or silently released): releasing is irreversible, so the operator does it explicitly.
 */
export async function deleteOrganization(ctx: AppContext, id: string): Promise<void> {
  await getOrganization(ctx, id);
  const numbers = await numbersOf(ctx, [id]);
  // A number the platform bought is one its provider can release (Twilio's).
  const rented = numbers.map((n) => ({ n, adapter: providerByName(n.provider) })).find(({ n, adapter }) => adapter?.numbers?.release && n.is_dedicated === 1);
  if (rented) {
    throw conflict(
      `This organization still has a ${rented.adapter!.label} number; remove it first, which releases it there (DELETE /api/organizations/:orgId/numbers/:numberId, or Remove on the Numbers page).`,
      'NUMBER_STILL_PROVISIONED',
    );
  }
  // Media copies and visitor uploads, files first: their rows would not say where the files are once deleted.
  await deleteMedia(ctx, { organizationId: id });
  await ctx.db.transaction().execute(async (trx) => {
    // Numbers would otherwise fall back to being platform numbers (organization_id set null).
    await trx.deleteFrom('numbers').where('organization_id', '=', id).execute();
    await trx.deleteFrom('messages').where('organization_id', '=', id).execute();
    // its usage history goes with it (retention keeps an organization's counts; removal does not)
    await trx.deleteFrom('usage_counts').where('organization_id', '=', id).execute();
    await trx.deleteFrom('organizations').where('id', '=', id).execute();
  });
  invalidateLookups(ctx);
}

export async function numbersOf(ctx: AppContext, organizationIds: string[]): Promise<NumberRow[]> {
  if (organizationIds.length === 0) return [];
  return ctx.db
    .selectFrom('numbers')
    .selectAll()
    .where('organization_id', 'in', organizationIds)
    .where('is_shared_trial', '=', 0)
    .orderBy('created_at')
    .execute();
}

/** The organization's number of one provider (each organization has at most one per provider). */
export async function organizationNumber(ctx: AppContext, organizationId: string, provider: string): Promise<NumberRow | undefined> {
  return ctx.db
    .selectFrom('numbers')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('provider', '=', provider)
    .where('is_shared_trial', '=', 0)
    .orderBy('created_at')
    .executeTakeFirst();
}

/**
 * Who holds a provider's number id; 409 when anyone but this organization does (another
 * organization, or the platform itself, e.g. the shared trial number).
 */
export async function assertNumberAvailable(
  ctx: AppContext,
  organizationId: string,
  provider: string,
  providerId: string,
  what: string,
  code: string,
): Promise<{ id: string } | undefined> {
  const holder = await ctx.db
    .selectFrom('numbers')
    .select(['id', 'organization_id'])
    .where('provider', '=', provider)
    .where('provider_id', '=', providerId)
    .executeTakeFirst();
  if (holder && holder.organization_id !== organizationId) {
    const where = holder.organization_id ? 'another organization' : 'the platform (a shared or default number)';
    throw conflict(`${what} is already assigned to ${where}; remove it there first.`, code);
  }
  return holder;
}

/** The organization as the API shows it; `numbers` are its rows from `numbersOf`. */
export function organizationJson(org: Organization, numbers: NumberRow[], standing: PlanStanding, sharedTrialNumber: string | null = null): OrganizationJson {
  const own = numbers.filter((n) => n.organization_id === org.id);
  // The JSON names each provider's id in its own field (the API's shape), so it picks by provider
  // rather than asking an adapter: nothing here behaves differently by provider.
  const ownOf = (provider: ProviderName) => own.find((n) => n.provider === provider);
  const [twilio, meta, whapi] = [ownOf('twilio'), ownOf('meta'), ownOf('whapi')];
  const primary = twilio ?? meta ?? whapi ?? own[0];
  return {
    id: org.id,
    name: org.name,
    description: org.description,
    businessInfo: org.business_info,
    instructions: org.instructions,
    plan: org.plan,
    joinCode: org.join_code,
    whatsappNumber: primary?.phone_number ?? null,
    whatsappNumberSid: twilio?.provider_id ?? null,
    whatsappPhoneNumberId: meta?.provider_id ?? null,
    whatsappDisplayNumber: meta ? (meta.display_name ?? meta.phone_number) : null,
    whapiChannelId: whapi?.provider_id ?? null,
    senderStatus: primary?.sender_status ?? null,
    sharedTrialNumber: org.plan === 'trial' ? sharedTrialNumber : null,
    ...standing,
    createdAt: org.created_at,
    updatedAt: org.updated_at,
  };
}

export async function organizationsJson(ctx: AppContext, orgs: Organization[]): Promise<OrganizationJson[]> {
  const numbers = await numbersOf(
    ctx,
    orgs.map((o) => o.id),
  );
  const shared = await ctx.db.selectFrom('numbers').select('phone_number').where('is_shared_trial', '=', 1).orderBy('created_at').executeTakeFirst();
  const standings = await planStandings(ctx, orgs);
  return orgs.map((o) => organizationJson(o, numbers, standings.get(o.id)!, shared?.phone_number ?? null));
}

export async function describeOrganization(ctx: AppContext, id: string): Promise<OrganizationJson> {
  const [json] = await organizationsJson(ctx, [await getOrganization(ctx, id)]);
  return json!;
}
