// The managed handover template of each provider account that carries handovers (SPEC §8 "Reaching
// an agent"): the platform's Twilio account, its Meta business account, each organization's own
// connection. One row per account (a unique index), created with its `template.create` job in one
// transaction, so concurrent saves and retries never make two. Its review is followed by
// template-review.ts; handover/templates.ts uses it when an agent's window is closed.
import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../db/database.js';
import type { HandoverTemplate, NumberRow } from '../../db/schema.js';
import { enqueueJob } from '../../jobs/queue.js';
import { HANDOVER_TEMPLATE } from '../../core/handover-template.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { credentialsForNumber } from './connections.js';
import { TEMPLATE_CREATE_JOB } from './template-review.js';

/** Whose template a number sends: the organization's own connection, else the platform's account of its provider. */
export interface TemplateAccount {
  provider: string;
  /** `platform` or the connection id */
  accountKey: string;
  connectionId: string | null;
  organizationId: string | null;
}

export function accountOfNumber(number: NumberRow): TemplateAccount {
  return number.connection_id
    ? { provider: number.provider, accountKey: number.connection_id, connectionId: number.connection_id, organizationId: number.organization_id }
    : { provider: number.provider, accountKey: 'platform', connectionId: null, organizationId: null };
}

export async function templateOfAccount(ctx: AppContext, account: Pick<TemplateAccount, 'provider' | 'accountKey'>): Promise<HandoverTemplate | undefined> {
  return ctx.db
    .selectFrom('handover_templates')
    .selectAll()
    .where('provider', '=', account.provider)
    .where('account_key', '=', account.accountKey)
    .executeTakeFirst();
}

/**
 * Makes sure the number's account has its handover template, or is getting one: a row and its
 * creation job, once. A provider without the ability (Whapi: free-form always works) has none;
 * an account whose provider id is not known (a Meta connection without its WABA id) cannot.
 */
export async function ensureHandoverTemplate(ctx: AppContext, number: NumberRow): Promise<HandoverTemplate | undefined> {
  const ability = providerByName(number.provider)?.managedTemplates;
  if (!ability) return undefined;
  const account = accountOfNumber(number);
  const existing = await templateOfAccount(ctx, account);
  if (existing) return existing;
  const credentials = await credentialsForNumber(ctx, number);
  const accountRef = credentials ? ability.accountOf(credentials as never) : undefined;
  if (!accountRef) {
    ctx.log.warn({ provider: number.provider, numberId: number.id }, 'no handover template: the provider account of this number is not known');
    return undefined;
  }
  const now = ctx.clock.now().toISOString();
  const row: HandoverTemplate = {
    id: randomUUID(),
    provider: account.provider,
    account_key: account.accountKey,
    connection_id: account.connectionId,
    organization_id: account.organizationId,
    account_ref: accountRef,
    provider_template_id: null,
    name: HANDOVER_TEMPLATE.name,
    language: HANDOVER_TEMPLATE.language,
    status: 'pending',
    rejection_reason: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('handover_templates').values(row).execute();
      await enqueueJob(ctx, { kind: TEMPLATE_CREATE_JOB, payload: { templateId: row.id }, idempotencyKey: `template-create:${row.id}` }, trx);
    });
  } catch (err) {
    // Another save, start-up or notification made it first: theirs is the one.
    if (!isUniqueViolation(err)) throw err;
    return templateOfAccount(ctx, account);
  }
  ctx.log.info({ provider: row.provider, account: row.account_key }, 'handover template requested');
  return row;
}

/** Each distinct account among these numbers, once. A failure is logged: saving what uses them goes on. */
export async function ensureHandoverTemplates(ctx: AppContext, numbers: NumberRow[]): Promise<void> {
  const seen = new Set<string>();
  for (const number of numbers) {
    const { provider, accountKey } = accountOfNumber(number);
    if (seen.has(`${provider}|${accountKey}`)) continue;
    seen.add(`${provider}|${accountKey}`);
    try {
      await ensureHandoverTemplate(ctx, number);
    } catch (err) {
      ctx.log.error({ err, provider, numberId: number.id }, 'the handover template could not be requested');
    }
  }
}

/** At start-up: the platform's accounts that carry handovers, i.e. those of its numbers. */
export async function ensurePlatformTemplates(ctx: AppContext): Promise<void> {
  const numbers = await ctx.db.selectFrom('numbers').selectAll().where('connection_id', 'is', null).orderBy('created_at').execute();
  await ensureHandoverTemplates(ctx, numbers);
}

export interface HandoverTemplateJson {
  id: string;
  provider: string;
  /** whose account it is, in words */
  account: string;
  name: string;
  language: string;
  status: string;
  rejectionReason: string | null;
  updatedAt: string;
}

function accountLabel(row: HandoverTemplate): string {
  const label = providerByName(row.provider)?.label ?? row.provider;
  if (!row.connection_id) return row.provider === 'simulator' ? 'The simulator' : `The platform's ${label} account`;
  return `Own ${label} account (${row.account_ref ?? row.connection_id})`;
}

function templateView(row: HandoverTemplate): HandoverTemplateJson {
  return {
    id: row.id,
    provider: row.provider,
    account: accountLabel(row),
    name: row.name,
    language: row.language,
    status: row.status,
    rejectionReason: row.rejection_reason,
    updatedAt: row.updated_at,
  };
}

/**
 * Every template (the platform's view), or an organization's: its own connections' and the
 * platform's, which every organization's widgets may hand over from (SPEC §6: every platform
 * number is usable).
 */
export async function listHandoverTemplates(ctx: AppContext, organizationId?: string): Promise<HandoverTemplateJson[]> {
  let query = ctx.db.selectFrom('handover_templates').selectAll().orderBy('created_at').orderBy('id');
  if (organizationId !== undefined) {
    query = query.where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('connection_id', 'is', null)]));
  }
  return (await query.execute()).map(templateView);
}
