// Outbound sending: an accepted message is a `queued` row plus an `outbound.send` job, written in
// one transaction under an idempotency key, so it is sent at least once and never twice for one
// request. The job calls the adapter with the number's credentials and records the outcome; a call
// cut short by a crash is looked for at the provider before it is made again.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, unprocessable } from '../../core/errors.js';
import { isFreeForm, isWindowOpen, WINDOW_CLOSED_SENTENCE } from '../../core/window.js';
import { isUniqueViolation } from '../../db/database.js';
import type { Message, NewMessage, NumberRow } from '../../db/schema.js';
import { type Credentials, type OutboundMessage, type ProviderAdapter, ProviderSendError, type SendResult } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import { credentialsForNumber } from '../numbers/connections.js';
import type { AppContext } from '../context.js';
import { DelayJob, enqueueJob, type JobAttempt, RetryableError } from '../../jobs/queue.js';
import type { SendJobPayload } from '../../jobs/payloads.js';
import { getMessage, getMessageByIdempotencyKey as messageByKey, publishMessage } from '../conversations/messages.js';
import { countSend } from '../metrics.js';
import { findNumberById } from '../numbers/lookup.js';
import { assertCanSend, countTowardPlan, uncountFromPlan } from '../tenancy/plans.js';
import { priceMessage } from '../tenancy/usage.js';
import { takeSendToken } from './send-rate.js';
import { applyPendingStatus } from './pending-statuses.js';

export const SEND_JOB = 'outbound.send';

export interface SendRequest {
  organizationId: string | null;
  conversationId?: string | null;
  /** the business number to send from */
  numberId: string;
  /** E.164 or the contact's external id */
  to: string;
  text?: string;
  media?: { url: string; mimeType?: string; filename?: string; type?: string };
  /** `providerTemplateId`: the provider's id of the template, where it sends by id (Twilio's HX… ContentSid) */
  template?: { name: string; language?: string; variables: string[]; providerTemplateId?: string };
  author: 'bot' | 'agent' | 'system';
  /** 'agent': notifications and forwards to an agent's own phone */
  audience?: 'contact' | 'agent';
  replyToProviderMessageId?: string;
  /** the same key twice → the first message, nothing sent twice */
  idempotencyKey?: string;
  category?: 'service' | 'utility' | 'marketing' | 'authentication';
  /** API sends: 402 at the plan limit */
  enforcePlanLimit?: boolean;
}

const MAX_TEXT = 4096;

/**
 * Accepts a message for sending. Free-form to a contact outside the 24-hour window is refused
 * with 422 WINDOW_CLOSED before anything is stored or sent. To an agent's phone it is recorded as
 * failed instead (no provider call), so the handover can tell the visitor and the number's stats
 * show the error.
 */
