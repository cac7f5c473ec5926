// A visitor asks for a human: choose the sender, notify every agent (notify.ts: by the path WhatsApp
// allows for each), and from then on forward each visitor message to the agent's phone. A visitor
// no agent can be written to now keeps waiting, visibly, rather than going back to the bot. With one chat per agent, later visitors wait
// in line and are connected when an earlier conversation closes.
import { AppError, notFound, unavailable } from '../../core/errors.js';
import { forwardedVisitorMessage, visitorText } from '../../core/handover-text.js';
import { HUMAN_STATUSES, humanHasIt } from '../../core/status.js';
import { isWithinWorkingHours, nextOpening } from '../../core/working-hours.js';
import type { Conversation, Message, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { openConversationFor } from '../conversations/conversations.js';
import { postToVisitor, publishVisitorStatus, type VisitorMedia } from '../widgets/visitor-outbound.js';
import { loadWidget, readWidgetSettings, type WidgetSettings } from '../widgets/settings.js';
import { activeAgentNumbers } from '../agents/agents.js';
import { agentsOf, findSenderNumber, loadHandover, sendToAgent } from './handovers.js';
import { describeMedia, notifyAgents, senderForAgent } from './notify.js';
import { windowOpen } from './windows.js';
import { claimSender, releaseAssignment, type SenderClaim } from './senders.js';

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
  // Agents exist: whether or not one can be written to now, the visitor waits, visibly (never a 503).
  const claim = await connect(ctx, widget, settings, conversation.id);
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
  // No path to any agent now: the visitor is told, and keeps waiting in the inbox for the first agent who writes in.
  const note = reached
    ? { text: visitorText.connecting, idempotencyKey: `handover-connecting:${claim.assignmentId}` }
    : { text: visitorText.noAgentReachable, idempotencyKey: `handover-unreachable:${claim.assignmentId}` };
  await postToVisitor(ctx, claim.conversation, { author: 'system', ...note });
  await publishStatus(ctx, claim.conversation);
  return { ...claim, reached };
}

/**
 * Back to the bot (an agent's `#282 /ai`, or handed back from the inbox): the bot answers again and
 * the number is free for someone else. False when a person no longer had it (closed or given back
 * meanwhile): then nothing changes.
 */
export async function giveBackToBot(ctx: AppContext, conversation: Conversation): Promise<boolean> {
  const updated = await ctx.db
    .updateTable('conversations')
    .set({ status: 'bot', assigned_whatsapp_number: null, agent_number: null })
    .where('id', '=', conversation.id)
    .where('status', 'in', [...HUMAN_STATUSES])
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await releaseAssignment(ctx, conversation.id);
  await publishStatus(ctx, { ...conversation, status: 'bot' });
  await ctx.bus.publish({
    channel: `org:${conversation.organization_id}`,
    type: 'conversation',
    data: { id: conversation.id, ref: conversation.ref, status: 'bot' },
  });
  return true;
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
    // An agent told from another number (their window with this one is closed) hears it there.
    const from = await senderForAgent(ctx, conversation.id, agent, sender);
    // WhatsApp would refuse it (an agent reached by template, or not at all, who has not written
    // since): nothing is sent to fail; the message waits in the inbox, and the agent's first message
    // opens the window for what follows.
    if (!(await windowOpen(ctx, from, agent))) continue;
    await sendToAgent(ctx, {
      sender: from,
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
