// A message from an agent's own WhatsApp to a handover sender (SPEC §8 "Agent replies"). It is
// placed by, in order: the swipe-reply, a `#282:` / `@Name:` / `@visitor_…:` prefix, or the one
// open conversation of a pool number — never by guessing. What cannot be placed is answered with a
// warning listing the agent's open conversations, and nothing reaches a visitor.
import { parseAgentReply, type ReplyTarget, sameVisitorName } from '../../core/agent-reply.js';
import { agentText, openConversationList, unresolvedReplyWarning } from '../../core/handover-text.js';
import { toE164 } from '../../core/phone.js';
import { HUMAN_STATUSES } from '../../core/status.js';
import type { Message, NumberRow, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { postToVisitor, publishVisitorStatus, type VisitorMedia } from '../widgets/visitor-outbound.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { agentsOf, findSenderNumber, type Handover, loadHandover, loadHandovers, sendToAgent } from './agents.js';
import { closeHandover } from './close.js';
import { agentAnswered } from '../knowledge/suggestions.js';

interface AgentInbox {
  agent: string;
  number: NumberRow & { phone_number: string };
  message: Message;
  widgets: Widget[];
  /** open handovers of the agent's widgets, whoever claimed them */
  open: Handover[];
}

/**
 * True when the message is an agent's (the sender is listed as an agent of a widget that uses this
 * number to reach its agents); false leaves it an ordinary customer message of the number.
 */
export async function handleAgentMessage(ctx: AppContext, message: Message, number: NumberRow): Promise<boolean> {
  const agent = message.from_address ? toE164(message.from_address) : undefined;
  if (!agent || !number.phone_number) return false;
  const widgets = await widgetsServedBy(ctx, agent, { ...number, phone_number: number.phone_number });
  if (widgets.length === 0) return false;
  const inbox: AgentInbox = { agent, number: { ...number, phone_number: number.phone_number }, message, widgets, open: await openHandovers(ctx, widgets) };
  const mine = inbox.open.filter((h) => !h.conversation.agent_number || h.conversation.agent_number === agent);

  const reply = parseAgentReply(message.body ?? mediaOf(message)?.caption);
  if (reply.kind === 'list') {
    await tellAgent(ctx, inbox, openConversationList(mine), 'list');
    return true;
  }
  const placed = await place(ctx, inbox, reply.target, mine);
  if ('warning' in placed) {
    await tellAgent(ctx, inbox, unresolvedReplyWarning(placed.warning, mine), 'warning');
    return true;
  }
  const handover = placed.handover;
  const { conversation } = handover;
  if (conversation.status === 'closed') {
    await tellAgent(ctx, inbox, agentText.alreadyClosed(handover), 'closed');
    return true;
  }
  // Given back to the bot, or still waiting in line for a free sender.
  if (conversation.status === 'bot' || !conversation.assigned_whatsapp_number) {
    await tellAgent(ctx, inbox, agentText.notWaiting(handover), 'not-waiting');
    return true;
  }
  if (conversation.agent_number && conversation.agent_number !== agent) {
    await tellAgent(ctx, inbox, agentText.refusedClaimed(handover, conversation.agent_number), 'refused');
    return true;
  }
  if (reply.kind === 'close') {
    await closeHandover(ctx, conversation.id, { by: 'agent', agent });
    return true;
  }
  const media = mediaOf(message);
  if (!reply.text && !media) return true; // `#282:` alone: nothing to deliver
  if (!(await claim(ctx, inbox, handover))) return true;
  await postToVisitor(ctx, conversation, {
    author: 'agent',
    text: reply.text || null,
    // The caption carried the prefix; the visitor gets the clean text once, beside the file.
    media: media ? { ...media, caption: undefined } : null,
    idempotencyKey: `agent-reply:${message.id}`,
  });
  await agentAnswered(ctx, conversation, reply.text);
  return true;
}

/** Widgets listing this agent that reach their agents through this number. */
async function widgetsServedBy(ctx: AppContext, agent: string, number: NumberRow & { phone_number: string }): Promise<Widget[]> {
  // The settings text holds the agent's E.164 in quotes; the JSON is then read properly.
  const listing = await ctx.db.selectFrom('widgets').selectAll().where('settings', 'like', `%"${agent}"%`).execute();
  const widgets = listing.filter((w) => readWidgetSettings(w).agentWhatsappNumbers.includes(agent));
  if (widgets.length === 0) return [];
  const ids = widgets.map((w) => w.id);
  const inPool = await ctx.db.selectFrom('pool_numbers').select('widget_id').where('widget_id', 'in', ids).where('number', '=', number.phone_number).execute();
  const carried = await ctx.db
    .selectFrom('conversations')
    .select('widget_id')
    .distinct()
    .where('widget_id', 'in', ids)
    .where('assigned_whatsapp_number', '=', number.phone_number)
    .execute();
  // A widget never sends from another organization's number (senders.ts), so such a number is not its sender either.
  const usable = widgets.filter((w) => number.organization_id === null || number.organization_id === w.organization_id);
  return usable.filter(
    (w) =>
      inPool.some((p) => p.widget_id === w.id) ||
      readWidgetSettings(w).handoverWhatsappNumber === number.phone_number ||
      w.organization_id === number.organization_id ||
      // the platform's default sender carries the handovers of widgets that have no number of their own
      carried.some((c) => c.widget_id === w.id),
  );
}

async function openHandovers(ctx: AppContext, widgets: Widget[]): Promise<Handover[]> {
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where(
      'widget_id',
      'in',
      widgets.map((w) => w.id),
    )
    .where('status', 'in', [...HUMAN_STATUSES])
    .where('assigned_whatsapp_number', 'is not', null)
    .orderBy('ref', 'desc')
    .execute();
  return loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
}

type Placed = { handover: Handover } | { warning: string };

async function place(ctx: AppContext, inbox: AgentInbox, target: ReplyTarget | null, mine: Handover[]): Promise<Placed> {
  const swiped = await swipedConversation(ctx, inbox);
  if (swiped) return { handover: swiped };
  if (target?.by === 'ref') return byRef(ctx, inbox, target.ref);
  if (target?.by === 'name') {
    return onlyOne(
      inbox.open.filter((h) => sameVisitorName(h.visitorName, target.name)),
      `No single open conversation has a visitor named "${target.name}".`,
    );
  }
  if (target?.by === 'session') {
    return onlyOne(
      inbox.open.filter((h) => h.sessionId.startsWith(target.sessionPrefix)),
      `No single open conversation has a session starting with ${target.sessionPrefix}.`,
    );
  }
  const onThisNumber = mine.filter((h) => h.conversation.assigned_whatsapp_number === inbox.number.phone_number);
  const isPoolNumber = await ctx.db
    .selectFrom('pool_numbers')
    .select('id')
    .where(
      'widget_id',
      'in',
      inbox.widgets.map((w) => w.id),
    )
    .where('number', '=', inbox.number.phone_number)
    .executeTakeFirst();
  if (isPoolNumber && onThisNumber.length === 1) return { handover: onThisNumber[0]! };
  return { warning: 'Your message does not say which conversation it is for.' };
}

const onlyOne = (matches: Handover[], warning: string): Placed => (matches.length === 1 ? { handover: matches[0]! } : { warning });

/** A swipe-reply to a notification or a forwarded visitor message goes to that message's conversation. */
async function swipedConversation(ctx: AppContext, inbox: AgentInbox): Promise<Handover | undefined> {
  const repliedTo = inbox.message.reply_to_provider_message_id;
  if (!repliedTo) return undefined;
  const original = await ctx.db
    .selectFrom('messages')
    .select('conversation_id')
    .where('provider_message_id', '=', repliedTo)
    .where('direction', '=', 'out')
    .where('audience', '=', 'agent')
    .where('to_address', '=', inbox.agent)
    .where('conversation_id', 'is not', null)
    .executeTakeFirst();
  const handover = original ? await loadHandover(ctx, original.conversation_id!) : undefined;
  return handover && inbox.widgets.some((w) => w.id === handover.widget.id) ? handover : undefined;
}

/** `#282`: the agent's organization's conversation 282 (closed ones too, so the agent learns it is closed). */
async function byRef(ctx: AppContext, inbox: AgentInbox, ref: number): Promise<Placed> {
  const rows = await ctx.db
    .selectFrom('conversations')
    .select(['id', 'assigned_whatsapp_number', 'handed_over_at'])
    .where(
      'widget_id',
      'in',
      inbox.widgets.map((w) => w.id),
    )
    .where('ref', '=', ref)
    .where('handed_over_at', 'is not', null)
    .execute();
  // Two organizations may both have a #282 for an agent of both: the one on this number decides.
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.assigned_whatsapp_number === inbox.number.phone_number);
  const handover = row ? await loadHandover(ctx, row.id) : undefined;
  return handover ? { handover } : { warning: `#${ref} is not one of your conversations.` };
}