export async function enqueueSend(ctx: AppContext, req: SendRequest): Promise<{ messageId: number; deduplicated: boolean }> {
  if (req.idempotencyKey) {
    const existing = await messageByKey(ctx, req.idempotencyKey);
    if (existing) return { messageId: existing.id, deduplicated: true };
  }
  validate(req);
  const number = await findNumberById(ctx, req.numberId);
  if (!number) throw notFound('Number');
  const adapter = providerByName(number.provider);
  if (!adapter) throw badRequest(`The number's provider ${number.provider} is not available on this server.`);
  if (req.template && !adapter.capabilities.templates) {
    throw unprocessable(
      `${adapter.label} numbers cannot send message templates (there are no approved templates to name); send text instead.`,
      'TEMPLATES_UNSUPPORTED',
    );
  }
  if (req.enforcePlanLimit && req.organizationId) await assertCanSend(ctx, req.organizationId);

  const now = ctx.clock.now();
  const windowOpen = await serviceWindowOpen(ctx, number.id, req.to, now);
  const windowClosed = adapter.hasServiceWindow && isFreeForm(req) && !windowOpen;
  if (windowClosed && req.audience !== 'agent') throw unprocessable(WINDOW_CLOSED_SENTENCE, 'WINDOW_CLOSED');

  const category = req.template ? (req.category ?? 'utility') : 'service';
  const at = now.toISOString();
  const row: NewMessage = {
    organization_id: req.organizationId,
    conversation_id: req.conversationId ?? null,
    direction: 'out',
    author: req.author,
    audience: req.audience ?? 'contact',
    body: req.text ?? (req.template ? templateText(req.template) : (req.media?.filename ?? null)),
    media: req.media ? JSON.stringify(req.media) : null,
    provider: number.provider,
    provider_message_id: null,
    reply_to_provider_message_id: req.replyToProviderMessageId ?? null,
    number_id: number.id,
    from_address: number.phone_number ?? number.provider_id,
    to_address: req.to,
    status: windowClosed ? 'failed' : 'queued',
    send_success: windowClosed ? 0 : null,
    send_error: windowClosed ? WINDOW_CLOSED_SENTENCE : null,
    error_code: windowClosed ? 'WINDOW_CLOSED' : null,
    category,
    cost: windowClosed ? 0 : await priceMessage(ctx, { direction: 'out', provider: number.provider, category, insideWindow: windowOpen }),
    idempotency_key: req.idempotencyKey ?? randomUUID(),
    created_at: at,
    updated_at: at,
  };
  let message: Message;
  try {
    message = await ctx.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
      // Only what a customer receives counts toward the plan; an agent's phone never does (SPEC §9).
      if (!windowClosed && req.organizationId && row.audience === 'contact') {
        await countTowardPlan(trx, { id: inserted.id, organization_id: req.organizationId, created_at: at });
      }
      if (!windowClosed) {
        const payload: SendJobPayload = { messageId: inserted.id, text: req.text, template: req.template, media: req.media };
        await enqueueJob(ctx, { kind: SEND_JOB, payload, idempotencyKey: `send:${inserted.id}` }, trx);
      }
      if (req.conversationId) {
        await trx.updateTable('conversations').set({ last_message_at: at }).where('id', '=', req.conversationId).execute();
      }
      // A person answered the customer: what the bot left unanswered at the plan's limit is handled.
      if (req.author === 'agent' && req.conversationId && req.organizationId && row.audience === 'contact') {
        await trx
          .updateTable('messages')
          .set({ unanswered: null })
          .where('organization_id', '=', req.organizationId)
          .where('conversation_id', '=', req.conversationId)
          .where('unanswered', 'is not', null)
          .execute();
      }
      return inserted;
    });
  } catch (err) {
    // Two requests with one key at the same instant: the loser answers with the winner's message.
    const winner = isUniqueViolation(err) && req.idempotencyKey ? await messageByKey(ctx, req.idempotencyKey) : undefined;
    if (winner) return { messageId: winner.id, deduplicated: true };
    throw err;
  }
  await publishMessage(ctx, message);
  return { messageId: message.id, deduplicated: false };
}

function validate(req: SendRequest): void {
  const parts = [req.text !== undefined, req.media !== undefined, req.template !== undefined].filter(Boolean).length;
  if (parts === 0) throw badRequest('A message needs text, media or a template.');
  if (req.template && (req.text !== undefined || req.media !== undefined)) throw badRequest('A template is sent on its own, without text or media.');
  if (req.text !== undefined && (req.text.trim() === '' || req.text.length > MAX_TEXT)) {
    throw badRequest(`The text must be between 1 and ${MAX_TEXT} characters.`);
  }
  if (!req.to || req.to.trim() === '') throw badRequest('A message needs a recipient.');
}

function templateText(template: NonNullable<SendRequest['template']>): string {
  return `[template ${template.name}] ${template.variables.join(' · ')}`.trim();
}

/** True while the contact's last message to this number is less than 24 hours old. */
export async function serviceWindowOpen(ctx: AppContext, numberId: string, contactAddress: string, now = ctx.clock.now()): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('service_windows')
    .select('last_inbound_at')
    .where('number_id', '=', numberId)
    .where('contact_address', '=', contactAddress)
    .executeTakeFirst();
  return isWindowOpen(row?.last_inbound_at, now);
}

/**
 * The `outbound.send` job: one provider call, its outcome recorded on the message. The call is
 * marked on the row (`send_started_at`) before it is made; a run that finds the mark set follows a
 * call that may have reached the provider (a crash, no answer) and first asks the provider whether
 * that message exists (findEarlierAttempt), so one accepted message reaches the customer once.
 */
