// The inbound pipeline: verify → parse → de-duplicate + store → enqueue the reaction. The webhook
// is answered once its events are committed; contacts, conversations and replies happen in the
// `inbound.react` job, so the hot path is one insert and one enqueue per message.
import { AppError, badRequest, conflict, notFound } from '../../core/errors.js';
import { DELIVERY_STATUSES } from '../../core/delivery.js';
import { redactUrl } from '../../core/secrets.js';
import type { NumberRow, UnroutedEvent } from '../../db/schema.js';
import { type InboundMessageEvent, type NormalizedEvent, PayloadError, type ProviderAdapter, type WebhookRequest } from '../../providers/provider.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { type InboundMessageRow, storeInbound } from './store.js';
import { countWebhook, type WebhookOutcome } from '../metrics.js';
import { findNumberById, findNumberByRoutingKey, type RoutingKey } from '../numbers/lookup.js';
import { getMessage } from '../conversations/messages.js';
import { enqueueJob } from '../../jobs/queue.js';
import { keptProfileName } from './unrouted-messages.js';
import { REACT_JOB } from './reaction.js';
import { showAgentTyping } from '../handover/presence.js';
import { PLATFORM_SECRET } from '../../core/signers.js';
import { assertSameSecret, signatureChecker, verifierFor, withVerifiers } from './verification.js';
import { priceMessage } from '../tenancy/usage.js';
import { applyTemplateStatuses, credentialsOfAccount } from '../numbers/template-review.js';

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface RouteSummary {
  stored: number;
  duplicates: number;
  statuses: number;
  /** why events could not be routed (unknown number, no sender) */
  unrouted: string[];
}

/**
 * Verifies and stores one webhook. Each event is verified against the credentials of the number it
 * is routed to: one that does not match is refused alone (not stored, not kept), the rest are
 * handled. Throws 403 when nothing in the request verifies.
 */
export async function receiveWebhook(ctx: AppContext, adapter: ProviderAdapter, req: WebhookRequest): Promise<WebhookAnswer> {
  const ack: WebhookAnswer = adapter.ack
    ? { status: 200, ...adapter.ack }
    : { status: 200, contentType: 'application/json; charset=utf-8', body: '{"ok":true}' };
  const hint = safely(() => adapter.routingHint(req));
  const verified = signatureChecker(ctx, adapter, req);
  const hintVerifier = async () => verifierFor(ctx, adapter, hint ? await findNumberByRoutingKey(ctx, adapter.name, hint) : undefined);
  const refuse = () => {
    countWebhook(ctx, adapter.name, 'rejected');
    return new AppError(403, 'INVALID_SIGNATURE', `The webhook signature is missing or does not match; nothing was stored.`);
  };
  // A webhook about an account's templates names no number: each account's changes are applied only
  // when the body verifies with that account's secret.
  const reviewed = await applyTemplateReviews(ctx, adapter, req);
  let events: NormalizedEvent[];
  try {
    events = adapter.parse(req);
  } catch (err) {
    const verifier = await hintVerifier();
    if (!verified(verifier)) throw refuse();
    const reason = `The payload could not be understood: ${err instanceof PayloadError ? err.message : 'unexpected shape'}`;
    // The simulator signs nothing, so an unreadable post is a caller's mistake to report, not an
    // authentic provider event to keep (and answering 4xx to a real provider would make it retry forever).
    if (adapter.unsignedWebhooks) {
      countWebhook(ctx, adapter.name, 'invalid');
      throw badRequest(reason, 'INVALID_WEBHOOK');
    }
    await keepUnrouted(ctx, adapter.name, req, [reason], verifier.by);
    countWebhook(ctx, adapter.name, 'unrouted');
    return ack;
  }
  // Nothing to route (a notification of another kind): the request as a whole must still verify.
  if (events.length === 0) {
    if (reviewed === 0 && !verified(await hintVerifier())) throw refuse();
    countWebhook(ctx, adapter.name, 'stored');
    return ack;
  }
  const checked = await withVerifiers(ctx, adapter, events, hint);
  const accepted = checked.filter((c) => verified(c.verifier));
  if (accepted.length === 0) throw refuse();
  const refused = checked.length - accepted.length;
  if (refused > 0) {
    ctx.log.warn({ provider: adapter.name, refused, accepted: accepted.length }, "webhook events not signed with their number's secret refused");
  }
  const known = accepted.flatMap((c): Array<[RoutingKey, NumberRow]> => (c.key && c.number ? [[c.key, c.number]] : []));
  const summary = await routeEvents(
    ctx,
    adapter.name,
    accepted.map((c) => ({ event: c.event, verifiedBy: c.verifier.by })),
    known,
  );
  if (summary.unrouted.length > 0) {
    // The raw payload holds the refused events too: it is kept only when nothing in it was refused.
    if (refused === 0) await keepUnrouted(ctx, adapter.name, req, summary.unrouted, accepted[0]!.verifier.by);
    else ctx.log.warn({ provider: adapter.name, reasons: summary.unrouted }, 'unrouted events of a partly refused webhook are not kept');
  }
  countWebhook(ctx, adapter.name, refused > 0 ? 'rejected' : outcomeOf(summary));
  return ack;
}

