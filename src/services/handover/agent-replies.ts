// A message from an active agent's own WhatsApp to a handover sender (SPEC §8 "Agent replies"). It
// is placed by, in order: the swipe-reply, a `#282` / `@Name:` / `@visitor_…:` prefix, or the one
// open conversation with this agent on the number — never by guessing. What cannot be placed is answered with a
// warning listing the agent's open conversations, and nothing reaches a visitor.
import { parseAgentReply, type ReplyTarget, sameVisitorName } from '../../core/agent-reply.js';
import { agentText, openConversationList, unresolvedReplyWarning } from '../../core/handover-text.js';
import { toE164 } from '../../core/phone.js';
import { HUMAN_STATUSES, humanHasIt } from '../../core/status.js';
import type { ExpressionBuilder } from 'kysely';
import type { Database, Message, NumberRow, Widget } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { publishVisitorStatus, type VisitorMedia } from '../widgets/visitor-outbound.js';
import { readWidgetSettings } from '../widgets/settings.js';
import { agentName } from '../agents/agents.js';
import { agentsOf, findSenderNumber, type Handover, loadHandover, loadHandovers, sendToAgent } from './agents.js';
import { closeHandover } from './close.js';
import { tellCustomer } from './customer.js';
import { agentAnswered } from '../knowledge/suggestions.js';

/**
 * Where an agent answers through one number: widgets that list them as active agent, and
 * organizations whose WhatsApp customers they answer (every active agent of the organization).
 */
interface AgentScope {
  widgets: Widget[];
  organizationIds: string[];
}

interface AgentInbox {
  agent: string;
  number: NumberRow & { phone_number: string };
  message: Message;
  scope: AgentScope;
  /** open handovers in the agent's scope, whoever claimed them */
  open: Handover[];
}

/**
 * True when the message is an agent's: the sender is an active agent of a widget that uses this
 * number to reach its agents. False leaves it an ordinary customer message of the number (an
 * invited agent, a stranger writing `#282: …`, a trial customer).
 */
export async function handleAgentMessage(ctx: AppContext, message: Message, number: NumberRow): Promise<boolean> {
  const agent = message.from_address ? toE164(message.from_address) : undefined;
  if (!agent || !number.phone_number) return false;
  const sender = { ...number, phone_number: number.phone_number };
  const scope = await scopeOn(ctx, agent, sender);
  if (scope.widgets.length === 0 && scope.organizationIds.length === 0) return false;
  const open = await openHandovers(ctx, scope);
  // The shared trial number carries handovers too: there an agent is answering only with an open
  // handover on it; any other message of theirs is a trial customer's (join routing).
  if (number.is_shared_trial && !open.some((h) => h.conversation.assigned_whatsapp_number === sender.phone_number && involves(h, agent))) return false;
  const inbox: AgentInbox = { agent, number: sender, message, scope, open };
  const mine = open.filter((h) => involves(h, agent));

  const reply = parseAgentReply(message.body ?? mediaOf(message)?.caption);
  if (reply.kind === 'list') {
    await tellAgent(ctx, inbox, openConversationList(mine.map(withOrganization(mine))), 'list');
    return true;
  }
  const placed = await place(ctx, inbox, reply.target, mine);
  if ('warning' in placed) {
    const listed = placed.listed ?? mine;
    await tellAgent(ctx, inbox, unresolvedReplyWarning(placed.warning, listed.map(withOrganization(listed))), 'warning');
    return true;
  }
  const handover = placed.handover;
  const { conversation } = handover;
  // A widget in scope through one notification (a detour, an escalation) lends none of its other conversations.
  if (!handover.agents.includes(agent) && conversation.agent_number !== agent) {
    await tellAgent(ctx, inbox, unresolvedReplyWarning(`#${handover.ref} is not one of your conversations.`, mine.map(withOrganization(mine))), 'warning');
    return true;
  }
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
    await tellAgent(
      ctx,
      inbox,
      agentText.refusedClaimed(handover, await agentName(ctx.db, conversation.organization_id, conversation.agent_number)),
      'refused',
    );
    return true;
  }
  if (reply.kind === 'close') {
    await closeHandover(ctx, conversation.id, { by: 'agent', agent });
    return true;
  }
  const media = mediaOf(message);
  if (!reply.text && !media) return true; // `#282:` alone: nothing to deliver
  if (!(await claim(ctx, inbox, handover))) return true;
  const delivery = await tellCustomer(ctx, conversation, {
    author: 'agent',
    text: reply.text || null,
    // The caption carried the prefix; the visitor gets the clean text once, beside the file.
    media: media ? { ...media, caption: undefined } : null,
    idempotencyKey: `agent-reply:${message.id}`,
    agent,
  });
  if (delivery === 'window_closed') await tellAgent(ctx, inbox, agentText.customerWindowClosed(handover), 'window-closed');
  else if (delivery === 'nothing') await tellAgent(ctx, inbox, agentText.onlyText(handover), 'only-text');
  else await agentAnswered(ctx, conversation, reply.text);
  return true;
}

