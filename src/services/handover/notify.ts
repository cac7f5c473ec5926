// Telling each agent of a handover, in WhatsApp's rules (SPEC §8 "The path of one notification"):
// the chosen sender's window with the agent is open → free-form; closed and a template can be sent
// → the template from that sender; otherwise free-form from another number of the organization whose
// window with the agent is open, naming the conversation and the number that carries it; nothing →
// the agent is skipped, with the reason. Each path tried is a row of `handover_notifications`, so a
// failure the provider reports later (Twilio 63016, Meta 131047) takes the next path once, and the
// inbox can say why nobody was reached.
import { randomUUID } from 'node:crypto';
import { handoverNotification, visitorText } from '../../core/handover-text.js';
import { asksForHuman } from '../../core/intent.js';
import { isWindowFailure } from '../../core/send-failures.js';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Db } from '../../db/database.js';
import type { Conversation, HandoverNotification, NumberRow } from '../../db/schema.js';
import { providerByName } from '../../providers/registry.js';
import type { AppContext } from '../context.js';
import { enqueueSend } from '../outbound/send.js';
import { findSenderNumber, type Handover, involvedAgents, loadHandover } from './handovers.js';
import { tellCustomer } from './customer.js';
import { handoverTemplateFor } from './templates.js';
import { commandsLineDue } from './commands-line.js';
import { organizationSenders, type Sender, windowOpen } from './windows.js';
import type { VisitorMedia } from '../widgets/visitor-outbound.js';

export type NotificationPath = 'free_form' | 'template' | 'other_sender' | 'skipped';

/** What a notification needs of the claimed sender. */
export interface AgentSender {
  number: NumberRow;
  phone: string;
  agents: string[];
  assignmentId: string;
}

interface Round {
  handover: Handover;
  sender: Sender;
  assignmentId: string;
  /** the customer's latest message, quoted */
  lastMessage: string | null;
  /** agents with another open conversation on the sender: they need the `#282:` form */
  busy: Set<string>;
}

/**
 * Notifies each of `agents` (by default the sender's agents who answer this handover) by the first
 * path open to them. True when at least one agent has a path. Safe to run again: an agent already
 * notified for this assignment is not notified twice.
 */
export async function notifyAgents(
  ctx: AppContext,
  handover: Handover,
  claim: AgentSender,
  agents = claim.agents.filter((a) => handover.agents.includes(a)),
): Promise<boolean> {
  const round = await roundOf(ctx, handover, { ...claim.number, phone_number: claim.phone }, claim.assignmentId);
  let reached = false;
  for (const agent of agents) {
    const earlier = await attemptsOf(ctx, claim.assignmentId, agent);
    const outcome = earlier.length > 0 ? (earlier.some((a) => a.path !== 'skipped') ? 'sent' : 'skipped') : await notifyAgent(ctx, round, agent, new Set());
    reached ||= outcome === 'sent';
  }
  return reached;
}

async function roundOf(ctx: AppContext, handover: Handover, sender: Sender, assignmentId: string): Promise<Round> {
  return {
    handover,
    sender,
    assignmentId,
    lastMessage: await lastCustomerMessage(ctx, handover.conversation),
    busy: await agentsBusyOn(ctx, sender.phone_number, handover.conversation.id),
  };
}

/**
 * What the notification quotes: the customer's latest message. A WhatsApp customer asks for a
 * person by writing it ("human"), which tells the agent nothing: then the message before it.
 */
async function lastCustomerMessage(ctx: AppContext, conversation: Conversation): Promise<string | null> {
  const last = await ctx.db
    .selectFrom('messages')
    .select(['body', 'media'])
    .where('conversation_id', '=', conversation.id)
    .where('direction', '=', 'in')
    .where('author', 'in', ['visitor', 'contact'])
    .orderBy('id', 'desc')
    .limit(2)
    .execute();
  const text = (m: (typeof last)[number]) => m.body ?? describeMedia(m.media ? (JSON.parse(m.media) as VisitorMedia) : null);
  const [latest, before] = last;
  if (!latest) return null;
  if (conversation.channel === 'whatsapp' && before && latest.body && asksForHuman(latest.body)) return text(before);
  return text(latest);
}