/**
 * Template review changes, each applied only when the body verifies with the secret of the account
 * it names: one account's webhook never changes another account's template.
 */
async function applyTemplateReviews(ctx: AppContext, adapter: ProviderAdapter, req: WebhookRequest): Promise<number> {
  const reviews = safely(() => adapter.managedTemplates?.parseStatusWebhook?.(req)) ?? [];
  let applied = 0;
  for (const account of new Set(reviews.map((r) => r.account))) {
    const credentials = await credentialsOfAccount(ctx, adapter.name, account);
    if (!safely(() => adapter.verify(req, credentials as never, ctx.config.publicUrl))) continue;
    applied++;
    await applyTemplateStatuses(
      ctx,
      adapter.name,
      reviews.filter((r) => r.account === account),
    );
  }
  return applied;
}

function outcomeOf(summary: RouteSummary): WebhookOutcome {
  if (summary.unrouted.length > 0) return 'unrouted';
  if (summary.stored === 0 && summary.duplicates > 0) return 'duplicate';
  return 'stored';
}

/** Stores every event that belongs to a known number; returns what happened, with the reasons for the rest. */
export async function routeEvents(
  ctx: AppContext,
  provider: string,
  /** each event with whose secret verified it (verification.ts) */
  events: Array<{ event: NormalizedEvent; verifiedBy: string }>,
  /** numbers already looked up for this payload (the verification's routing hint) */
  known: Array<[RoutingKey, NumberRow]> = [],
): Promise<RouteSummary> {
  const summary: RouteSummary = { stored: 0, duplicates: 0, statuses: 0, unrouted: [] };
  const keyOf = (key: RoutingKey) => `${key.providerNumberId ?? ''}|${key.phone ?? ''}`;
  const numbers = new Map<string, Promise<NumberRow | undefined>>(known.map(([key, number]) => [keyOf(key), Promise.resolve(number)]));
  const numberFor = (key: RoutingKey) => {
    const id = keyOf(key);
    if (!numbers.has(id)) numbers.set(id, findNumberByRoutingKey(ctx, provider, key));
    return numbers.get(id)!;
  };
  const at = ctx.clock.now().toISOString();
  await Promise.all(
    events.map(async ({ event, verifiedBy }) => {
      const flaw = eventFlaw(event);
      if (flaw) {
        summary.unrouted.push(flaw);
        return;
      }
      if (event.kind === 'status') {
        await storeInbound(ctx, {
          kind: 'status',
          provider,
          providerMessageId: event.providerMessageId,
          status: event.status,
          errorCode: event.errorCode,
          errorMessage: event.errorMessage,
          reference: event.reference,
          verifiedBy,
          at,
        });
        summary.statuses += 1;
        return;
      }
      const number = await numberFor(event.to);
      if (!number) {
        summary.unrouted.push(`No number is assigned for ${provider} ${describeKey(event.to)}.`);
        return;
      }
      if (event.kind === 'typing') {
        if (number.organization_id) {
          await ctx.bus.publish({ channel: `org:${number.organization_id}`, type: 'typing', data: { numberId: number.id, from: event.from } });
        }
        // An agent typing on a handover sender shows as typing in that visitor's widget.
        if (event.from.phone) await showAgentTyping(ctx, number, event.from.phone);
        return;
      }
      // The operator's price table is kept in memory: no read per webhook.
      const cost = await priceMessage(ctx, { direction: 'in', provider: event.provider, category: 'service', insideWindow: true });
      const row = inboundRow(event, number, at, cost);
      if (!row) {
        summary.unrouted.push(`Message ${event.providerMessageId} has no sender phone or id.`);
        return;
      }
      const result = await storeInbound(ctx, {
        kind: 'message',
        row,
        // ReactPayload: the message id is added when the message is stored.
        reaction: { kind: REACT_JOB, payload: { profileName: event.from.name }, idempotencyPrefix: 'react:' },
      });
      if (result.kind === 'message' && result.inserted) summary.stored += 1;
      else summary.duplicates += 1;
    }),
  );
  return summary;
}

