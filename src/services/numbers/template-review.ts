// Following a handover template through review (providers-templates.md A1): the `template.create`
// job creates and submits it; Twilio's review is read again by the `template.check` job, more and
// more rarely, until it is final; Meta pushes it as the `message_template_status_update` webhook,
// and is read once at start-up in case one was missed.
import { HANDOVER_TEMPLATE } from '../../core/handover-template.js';
import type { HandoverTemplate } from '../../db/schema.js';
import { DelayJob, enqueueJob, PermanentJobError, RetryableError } from '../../jobs/queue.js';
import type { TemplatePayload } from '../../jobs/payloads.js';
import { type Credentials, type ProviderTemplate, ProviderRequestError, type TemplateStatusEvent } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { loadConnection, platformCredentials } from './connections.js';

export const TEMPLATE_CREATE_JOB = 'template.create';
export const TEMPLATE_CHECK_JOB = 'template.check';

/** Approved, rejected or disabled: nothing more to wait for. A pause ends by itself, so it is read again. */
const FINAL = new Set(['approved', 'rejected', 'disabled']);
/** Reads of a template in review: at least a minute apart, then half its age, at most an hour (review takes minutes to 48 h). */
const FIRST_CHECK_MS = 60_000;
const LONGEST_CHECK_MS = 60 * 60_000;