/** The agent is one this conversation is waiting for, or the one who took it. */
function involves(h: Handover, agent: string): boolean {
  return h.conversation.agent_number ? h.conversation.agent_number === agent : h.agents.includes(agent);
}

/** Conversations of several organizations are listed with their organization's name. */
function withOrganization(list: Handover[]) {
  const several = new Set(list.map((h) => h.conversation.organization_id)).size > 1;
  return (h: Handover) => ({ ref: h.ref, visitorName: h.visitorName, inOrganization: several ? h.organizationName : undefined });
}

/**
 * Where this active agent answers through this number: a number of the organization's own, or a
 * platform number that a widget names or that carries handovers of the widget or of the
 * organization's WhatsApp customers.
 */
async function scopeOn(ctx: AppContext, agent: string, number: NumberRow & { phone_number: string }): Promise<AgentScope> {
  const memberships = await ctx.db.selectFrom('agents').select('organization_id').where('number', '=', agent).where('status', '=', 'active').execute();
  // Another organization's number is never a widget's sender (senders are checked when saved).
  const organizationIds = memberships.map((m) => m.organization_id).filter((id) => number.organization_id === null || number.organization_id === id);
  if (organizationIds.length === 0) return { widgets: [], organizationIds: [] };
  const whatsapp =
    number.organization_id !== null
      ? organizationIds
      : (
          await ctx.db
            .selectFrom('conversations')
            .select('organization_id')
            .distinct()
            .where('organization_id', 'in', organizationIds)
            .where('channel', '=', 'whatsapp')
            .where('assigned_whatsapp_number', '=', number.phone_number)
            .execute()
        ).map((c) => c.organization_id);
  // A notification sent from this number about a conversation carried by another (the agent's window
  // is open here, not there; or an escalation): a `#282:` reply from here reaches it too.
  const detours = await ctx.db
    .selectFrom('handover_notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversation_id')
    .select(['c.widget_id', 'c.organization_id'])
    .distinct()
    .where('n.agent_number', '=', agent)
    .where('n.number_id', '=', number.id)
    .where('n.path', '!=', 'skipped')
    .where('c.organization_id', 'in', organizationIds)
    .where('c.status', 'in', [...HUMAN_STATUSES])
    .execute();
  const widgets = await widgetsServedBy(ctx, agent, number, organizationIds);
  const detourWidgetIds = [...new Set(detours.flatMap((d) => (d.widget_id && !widgets.some((w) => w.id === d.widget_id) ? [d.widget_id] : [])))];
  if (detourWidgetIds.length > 0) widgets.push(...(await ctx.db.selectFrom('widgets').selectAll().where('id', 'in', detourWidgetIds).execute()));
  const detourOrganizations = detours.flatMap((d) => (d.widget_id ? [] : [d.organization_id]));
  return { widgets, organizationIds: [...new Set([...whatsapp, ...detourOrganizations])] };
}

