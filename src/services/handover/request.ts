// A visitor asks for a human: choose the sender, notify every agent from it, and from then on
// forward each visitor message to the agent's phone. With one chat per agent, later visitors wait
// in line and are connected when an earlier conversation closes.
import { AppError, notFound, unavailable } from '../../core/errors.js';
import { forwardedVisitorMessage, handoverNotification, visitorText } from '../../core/handover-text.js';
import { HUMAN_STATUSES, humanHasIt } from '../../core/status.js';
import { isWithinWorkingHours, nextOpening } from '../../core/working-hours.js';
import type { Conversation, Message, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { openConversationFor } from '../conversations/conversations.js';
import { postToVisitor, publishVisitorStatus, type VisitorMedia } from '../widgets/visitor-outbound.js';
import { loadWidget, readWidgetSettings, type WidgetSettings } from '../widgets/settings.js';
import { activeAgentNumbers } from '../agents/agents.js';
import { asksForHuman } from '../../core/intent.js';
import { agentsOf, findSenderNumber, type Handover, involvedAgents, loadHandover, sendToAgent } from './agents.js';
import { tellCustomer } from './customer.js';
import { claimSender, type SenderClaim } from './senders.js';
import { commandsLineDue } from './commands-line.js';
import { handoverTemplateFor } from './templates.js';

export interface HandoverResult {
  conversationRef: number;
  /** null while the visitor waits in line for a free agent */
  assignedWhatsappNumber: string | null;
}

/** `POST /api/widget/sessions/:sessionId/handover`. Asking again while handed over changes nothing. */
export async function requestHandover(ctx: AppContext, sessionId: string): Promise<HandoverResult> {
  const session = await ctx.db.selectFrom('widget_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  if (!session) throw notFound('Session');
  const widget = await loadWidget(ctx, session.widget_id);
  const settings = readWidgetSettings(widget);
  const conversation = await openConversationFor(ctx, {
    organizationId: session.organization_id,
    contactId: session.contact_id,
    channel: 'widget',
    widgetId: widget.id,
  });
  if (humanHasIt(conversation.status)) return result(conversation);
  if (!isWithinWorkingHours(settings.workingHours, ctx.clock.now())) {
    const back = settings.offlineMessage ?? visitorText.outsideHours(nextOpening(settings.workingHours!, ctx.clock.now()));
    throw new AppError(409, 'OUTSIDE_WORKING_HOURS', back);
  }
  if (settings.agentWhatsappNumbers.length === 0) {
    throw unavailable('No agent can be reached: this chat has no agents set up yet.', 'NO_AGENTS');
  }
  if ((await activeAgentNumbers(ctx.db, widget.organization_id, settings.agentWhatsappNumbers)).length === 0) {
    throw unavailable(
      "No agent can be reached: none of this chat's agents has confirmed their WhatsApp number yet (each sends ACCEPT with the organization's code from their own phone).",
      'NO_AGENTS',
    );
  }
  const claim = await connect(ctx, widget, settings, conversation.id);
  if (claim.kind === 'assigned' && !claim.reached) throw unavailable(visitorText.noAgentReachable, 'NO_AGENT_REACHABLE');
  return result(claim.conversation);
}

const result = (c: Conversation): HandoverResult => ({ conversationRef: c.ref, assignedWhatsappNumber: c.assigned_whatsapp_number });

type Connected = Exclude<SenderClaim, { kind: 'assigned' }> | (Extract<SenderClaim, { kind: 'assigned' }> & { reached: boolean });

/** Claims a sender and notifies the agents, or puts the visitor in line and tells them their place. */
async function connect(ctx: AppContext, widget: Widget, settings: WidgetSettings, conversationId: string): Promise<Connected> {
  const claim = await claimSender(ctx, widget, settings, conversationId);
  if (claim.kind === 'unchanged') return claim;
  if (claim.kind === 'queued') {
    if (claim.already) return claim; // told their place when they joined the line
    const place = await placeInLine(ctx, claim.conversation);
    await postToVisitor(ctx, claim.conversation, { author: 'system', text: visitorText.queued(place) });
    await publishStatus(ctx, claim.conversation);
    return claim;
  }
  const handover = (await loadHandover(ctx, claim.conversation.id))!;
  const reached = await notifyAgents(ctx, handover, claim);
  if (!reached) {
    await giveBackToBot(ctx, claim.conversation);
    return { ...claim, reached };
  }
  await postToVisitor(ctx, claim.conversation, { author: 'system', text: visitorText.connecting, idempotencyKey: `handover-connecting:${claim.assignmentId}` });
  await publishStatus(ctx, claim.conversation);
  return { ...claim, reached };
}

/** What a notification needs of the claimed sender. */
export type AgentSender = Pick<Extract<SenderClaim, { kind: 'assigned' }>, 'number' | 'phone' | 'agents' | 'assignmentId'>;

/** The notification to each agent; true when at least one could be sent to. */
export async function notifyAgents(ctx: AppContext, handover: Handover, claim: AgentSender): Promise<boolean> {
  const lastMessage = await lastCustomerMessage(ctx, handover.conversation);
  const template = await handoverTemplateFor(ctx, claim.number, handover.widget ? handover.settings : null, {
    visitorName: handover.visitorName,
    ref: `#${handover.ref}`,
    excerpt: lastMessage ?? '',
    session: handover.sessionId ?? handover.customerAddress ?? '',
  });
  const busy = await agentsBusyOn(ctx, claim.phone, handover.conversation.id);
  let reached = false;
  for (const agent of claim.agents.filter((a) => handover.agents.includes(a))) {
    // "Reply in this chat" only where a reply without a prefix can mean this conversation alone.
    const text = handoverNotification({ ...handover, lastMessage, replyHere: !busy.has(agent), withCommands: await commandsLineDue(ctx, agent) });
    const sent = await sendToAgent(ctx, {
      sender: claim.number,
      agent,
      organizationId: handover.conversation.organization_id,
      conversationId: handover.conversation.id,
      text,
      template,
      idempotencyKey: `handover:${claim.assignmentId}:${agent}`,
    });
    reached ||= sent;
  }
  return reached;
}

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

const describeMedia = (media: VisitorMedia | null) => (media ? `📎 ${media.filename ?? media.type}` : null);

/** No agent could be reached: the bot answers again and the number is free for someone else. */
export async function giveBackToBot(ctx: AppContext, conversation: Conversation): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .updateTable('conversations')
    .set({ status: 'bot', assigned_whatsapp_number: null, agent_number: null })
    .where('id', '=', conversation.id)
    .execute();
  await ctx.db
    .updateTable('handover_assignments')
    .set({ released_at: now })
    .where('conversation_id', '=', conversation.id)
    .where('released_at', 'is', null)
    .execute();
  await publishStatus(ctx, { ...conversation, status: 'bot' });
}

/**
 * Notifications that failed after being accepted (Twilio reports 63016, Meta 131047, in a status
 * callback): once every agent's has failed, the visitor is told and the bot has them again.
 */
export async function releaseUnreachableHandovers(ctx: AppContext): Promise<number> {
  const waiting = await ctx.db
    .selectFrom('handover_assignments as a')
    .innerJoin('conversations as c', 'c.id', 'a.conversation_id')
    .selectAll('c')
    .select('a.id as assignment_id')
    .where('a.released_at', 'is', null)
    .where('c.status', '=', 'waiting_agent')
    .execute();
  let released = 0;
  for (const { assignment_id, ...conversation } of waiting) {
    const notifications = await ctx.db.selectFrom('messages').select('status').where('idempotency_key', 'like', `handover:${assignment_id}:%`).execute();
    if (notifications.length === 0 || notifications.some((n) => n.status !== 'failed')) continue;
    await giveBackToBot(ctx, conversation);
    await tellCustomer(ctx, conversation, { author: 'system', text: visitorText.noAgentReachable, idempotencyKey: `handover-unreachable:${assignment_id}` });
    released++;
  }
  return released;
}

async function placeInLine(ctx: AppContext, conversation: Conversation): Promise<number> {
  const since = conversation.handed_over_at!;
  const ahead = await queue(ctx, conversation.widget_id!)
    .where((eb) => eb.or([eb('handed_over_at', '<', since), eb.and([eb('handed_over_at', '=', since), eb('ref', '<', conversation.ref)])]))
    .execute();
  return ahead.length + 1;
}

function queue(ctx: AppContext, widgetId: string) {
  return ctx.db
    .selectFrom('conversations')
    .select(['id', 'ref', 'handed_over_at'])
    .where('widget_id', '=', widgetId)
    .where('status', '=', 'waiting_agent')
    .where('assigned_whatsapp_number', 'is', null);
}

/** After a close: connect the visitors waiting in line, oldest first, while a sender is free. */
export async function connectWaitingVisitors(ctx: AppContext, widgetId: string): Promise<void> {
  const widget = await ctx.db.selectFrom('widgets').selectAll().where('id', '=', widgetId).executeTakeFirst();
  if (!widget) return;
  const settings = readWidgetSettings(widget);
  for (;;) {
    const next = await queue(ctx, widgetId).orderBy('handed_over_at').orderBy('ref').executeTakeFirst();
    if (!next) return;
    const claim = await connect(ctx, widget, settings, next.id);
    if (claim.kind === 'queued') return;
    if (claim.kind === 'assigned' && !claim.reached) {
      await postToVisitor(ctx, claim.conversation, { author: 'system', text: visitorText.noAgentReachable });
    }
  }
}

async function publishStatus(ctx: AppContext, conversation: Conversation): Promise<void> {
  const handover = await loadHandover(ctx, conversation.id);
  if (handover?.sessionId) await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: conversation.ref, conversationStatus: conversation.status });
}