export const describeMedia = (media: VisitorMedia | null) => (media ? `📎 ${media.filename ?? media.type}` : null);

/** Agents who have another open conversation on this sender (involvedAgents says who that is). */
async function agentsBusyOn(ctx: AppContext, phone: string, exceptConversationId: string): Promise<Set<string>> {
  const open = await ctx.db
    .selectFrom('conversations as c')
    .leftJoin('widgets as w', 'w.id', 'c.widget_id')
    .select(['c.organization_id', 'c.agent_number', 'w.settings'])
    .where('c.assigned_whatsapp_number', '=', phone)
    .where('c.status', 'in', [...HUMAN_STATUSES])
    .where('c.id', '!=', exceptConversationId)
    .execute();
  return new Set((await involvedAgents(ctx.db, open)).flat());
}

const attemptsOf = (ctx: AppContext, assignmentId: string, agent: string) =>
  ctx.db.selectFrom('handover_notifications').selectAll().where('assignment_id', '=', assignmentId).where('agent_number', '=', agent).execute();

/** The first path not yet `tried` for this agent; a path that fails at once (the send was refused) moves to the next. */
async function notifyAgent(ctx: AppContext, round: Round, agent: string, tried: Set<NotificationPath>): Promise<'sent' | 'skipped'> {
  const { handover, sender } = round;
  const why: string[] = [];
  if (!tried.has('free_form')) {
    if (await windowOpen(ctx, sender, agent)) {
      const text = handoverNotification({
        ...handover,
        lastMessage: round.lastMessage,
        replyHere: !round.busy.has(agent),
        withCommands: await commandsLineDue(ctx, agent),
      });
      if (await attempt(ctx, round, agent, 'free_form', sender, { text })) return 'sent';
      tried.add('free_form');
    } else why.push(`has not written to ${sender.phone_number} in the last 24 hours`);
  }
  if (!tried.has('template')) {
    const template = providerByName(sender.provider)?.capabilities.templates
      ? await handoverTemplateFor(ctx, sender, handover.widget ? handover.settings : null, {
          visitorName: handover.visitorName,
          ref: `#${handover.ref}`,
          excerpt: round.lastMessage ?? '',
          session: handover.sessionId ?? handover.customerAddress ?? '',
        })
      : undefined;
    if (template) {
      if (await attempt(ctx, round, agent, 'template', sender, { template })) return 'sent';
      tried.add('template');
    } else why.push(`no approved handover template can be sent from ${sender.phone_number}`);
  }
  if (!tried.has('other_sender')) {
    const other = await otherSenderOpenTo(ctx, handover.conversation.organization_id, sender, agent);
    if (other) {
      const text = handoverNotification({
        ...handover,
        lastMessage: round.lastMessage,
        replyHere: false,
        carriedBy: sender.phone_number,
        withCommands: await commandsLineDue(ctx, agent),
      });
      if (await attempt(ctx, round, agent, 'other_sender', other, { text })) return 'sent';
    } else why.push('no other number of the organization has an open window with them');
  }
  const failed = await ctx.db
    .selectFrom('handover_notifications')
    .select(['path', 'reason'])
    .where('assignment_id', '=', round.assignmentId)
    .where('agent_number', '=', agent)
    .where('failed_at', 'is not', null)
    .execute();
  for (const f of failed) why.push(`the ${f.path.replace('_', '-')} notification failed${f.reason ? ` (${f.reason})` : ''}`);
  const reason = `Not reached: ${why.join('; ')}. Any message from them to ${sender.phone_number} opens it for 24 hours.`;
  await record(ctx, round, agent, 'skipped', null, null, reason);
  return 'skipped';
}

/** The first other number of the organization that may write free-form to this agent now. */
async function otherSenderOpenTo(ctx: AppContext, organizationId: string, sender: Sender, agent: string): Promise<Sender | undefined> {
  for (const other of await organizationSenders(ctx, organizationId)) {
    if (other.id === sender.id || other.phone_number === sender.phone_number) continue;
    if (await windowOpen(ctx, other, agent)) return other;
  }
  return undefined;
}