/** Widgets that list this agent and reach their agents through this number. */
async function widgetsServedBy(ctx: AppContext, agent: string, number: NumberRow & { phone_number: string }, organizationIds: string[]): Promise<Widget[]> {
  // The settings text holds the agent's E.164 in quotes; the JSON is then read properly.
  const listing = await ctx.db
    .selectFrom('widgets')
    .selectAll()
    .where('organization_id', 'in', organizationIds)
    .where('settings', 'like', `%"${agent}"%`)
    .execute();
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
  return widgets.filter(
    (w) =>
      inPool.some((p) => p.widget_id === w.id) ||
      readWidgetSettings(w).handoverWhatsappNumber === number.phone_number ||
      w.organization_id === number.organization_id ||
      // the platform's default sender carries the handovers of widgets that have no number of their own
      carried.some((c) => c.widget_id === w.id),
  );
}

/** Conversations of the agent's widgets, or WhatsApp conversations of the organizations they answer for. */
function inScope(scope: AgentScope) {
  return (eb: ExpressionBuilder<Database, 'conversations'>) => {
    const parts = [];
    if (scope.widgets.length > 0) {
      parts.push(
        eb(
          'widget_id',
          'in',
          scope.widgets.map((w) => w.id),
        ),
      );
    }
    if (scope.organizationIds.length > 0) parts.push(eb.and([eb('channel', '=', 'whatsapp'), eb('organization_id', 'in', scope.organizationIds)]));
    return eb.or(parts);
  };
}

const handoverInScope = (scope: AgentScope, h: Handover) =>
  h.widget ? scope.widgets.some((w) => w.id === h.widget!.id) : scope.organizationIds.includes(h.conversation.organization_id);

async function openHandovers(ctx: AppContext, scope: AgentScope): Promise<Handover[]> {
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where(inScope(scope))
    .where('status', 'in', [...HUMAN_STATUSES])
    .where('assigned_whatsapp_number', 'is not', null)
    .orderBy('ref', 'desc')
    .execute();
  return loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
}

/** A warning may list other conversations than the agent's own (the ambiguous ones, with their organization). */
type Placed = { handover: Handover } | { warning: string; listed?: Handover[] };

async function place(ctx: AppContext, inbox: AgentInbox, target: ReplyTarget | null, mine: Handover[]): Promise<Placed> {
  // Something that starts like a reference but is not one is asked again, even on a swipe-reply.
  if (target?.by === 'unclear') return { warning: `"${target.start}" is not a conversation number.` };
  const swiped = await swipedConversation(ctx, inbox);
  // The swipe places a message without a prefix, or confirms the one its prefix names (the same
  // #1 of two organizations on a shared sender); a prefix naming another conversation wins.
  if (swiped && (!target || names(swiped, target))) return { handover: swiped };
  if (target?.by === 'ref') return byRef(ctx, inbox, target.ref);
  if (target?.by === 'name') {
    return onlyOne(
      mine.filter((h) => sameVisitorName(h.visitorName, target.name)),
      `No single open conversation has a visitor named "${target.name}".`,
    );
  }
  if (target?.by === 'session') {
    return onlyOne(
      mine.filter((h) => h.sessionId?.startsWith(target.sessionPrefix)),
      `No single open conversation has a session starting with ${target.sessionPrefix}.`,
    );
  }
  // No prefix: only when this number carries exactly one open conversation with this agent can it mean that one.
  const onThisNumber = mine.filter((h) => h.conversation.assigned_whatsapp_number === inbox.number.phone_number);
  if (onThisNumber.length === 1) return { handover: onThisNumber[0]! };
  return { warning: 'Your message does not say which conversation it is for.' };
}