export async function sendQueuedMessage(ctx: AppContext, payload: SendJobPayload, attempt: JobAttempt): Promise<void> {
  const message = await getMessage(ctx, payload.messageId);
  // Already handed over (Twilio, Meta and Whapi answer `queued`: the provider id says it was
  // accepted; a kill between storing it and finishing the job re-runs the job), or failed for good.
  if (message?.status !== 'queued' || message.provider_message_id) return;
  const number = message.number_id ? await findNumberById(ctx, message.number_id) : undefined;
  const adapter = number ? providerByName(number.provider) : undefined;
  if (!number || !adapter) return recordFailure(ctx, message, 'The number this message was to be sent from no longer exists.', 'NO_NUMBER');
  const credentials = await credentialsForNumber(ctx, number);
  if (!credentials) {
    return recordFailure(ctx, message, `No ${number.provider} credentials are configured for ${number.phone_number ?? number.provider_id}.`, 'NO_CREDENTIALS');
  }
  const outbound = outboundOf(ctx, adapter, message, number, payload);
  const providerCtx = { config: ctx.config, bus: ctx.bus, clock: ctx.clock };
  let calling = false;
  try {
    if (message.send_started_at) {
      const earlier = await findEarlierAttempt(ctx, adapter, credentials, message, outbound);
      if (earlier) {
        ctx.log.info({ message: message.id, providerMessageId: earlier.providerMessageId }, 'a send cut short had reached the provider: not sent again');
        return await recordResult(ctx, message, number, earlier);
      }
    }
    const wait = takeSendToken(ctx, number.id);
    if (wait > 0) throw new DelayJob(wait);
    // Durable before the call: if this process dies during it, the next run knows to ask first.
    await ctx.db.updateTable('messages').set({ send_started_at: ctx.clock.now().toISOString() }).where('id', '=', message.id).execute();
    calling = true;
    const result = await adapter.send(providerCtx, credentials as never, outbound);
    await recordResult(ctx, message, number, result);
  } catch (err) {
    if (err instanceof DelayJob) throw err;
    if (err instanceof ProviderSendError && err.kind !== 'transient') {
      return recordFailure(ctx, message, err.message, err.code ?? (err.kind === 'window_closed' ? 'WINDOW_CLOSED' : 'PERMANENT'));
    }
    const reason = err instanceof Error ? err.message : String(err);
    if (attempt.isLastAttempt)
      return recordFailure(ctx, message, `Gave up after ${attempt.attempt} attempts: ${reason}`, (err as ProviderSendError).code ?? 'TRANSIENT');
    // The provider answered with an error: this call sent nothing, the next need not ask. No
    // answer at all (NETWORK) may still have been accepted: the mark stays.
    const answered = calling && err instanceof ProviderSendError && err.code !== 'NETWORK';
    // Visible while it retries; cleared by the send that succeeds.
    await ctx.db
      .updateTable('messages')
      .set({ send_error: reason, ...(answered ? { send_started_at: null } : {}) })
      .where('id', '=', message.id)
      .execute();
    countSend(ctx, number.provider, 'retry');
    throw new RetryableError(reason, err instanceof ProviderSendError ? err.retryAfterMs : undefined);
  }
}

/** Clock slack between us and the provider when comparing its creation times with our mark. */
const FIND_SENT_SLACK_MS = 60_000;
/**
 * A provider's message list may lag a send it accepted (eventually consistent): it is asked no
 * sooner than this after the earlier call began. A crash and restart usually take longer anyway.
 */
export const LIST_SETTLE_MS = 5_000;
/** Meta has no list: a re-run waits this long after the earlier call for a status callback naming it. */
export const STATUS_WAIT_MS = 60_000;
const STATUS_POLL_MS = 5_000;

/**
 * The provider's message of an earlier call for this one, when that call reached it: a status
 * callback that carried our reference (Meta, kept in pending_statuses), or a match in the provider's
 * message list (findSent) that no other message of ours has. Throws DelayJob while the answer may
 * still be on its way; undefined means send again.
 */