/** Sends one path's notification and records it; false when the send was refused at once. */
async function attempt(
  ctx: AppContext,
  round: Round,
  agent: string,
  path: Exclude<NotificationPath, 'skipped'>,
  from: Sender,
  content: { text: string } | { template: NonNullable<Awaited<ReturnType<typeof handoverTemplateFor>>> },
): Promise<boolean> {
  const { conversation } = round.handover;
  const { messageId } = await enqueueSend(ctx, {
    organizationId: conversation.organization_id,
    conversationId: conversation.id,
    numberId: from.id,
    to: agent,
    ...content,
    ...('template' in content ? { category: 'utility' as const } : {}),
    author: 'system',
    audience: 'agent',
    idempotencyKey: `handover:${round.assignmentId}:${agent}:${path}`,
  });
  const sent = await ctx.db.selectFrom('messages').select(['status', 'error_code', 'send_error']).where('id', '=', messageId).executeTakeFirstOrThrow();
  const refused = sent.status === 'failed';
  await record(ctx, round, agent, path, from, messageId, refused ? sent.send_error : null, refused);
  return !refused;
}

async function record(
  ctx: AppContext,
  round: Round,
  agent: string,
  path: NotificationPath,
  from: Sender | null,
  messageId: number | null,
  reason: string | null,
  failed = false,
): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('handover_notifications')
    .values({
      id: randomUUID(),
      conversation_id: round.handover.conversation.id,
      assignment_id: round.assignmentId,
      agent_number: agent,
      path,
      number_id: from?.id ?? null,
      sender: from?.phone_number ?? null,
      message_id: messageId,
      reason,
      failed_at: failed ? now : null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['assignment_id', 'agent_number', 'path']).doNothing())
    .execute();
}

/** How long after a notification a failure of it still takes the next path. */
const FAILURES_WATCHED_MS = 24 * 60 * 60 * 1000;

/** Notifications sent since `since`, not yet taken up, whose message failed: handover_notifications_open_idx (failed_at, created_at). */
export function followedFailuresQuery(db: Db, since: string) {
  return db
    .selectFrom('handover_notifications as n')
    .innerJoin('messages as m', 'm.id', 'n.message_id')
    .selectAll('n')
    .select(['m.error_code', 'm.send_error'])
    .where('n.failed_at', 'is', null)
    .where('n.created_at', '>=', since)
    .where('m.status', '=', 'failed');
}

/**
 * Notifications the provider failed after accepting them (a status callback with Twilio 63016,
 * Meta 131047 and their kin): that agent's next path, once; when no agent has a path left, the
 * visitor is told, and the conversation keeps waiting (never handed back to the bot).
 */
export async function followFailedNotifications(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const failed = await followedFailuresQuery(ctx.db, new Date(now.getTime() - FAILURES_WATCHED_MS).toISOString()).execute();
  let followed = 0;
  for (const { error_code, send_error, ...notification } of failed) {
    // Taken once, whichever sweep gets there first.
    const taken = await ctx.db
      .updateTable('handover_notifications')
      .set({ failed_at: now.toISOString(), reason: send_error })
      .where('id', '=', notification.id)
      .where('failed_at', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) continue;
    if (!isWindowFailure(error_code)) continue; // another path would not help (not on WhatsApp, credentials): the reason shows
    if (await nextPath(ctx, notification)) followed++;
  }
  return followed;
}

async function nextPath(ctx: AppContext, failed: HandoverNotification): Promise<boolean> {
  const handover = await loadHandover(ctx, failed.conversation_id);
  const conversation = handover?.conversation;
  if (!handover || conversation?.status !== 'waiting_agent' || conversation.agent_number || !conversation.assigned_whatsapp_number) return false;
  const assignment = await ctx.db
    .selectFrom('handover_assignments')
    .select(['number', 'released_at'])
    .where('id', '=', failed.assignment_id)
    .executeTakeFirst();
  if (!assignment || assignment.released_at) return false;
  const number = await findSenderNumber(ctx.db, conversation.organization_id, assignment.number);
  if (!number) return false;
  const tried = new Set((await attemptsOf(ctx, failed.assignment_id, failed.agent_number)).map((a) => a.path as NotificationPath));
  const round = await roundOf(ctx, handover, { ...number, phone_number: assignment.number }, failed.assignment_id);
  await notifyAgent(ctx, round, failed.agent_number, tried);
  if (!(await anyAgentReachable(ctx, conversation.id))) {
    await tellCustomer(ctx, conversation, {
      author: 'system',
      text: visitorText.noAgentReachable,
      idempotencyKey: `handover-unreachable:${failed.assignment_id}`,
    });
  }
  return true;
}