function names(h: Handover, target: ReplyTarget): boolean {
  if (target.by === 'ref') return h.ref === target.ref;
  if (target.by === 'name') return sameVisitorName(h.visitorName, target.name);
  if (target.by === 'session') return h.sessionId?.startsWith(target.sessionPrefix) ?? false;
  return false;
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
  return handover && handoverInScope(inbox.scope, handover) ? handover : undefined;
}

/**
 * `#282`: first among the open conversations on this number of the agent's widgets (several
 * organizations may each have a #282 there: more than one is the warning, listing them); else the
 * agent's widgets' conversation 282 anywhere, closed ones too, so the agent learns it is closed.
 * Never any other conversation.
 */
async function byRef(ctx: AppContext, inbox: AgentInbox, ref: number): Promise<Placed> {
  const here = inbox.open.filter((h) => h.ref === ref && h.conversation.assigned_whatsapp_number === inbox.number.phone_number);
  if (here.length === 1) return { handover: here[0]! };
  const ambiguous = (listed: Handover[]): Placed => ({
    warning: `#${ref} is open in ${new Set(listed.map((h) => h.organizationName)).size > 1 ? 'several organizations' : 'several conversations'}; nothing was delivered. Swipe-reply to its notification to answer it.`,
    listed,
  });
  if (here.length > 1) return ambiguous(here);
  const rows = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where(inScope(inbox.scope))
    .where('ref', '=', ref)
    .where('handed_over_at', 'is not', null)
    .execute();
  const found = await loadHandovers(
    ctx,
    rows.map((r) => r.id),
  );
  if (found.length === 1) return { handover: found[0]! };
  const open = found.filter((h) => humanHasIt(h.conversation.status));
  if (open.length === 1) return { handover: open[0]! };
  if (found.length > 1) return ambiguous(open.length > 1 ? open : found);
  return { warning: `#${ref} is not one of your conversations.` };
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
    const note = now.agent_number
      ? agentText.refusedClaimed(handover, await agentName(ctx.db, conversation.organization_id, now.agent_number))
      : agentText.alreadyClosed(handover);
    await tellAgent(ctx, inbox, note, 'refused');
    return false;
  }
  if (handover.sessionId) await publishVisitorStatus(ctx, handover.sessionId, { conversationRef: conversation.ref, conversationStatus: 'agent' });
  // The others were notified from the conversation's sender; they hear who took it in that chat.
  const assigned = conversation.assigned_whatsapp_number!;
  const sender = assigned === inbox.number.phone_number ? inbox.number : await findSenderNumber(ctx.db, conversation.organization_id, assigned);
  if (!sender) return true;
  const name = await agentName(ctx.db, conversation.organization_id, inbox.agent);
  for (const other of agentsOf({ agent_number: null }, handover).filter((a) => a !== inbox.agent)) {
    await sendToAgent(ctx, {
      sender,
      agent: other,
      organizationId: conversation.organization_id,
      conversationId: conversation.id,
      text: agentText.claimedByOther(handover, name),
      idempotencyKey: `handover-claimed:${conversation.id}:${other}`,
    });
  }
  return true;
}

/** An answer to the agent on the number they wrote to; keyed by their message, so a retried job says it once. */
async function tellAgent(ctx: AppContext, inbox: AgentInbox, text: string, kind: string): Promise<void> {
  // On a shared sender the note belongs to the organization it is about, else to the agent's first one.
  const about = inbox.open.find((h) => involves(h, inbox.agent) && h.conversation.assigned_whatsapp_number === inbox.number.phone_number);
  await sendToAgent(ctx, {
    sender: inbox.number,
    agent: inbox.agent,
    organizationId:
      inbox.number.organization_id ?? about?.conversation.organization_id ?? inbox.scope.widgets[0]?.organization_id ?? inbox.scope.organizationIds[0]!,
    conversationId: null,
    text,
    idempotencyKey: `agent-note:${inbox.message.id}:${kind}`,
  });
}

function mediaOf(message: Message): VisitorMedia | undefined {
  return message.media ? (JSON.parse(message.media) as VisitorMedia) : undefined;
}