async function findEarlierAttempt(
  ctx: AppContext,
  adapter: ProviderAdapter,
  credentials: Credentials,
  message: Message,
  outbound: OutboundMessage,
): Promise<SendResult | undefined> {
  const started = Date.parse(message.send_started_at!);
  const now = ctx.clock.now().getTime();
  const after = new Date(started - FIND_SENT_SLACK_MS);
  if (adapter.statusesCarryReference && outbound.reference) {
    const kept = await ctx.db
      .selectFrom('pending_statuses')
      .select('provider_message_id')
      .where('provider', '=', adapter.name)
      .where('reference', '=', outbound.reference)
      .where('received_at', '>=', after.toISOString())
      .executeTakeFirst();
    // Stored as accepted; the kept status itself is applied with the id (applyPendingStatus).
    if (kept) return { providerMessageId: kept.provider_message_id, status: 'queued' };
    if (now < started + STATUS_WAIT_MS) throw new DelayJob(Math.min(STATUS_POLL_MS, started + STATUS_WAIT_MS - now));
    return undefined;
  }
  if (!adapter.findSent) return undefined;
  if (now < started + LIST_SETTLE_MS) throw new DelayJob(started + LIST_SETTLE_MS - now);
  const found = await adapter.findSent({ config: ctx.config, bus: ctx.bus, clock: ctx.clock }, credentials as never, {
    from: outbound.from,
    to: outbound.to,
    body: outbound.template ? undefined : outbound.text,
    after,
  });
  if (found.length === 0) return undefined;
  const known = await ctx.db
    .selectFrom('messages')
    .select('provider_message_id')
    .where('provider', '=', adapter.name)
    .where(
      'provider_message_id',
      'in',
      found.map((f) => f.providerMessageId),
    )
    .execute();
  const ours = new Set(known.map((m) => m.provider_message_id));
  return found.find((f) => !ours.has(f.providerMessageId));
}

/** What the provider answered (or its list showed) for this message, stored and published. */
async function recordResult(ctx: AppContext, message: Message, number: NumberRow, result: SendResult): Promise<void> {
  if (result.status === 'failed') {
    // The provider took the request and answered that the message failed: not sent, not retried.
    const reason = result.errorMessage ?? `${number.provider} answered that the message failed${result.errorCode ? ` (error ${result.errorCode})` : ''}.`;
    return recordFailure(ctx, message, reason, result.errorCode ?? 'PROVIDER_FAILED', result.providerMessageId);
  }
  const at = ctx.clock.now().toISOString();
  const sent = await ctx.db.transaction().execute(async (trx) => {
    const stored = await trx
      .updateTable('messages')
      .set({ provider_message_id: result.providerMessageId, status: result.status, send_success: 1, send_error: null, error_code: null, updated_at: at })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // A status callback can beat this answer; it was kept for this id and applies now.
    return (await applyPendingStatus(trx, ctx.database.dialect, stored, at)) ?? stored;
  });
  countSend(ctx, number.provider, 'sent');
  await publishMessage(ctx, sent, 'status');
}

function outboundOf(ctx: AppContext, adapter: ProviderAdapter, message: Message, number: NumberRow, payload: SendJobPayload): OutboundMessage {
  return {
    from: { phone: number.phone_number ?? undefined, providerNumberId: number.provider_id },
    to: message.to_address!,
    text: payload.text,
    media: payload.media,
    template: payload.template,
    replyToProviderMessageId: message.reply_to_provider_message_id ?? undefined,
    statusCallbackUrl: adapter.statusCallbackPath ? `${ctx.config.publicUrl}${adapter.statusCallbackPath}` : undefined,
    reference: `sb-${message.id}`,
  };
}

/** `providerMessageId`: the provider's id when it answered with a failed message (its later callbacks match it). */
async function recordFailure(ctx: AppContext, message: Message, reason: string, code: string, providerMessageId?: string): Promise<void> {
  // A message that never reached the customer is given back to the plan.
  const failed = await ctx.db.transaction().execute(async (trx) => {
    // The message (and, by its trigger, the usage counters) first, then the plan's counter: the order
    // every send's transaction takes them in, so two of them never wait on each other (PostgreSQL).
    const stored = await trx
      .updateTable('messages')
      .set({
        status: 'failed',
        send_success: 0,
        send_error: reason,
        error_code: code,
        updated_at: ctx.clock.now().toISOString(),
        ...(providerMessageId ? { provider_message_id: providerMessageId } : {}),
      })
      .where('id', '=', message.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await uncountFromPlan(trx, message.id);
    return { ...stored, plan_month: null };
  });
  // failed is final: a status kept for this id has nothing left to change.
  if (providerMessageId && failed.provider) {
    await ctx.db.deleteFrom('pending_statuses').where('provider', '=', failed.provider).where('provider_message_id', '=', providerMessageId).execute();
  }
  countSend(ctx, message.provider ?? 'unknown', 'failed');
  await publishMessage(ctx, failed, 'status');
}