const STATUSES = new Set<string>(DELIVERY_STATUSES);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Adapters read untrusted JSON: an event whose ids are not text is kept aside, never bound to SQL. */
function eventFlaw(event: NormalizedEvent): string | undefined {
  if (event.kind === 'typing') return undefined;
  if (!isText(event.providerMessageId)) return `An event has no usable message id.`;
  if (event.kind === 'status' && !STATUSES.has(event.status)) return `Status ${JSON.stringify(event.status)} of ${event.providerMessageId} is not known.`;
  const optionalTexts =
    event.kind === 'status'
      ? [event.errorCode, event.errorMessage]
      : [event.text, event.from.phone, event.from.externalId, event.from.name, event.replyToProviderMessageId];
  if (optionalTexts.some((value) => value !== undefined && value !== null && typeof value !== 'string')) {
    return `Event ${event.providerMessageId} has a field that is not text.`;
  }
  return undefined;
}

function describeKey(key: RoutingKey): string {
  return [key.providerNumberId && `number id ${key.providerNumberId}`, key.phone].filter(Boolean).join(' / ') || '(no number in the payload)';
}

function inboundRow(event: InboundMessageEvent, number: NumberRow, at: string, cost: number): InboundMessageRow | undefined {
  const from = event.from.phone ?? event.from.externalId;
  if (!from) return undefined;
  return {
    // The shared trial number's messages belong to nobody until the join routing says whose they are.
    organization_id: number.is_shared_trial ? null : number.organization_id,
    conversation_id: null,
    direction: 'in',
    author: 'contact',
    audience: 'contact',
    body: event.text ?? event.media?.caption ?? null,
    media: event.media ? JSON.stringify(event.media) : null,
    provider: event.provider,
    provider_message_id: event.providerMessageId,
    reply_to_provider_message_id: event.replyToProviderMessageId ?? null,
    number_id: number.id,
    from_address: from,
    to_address: number.phone_number ?? event.to.phone ?? number.provider_id,
    status: 'received',
    category: 'service',
    cost,
    created_at: at,
    updated_at: at,
  };
}

/**
 * What replay needs to rebuild the request: its content type and URL. Never the other headers
 * (authorization, signatures, cookies) and never a secret in the URL (Whapi's `?token=`): replay
 * does not verify again, it was verified on arrival.
 */
function replayHeaders(req: WebhookRequest): string {
  return JSON.stringify({ contentType: req.headers['content-type'] ?? null, url: redactUrl(req.url) });
}

async function keepUnrouted(ctx: AppContext, provider: string, req: WebhookRequest, reasons: string[], verifiedBy: string): Promise<void> {
  await storeInbound(ctx, {
    kind: 'unrouted',
    provider,
    reason: reasons.join(' '),
    payload: req.rawBody.toString('utf8'),
    headers: replayHeaders(req),
    verifiedBy,
    at: ctx.clock.now().toISOString(),
  });
}

export interface UnroutedEventJson {
  id: number;
  provider: string;
  reason: string;
  receivedAt: string;
  replayedAt: string | null;
  payload: string;
  /** whose secret verified it: a connection id, or `platform`; a replay writes only into numbers verified by the same */
  verifiedBy: string;
}