/** The first agent to answer takes the conversation; the others are told who did. */
async function claim(ctx: AppContext, inbox: AgentInbox, handover: Handover): Promise<boolean> {
  const { conversation } = handover;
  if (conversation.agent_number === inbox.agent) return true;
  const taken = await ctx.db
    .updateTable('conversations')
    .set({ agent_number: inbox.agent, status: 'agent' })
    .where('id', '=', conversation.id)
    .where('agent_number', 'is', null)
    .where('status', '=', 'waiting_agent')
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 0) {
    const now = await ctx.db.selectFrom('conversations').select(['agent_number', 'status']).where('id', '=', conversation.id).executeTakeFirstOrThrow();
    if (now.agent_number === inbox.agent) return true;
    const note = now.agent_number ? agentText.refusedClaimed(handover, now.agent_number) : agentText.alreadyClosed(handover);
    await tellAgent(ctx, inbox, note, 'refused');
    return false;
  }
  await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: conversation.ref, conversationStatus: 'agent' });
  // The others were notified from the conversation's sender; they hear who took it in that chat.
  const assigned = conversation.assigned_whatsapp_number!;
  const sender = assigned === inbox.number.phone_number ? inbox.number : await findSenderNumber(ctx.db, conversation.organization_id, assigned);
  if (!sender) return true;
  for (const other of agentsOf({ agent_number: null }, handover.settings).filter((a) => a !== inbox.agent)) {
    await sendToAgent(ctx, {
      sender,
      agent: other,
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      text: agentText.claimedByOther(handover, inbox.agent),
      idempotencyKey: `handover-claimed:${conversation.id}:${other}`,
    });
  }
  return true;
}

/** An answer to the agent on the number they wrote to; keyed by their message, so a retried job says it once. */
async function tellAgent(ctx: AppContext, inbox: AgentInbox, text: string, kind: string): Promise<void> {
  await sendToAgent(ctx, {
    sender: inbox.number,
    agent: inbox.agent,
    organizationId: inbox.widgets[0]!.organization_id,
    conversationId: null,
    text,
    idempotencyKey: `agent-note:${inbox.message.id}:${kind}`,
  });
}

function mediaOf(message: Message): VisitorMedia | undefined {
  return message.media ? (JSON.parse(message.media) as VisitorMedia) : undefined;
}