/**
 * A visitor's (or WhatsApp customer's) message while a human has the conversation, to the agent's
 * phone as `#282 Viral tarpara: text` (with a visitor's attached file, if any): to the claiming
 * agent, or all before.
 */
export async function forwardCustomerMessage(ctx: AppContext, conversation: Conversation, message: Message): Promise<void> {
  // Waiting in line: the notification will carry the latest message when a sender is free.
  if (!conversation.assigned_whatsapp_number) return;
  // Written before the handover (its answer job ran late): the notification already quoted it.
  if (conversation.handed_over_at && message.created_at < conversation.handed_over_at) return;
  const handover = await loadHandover(ctx, conversation.id);
  if (!handover) return;
  const sender = await findSenderNumber(ctx.db, conversation.organization_id, conversation.assigned_whatsapp_number);
  if (!sender) {
    ctx.log.error({ conversationId: conversation.id }, 'the handover sender is no longer a known number; visitor message not forwarded');
    return;
  }
  const media = message.media ? (JSON.parse(message.media) as VisitorMedia) : null;
  const text = forwardedVisitorMessage(handover, message.body ?? describeMedia(media) ?? '');
  for (const agent of agentsOf(conversation, handover)) {
    await sendToAgent(ctx, {
      sender,
      agent,
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      text,
      // A WhatsApp customer's file is at the provider until copied: the agent gets its description.
      media:
        media?.url && conversation.channel === 'widget' ? { url: media.url, mimeType: media.mimeType, filename: media.filename, type: media.type } : undefined,
      idempotencyKey: `handover-forward:${message.id}:${agent}`,
    });
  }
}