export async function listUnroutedEvents(ctx: AppContext, options: { includeReplayed?: boolean } = {}): Promise<UnroutedEventJson[]> {
  let query = ctx.db.selectFrom('unrouted_events').selectAll().orderBy('id', 'desc').limit(500);
  if (!options.includeReplayed) query = query.where('replayed_at', 'is', null);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    reason: r.reason,
    receivedAt: r.received_at,
    replayedAt: r.replayed_at,
    payload: r.payload,
    verifiedBy: r.verified_by ?? PLATFORM_SECRET,
  }));
}

/**
 * Routes a kept event again (its signature was checked when it arrived). Succeeds only when every
 * event now has a number; messages already stored stay single thanks to the de-duplication.
 */
export async function replayUnroutedEvent(ctx: AppContext, id: number): Promise<RouteSummary> {
  const row = await ctx.db.selectFrom('unrouted_events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Unrouted event');
  if (row.message_id !== null) return replayKeptMessage(ctx, row);
  const adapter = providerByName(row.provider);
  if (!adapter) throw conflict(`The provider ${row.provider} is not known to this server.`);
  const saved = row.headers ? (JSON.parse(row.headers) as { contentType?: string | null; url?: string }) : {};
  const url = saved.url ?? `/api/webhooks/${row.provider}`;
  const req: WebhookRequest = {
    method: 'POST',
    url,
    rawBody: Buffer.from(row.payload, 'utf8'),
    headers: { 'content-type': saved.contentType ?? undefined },
    query: Object.fromEntries(new URL(url, 'http://replay').searchParams),
  };
  let events: NormalizedEvent[];
  try {
    events = adapter.parse(req);
  } catch (err) {
    throw conflict(`This event still cannot be understood: ${(err as Error).message}`, 'UNPARSEABLE');
  }
  const checked = await withVerifiers(
    ctx,
    adapter,
    events,
    safely(() => adapter.routingHint(req)),
  );
  assertSameSecret(
    checked.map((c) => ({ kind: c.event.kind, number: c.number, verifier: c.verifier })),
    row.verified_by,
  );
  const summary = await routeEvents(
    ctx,
    adapter.name,
    checked.map((c) => ({ event: c.event, verifiedBy: row.verified_by ?? PLATFORM_SECRET })),
  );
  if (summary.unrouted.length > 0) {
    throw conflict(`This event still cannot be routed: ${summary.unrouted.join(' ')} Assign the number first.`, 'STILL_UNROUTED');
  }
  await ctx.db.updateTable('unrouted_events').set({ replayed_at: ctx.clock.now().toISOString() }).where('id', '=', id).execute();
  return summary;
}

/**
 * A customer's message to a platform number is already stored: once its number belongs to an
 * organization, the message becomes that organization's and reacts as if it had just arrived.
 */
async function replayKeptMessage(ctx: AppContext, row: UnroutedEvent): Promise<RouteSummary> {
  const message = row.message_id === null ? undefined : await getMessage(ctx, row.message_id);
  const number = message?.number_id ? await findNumberById(ctx, message.number_id) : undefined;
  if (!message || !number) throw conflict('The message of this event is no longer stored; there is nothing to replay.', 'MESSAGE_GONE');
  if (!number.organization_id || number.is_shared_trial) {
    throw conflict(
      `This event still cannot be routed: ${number.phone_number ?? number.provider_id} is a platform number that carries handovers only. Assign the number to an organization first.`,
      'STILL_UNROUTED',
    );
  }
  const adapter = providerByName(number.provider);
  if (adapter) assertSameSecret([{ kind: 'message', number, verifier: await verifierFor(ctx, adapter, number) }], row.verified_by);
  const claimed = await ctx.db
    .updateTable('messages')
    .set({ organization_id: number.organization_id })
    .where('id', '=', message.id)
    .where('organization_id', 'is', null)
    .executeTakeFirst();
  const stored = Number(claimed.numUpdatedRows) > 0;
  if (stored) {
    await enqueueJob(ctx, {
      kind: REACT_JOB,
      payload: { messageId: message.id, profileName: keptProfileName(row.payload) },
      idempotencyKey: `react:${message.id}:replay`,
    });
  }
  await ctx.db.updateTable('unrouted_events').set({ replayed_at: ctx.clock.now().toISOString() }).where('id', '=', row.id).execute();
  return { stored: stored ? 1 : 0, duplicates: stored ? 0 : 1, statuses: 0, unrouted: [] };
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