/**
 * Agents skipped for want of a path (no open window, the handover template still in review) are
 * tried again on each sweep while their visitor waits unclaimed: a template approved since, or a
 * window an agent opened on another number, gives them one, so a visitor told that no agent could
 * be reached does not wait for an agent to write in by chance. Sends stay once per path (the
 * idempotency key and the unique attempt row), whichever instance's sweep gets there.
 */
/** Agents skipped on handovers still waiting unclaimed, up to `limit`. */
export function skippedNotificationsQuery(db: Db, limit: number) {
  return db
    .selectFrom('handover_notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversation_id')
    .innerJoin('handover_assignments as a', 'a.id', 'n.assignment_id')
    .select(['n.conversation_id', 'n.assignment_id', 'n.agent_number', 'a.number'])
    .where('n.path', '=', 'skipped')
    .where('c.status', '=', 'waiting_agent')
    .where('c.agent_number', 'is', null)
    .where('a.released_at', 'is', null)
    .limit(limit);
}

export async function retrySkippedNotifications(ctx: AppContext): Promise<number> {
  const skipped = await skippedNotificationsQuery(ctx.db, RETRIES_PER_SWEEP).execute();
  let reached = 0;
  for (const s of skipped) {
    const attempts = await attemptsOf(ctx, s.assignment_id, s.agent_number);
    if (attempts.some((a) => a.path !== 'skipped' && !a.failed_at)) continue; // reached since
    const handover = await loadHandover(ctx, s.conversation_id);
    if (!handover?.agents.includes(s.agent_number)) continue; // no longer one of its agents
    const number = await findSenderNumber(ctx.db, handover.conversation.organization_id, s.number);
    if (!number) continue;
    const round = await roundOf(ctx, handover, { ...number, phone_number: s.number }, s.assignment_id);
    const tried = new Set(attempts.filter((a) => a.path !== 'skipped').map((a) => a.path as NotificationPath));
    const wasUnreachable = !(await anyAgentReachable(ctx, s.conversation_id));
    if ((await notifyAgent(ctx, round, s.agent_number, tried)) !== 'sent') continue;
    reached++;
    // Told that no agent could be reached: told, once, that one now has been.
    if (wasUnreachable) {
      await tellCustomer(ctx, handover.conversation, {
        author: 'system',
        text: visitorText.agentReachedLater,
        idempotencyKey: `handover-reached-later:${s.assignment_id}`,
      });
    }
  }
  return reached;
}

/** Bounds one sweep's work; the rest are tried on the next sweep. */
const RETRIES_PER_SWEEP = 200;

/** Some agent was sent a notification that has not failed (or nobody was tried yet). */
export async function anyAgentReachable(ctx: AppContext, conversationId: string): Promise<boolean> {
  const rows = await ctx.db.selectFrom('handover_notifications').select(['path', 'failed_at']).where('conversation_id', '=', conversationId).execute();
  return rows.length === 0 || rows.some((r) => r.path !== 'skipped' && !r.failed_at);
}

/**
 * The number that writes to this agent about a conversation: its own sender while that may write
 * free-form to them, else the other number their notification came from (their window is open there).
 */
export async function senderForAgent(ctx: AppContext, conversationId: string, agent: string, assigned: NumberRow): Promise<NumberRow> {
  if (await windowOpen(ctx, assigned, agent)) return assigned;
  const detour = await ctx.db
    .selectFrom('handover_notifications as n')
    .innerJoin('numbers as x', 'x.id', 'n.number_id')
    .selectAll('x')
    .where('n.conversation_id', '=', conversationId)
    .where('n.agent_number', '=', agent)
    .where('n.path', '=', 'other_sender')
    .where('n.failed_at', 'is', null)
    .orderBy('n.created_at', 'desc')
    .executeTakeFirst();
  return detour ?? assigned;
}