async function loadTemplate(ctx: AppContext, id: string): Promise<HandoverTemplate | undefined> {
  return ctx.db.selectFrom('handover_templates').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The account's credentials: the organization's own connection (borrowing what the platform has, as for its numbers), else the platform's. */
export async function credentialsOfTemplate(ctx: AppContext, row: Pick<HandoverTemplate, 'provider' | 'connection_id'>): Promise<Credentials | undefined> {
  const platform = platformCredentials(ctx, row.provider);
  if (!row.connection_id) return platform;
  const own = await loadConnection(ctx, row.connection_id);
  return own ? ({ ...(platform ?? {}), ...own } as Credentials) : undefined;
}

async function store(ctx: AppContext, row: HandoverTemplate, template: ProviderTemplate): Promise<void> {
  await ctx.db
    .updateTable('handover_templates')
    .set({
      provider_template_id: template.providerTemplateId,
      status: template.status,
      rejection_reason: template.rejectionReason,
      updated_at: ctx.clock.now().toISOString(),
    })
    .where('id', '=', row.id)
    .execute();
  if (template.status !== row.status)
    ctx.log.info({ provider: row.provider, account: row.account_key, status: template.status }, 'handover template review changed');
}

/** A provider's refusal is kept on the row for the operator to read; no answer at all is retried. */
async function failed(ctx: AppContext, row: HandoverTemplate, err: unknown): Promise<never> {
  if (!(err instanceof ProviderRequestError)) throw err;
  if (err.kind === 'unreachable' || err.kind === 'busy' || err.kind === 'failed') throw new RetryableError(err.detail);
  const label = providerByName(row.provider)?.label ?? row.provider;
  await store(ctx, row, {
    providerTemplateId: row.provider_template_id ?? '',
    status: 'rejected',
    rejectionReason: `${label} refused the template: ${err.detail}`,
  });
  throw new PermanentJobError(err.detail);
}

function providerContext(ctx: AppContext) {
  return { config: ctx.config, bus: ctx.bus, clock: ctx.clock };
}

async function scheduleCheck(ctx: AppContext, row: HandoverTemplate, key: string): Promise<void> {
  await enqueueJob(ctx, {
    kind: TEMPLATE_CHECK_JOB,
    payload: { templateId: row.id },
    runAt: new Date(ctx.clock.now().getTime() + FIRST_CHECK_MS),
    idempotencyKey: `template-check:${row.id}:${key}`,
  });
}

/** The `template.create` job: create and submit once; a template already created is not made again. */
export async function createHandoverTemplateJob(ctx: AppContext, payload: TemplatePayload): Promise<void> {
  const row = await loadTemplate(ctx, payload.templateId);
  if (!row || row.provider_template_id) return;
  const adapter = providerByName(row.provider);
  const ability = adapter?.managedTemplates;
  const credentials = await credentialsOfTemplate(ctx, row);
  if (!ability || !credentials) throw new PermanentJobError(`No ${row.provider} account to create the handover template in.`);
  let created: ProviderTemplate;
  try {
    created = await ability.create(providerContext(ctx), credentials as never, { ...HANDOVER_TEMPLATE, name: row.name, language: row.language });
  } catch (err) {
    return failed(ctx, row, err);
  }
  await store(ctx, row, created);
  if (!FINAL.has(created.status) && !ability.statusPushed) await scheduleCheck(ctx, row, 'created');
}

/** The `template.check` job: read the review; while not final, read again later (the job waits, it is not retried). */
export async function checkHandoverTemplateJob(ctx: AppContext, payload: TemplatePayload): Promise<void> {
  const row = await loadTemplate(ctx, payload.templateId);
  if (!row?.provider_template_id) return;
  const ability = providerByName(row.provider)?.managedTemplates;
  const credentials = await credentialsOfTemplate(ctx, row);
  if (!ability || !credentials) return;
  let read: ProviderTemplate;
  try {
    read = await ability.read(providerContext(ctx), credentials as never, {
      providerTemplateId: row.provider_template_id,
      name: row.name,
      language: row.language,
    });
  } catch (err) {
    return failed(ctx, row, err);
  }
  await store(ctx, row, read);
  if (FINAL.has(read.status) || ability.statusPushed) return;
  const age = ctx.clock.now().getTime() - Date.parse(row.created_at);
  throw new DelayJob(Math.min(LONGEST_CHECK_MS, Math.max(FIRST_CHECK_MS, Math.round(age / 2))));
}

/**
 * Meta's `message_template_status_update`: changes only the template of the account the webhook
 * came for (the WABA of `entry[].id`) with that id — another account's webhook changes nothing.
 */
export async function applyTemplateStatuses(ctx: AppContext, provider: string, events: TemplateStatusEvent[]): Promise<number> {
  let changed = 0;
  for (const event of events) {
    const result = await ctx.db
      .updateTable('handover_templates')
      .set({
        status: event.status,
        rejection_reason: event.status === 'rejected' ? (event.reason ?? 'Rejected without a reason given.') : null,
        updated_at: ctx.clock.now().toISOString(),
      })
      .where('provider', '=', provider)
      .where('account_ref', '=', event.account)
      .where('provider_template_id', '=', event.providerTemplateId)
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/** Whose secret verifies a webhook about this account's templates: its own connection's, else the platform's. */
export async function credentialsOfAccount(ctx: AppContext, provider: string, accountRef: string): Promise<Credentials | undefined> {
  const row = await ctx.db
    .selectFrom('handover_templates')
    .select(['provider', 'connection_id'])
    .where('provider', '=', provider)
    .where('account_ref', '=', accountRef)
    .executeTakeFirst();
  return row ? credentialsOfTemplate(ctx, row) : platformCredentials(ctx, provider);
}

/**
 * At start-up: a template whose creation never ran is created, and every template not final is
 * read once (Meta: a webhook may have been missed while the server was down; Twilio: the reads go on).
 */
export async function resumeTemplateReviews(ctx: AppContext): Promise<void> {
  const rows = await ctx.db.selectFrom('handover_templates').selectAll().where('status', 'in', ['pending', 'paused']).execute();
  const start = ctx.clock.now().toISOString();
  for (const row of rows) {
    if (!row.provider_template_id) {
      await enqueueJob(ctx, { kind: TEMPLATE_CREATE_JOB, payload: { templateId: row.id }, idempotencyKey: `template-create:${row.id}:${start}` });
    } else {
      await enqueueJob(ctx, { kind: TEMPLATE_CHECK_JOB, payload: { templateId: row.id }, idempotencyKey: `template-check:${row.id}:${start}` });
    }
  }
}
