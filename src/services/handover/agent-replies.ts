// A message from an active agent's own WhatsApp to a handover sender (SPEC §8 "Agent replies"). It
// is placed by, in order: the swipe-reply, a `#282` / `@Name:` / `@visitor_…:` prefix, or the one
// open conversation with this agent on the number — never by guessing. A message with no usable
// prefix is held for the agent's numbered pick; one whose `#282` cannot be used gets a warning
// listing the agent's open conversations. Either way nothing reaches a visitor unasked.
import { parseAgentReply, type ReplyTarget, sameVisitorName } from '../../core/agent-reply.js';
import { agentText, commandHelp, openConversationList, unresolvedReplyWarning, whichConversation } from '../../core/handover-text.js';
import { toE164 } from '../../core/phone.js';
import { HUMAN_STATUSES, humanHasIt } from '../../core/status.js';
import type { Db } from '../../db/database.js';
import type { Message, NumberRow } from '../../db/schema.js';
import type { AppContext } from '../context.js';
import { publishVisitorStatus, type VisitorMedia } from '../widgets/visitor-outbound.js';
import { agentName } from '../agents/agents.js';
import { agentsOf, findSenderNumber, type Handover, loadHandover, loadHandovers, sendToAgent } from './handovers.js';
import { closeHandover } from './close.js';
import { type AgentScope, handoverInScope, inScope, openHandovers, scopeOn } from './agent-scope.js';
import { tellCustomer } from './customer.js';
import { agentAnswered } from '../knowledge/suggestions.js';
import { markLastBotAnswerWrong } from '../knowledge/wrong-answers.js';
import { handBackToBot } from './back-to-bot.js';
import { HELD_MINUTES, holdMessage, takeHeldMessage } from './held-messages.js';
import { answerWaitingVisitors } from './waiting.js';

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
  if (await answerWaitingVisitors(ctx, inbox)) return true;
  const mine = open.filter((h) => involves(h, agent));

  const reply = parseAgentReply(message.body ?? mediaOf(message)?.caption);
  if (reply.kind === 'help') {
    await tellAgent(ctx, inbox, commandHelp(mine[0]?.ref), 'help');
    return true;
  }
  if (reply.kind === 'list') {
    await tellAgent(ctx, inbox, openConversationList(mine.map(withOrganization(mine))), 'list');
    return true;
  }
  if (reply.kind === 'pick') {
    // A swipe-reply says where even a bare number goes; otherwise `2` only ever picks.
    const swiped = await swipedConversation(ctx, inbox);
    if (swiped) return act(ctx, inbox, swiped, 'message', { messageId: message.id, text: (message.body ?? '').trim(), media: mediaOf(message) });
    await pickConversation(ctx, inbox, reply.choice, mine);
    return true;
  }
  const placed = await place(ctx, inbox, reply.target, mine);
  if ('warning' in placed) {
    const listed = placed.listed ?? mine;
    // Held, not lost: a message that named no usable conversation waits for the agent's pick.
    if (reply.kind === 'message' && placed.hold && listed.length > 0) {
      await hold(ctx, inbox, reply.text, listed);
      return true;
    }
    await tellAgent(ctx, inbox, unresolvedReplyWarning(placed.warning, listed.map(withOrganization(listed))), 'warning');
    return true;
  }
  return act(ctx, inbox, placed.handover, reply.kind, { messageId: message.id, text: reply.kind === 'message' ? reply.text : '', media: mediaOf(message) });
}

/** What an agent wrote, to deliver: the message itself, or the one held for a pick. */
interface Written {
  messageId: number;
  text: string;
  media: VisitorMedia | undefined;
}

/** Carries out what the agent wrote on the conversation it was placed on. */
async function act(ctx: AppContext, inbox: AgentInbox, handover: Handover, kind: 'message' | 'close' | 'ai' | 'wrong', written: Written): Promise<boolean> {
  const { conversation } = handover;
  const { agent } = inbox;
  const claimedByOther = conversation.agent_number && conversation.agent_number !== agent;
  const refuse = async () =>
    tellAgent(ctx, inbox, agentText.refusedClaimed(handover, await agentName(ctx.db, conversation.organization_id, conversation.agent_number!)), 'refused');
  // A widget in scope through one notification (a detour, an escalation) lends none of its other conversations.
  if (!handover.agents.includes(agent) && conversation.agent_number !== agent) {
    const mine = inbox.open.filter((h) => involves(h, agent));
    await tellAgent(ctx, inbox, unresolvedReplyWarning(`#${handover.ref} is not one of your conversations.`, mine.map(withOrganization(mine))), 'warning');
    return true;
  }
  // The bot's answer stays wrong after the conversation moved on: marking it needs no open handover.
  if (kind === 'wrong') {
    if (claimedByOther) return refuse().then(() => true);
    const marked = await markLastBotAnswerWrong(ctx, conversation);
    await tellAgent(ctx, inbox, marked === 'no-answer' ? agentText.nothingToMark(handover) : agentText.markedWrong(handover, marked === 'answered'), 'wrong');
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
  if (claimedByOther) return refuse().then(() => true);
  if (kind === 'close') {
    await closeHandover(ctx, conversation.id, { by: 'agent', agent });
    return true;
  }
  if (kind === 'ai') {
    if (await handBackToBot(ctx, handover, { agent, messageId: inbox.message.id })) await tellAgent(ctx, inbox, agentText.backToBot(handover), 'ai');
    return true;
  }
  const { text, media } = written;
  if (!text && !media) return true; // `#282:` alone: nothing to deliver
  if (!(await claim(ctx, inbox, handover))) return true;
  const delivery = await tellCustomer(ctx, conversation, {
    author: 'agent',
    text: text || null,
    // The caption carried the prefix; the visitor gets the clean text once, beside the file.
    media: media ? { ...media, caption: undefined } : null,
    idempotencyKey: `agent-reply:${written.messageId}`,
    agent,
  });
  if (delivery === 'window_closed') await tellAgent(ctx, inbox, agentText.customerWindowClosed(handover), 'window-closed');
  else if (delivery === 'nothing') await tellAgent(ctx, inbox, agentText.onlyText(handover), 'only-text');
  else {
    await agentAnswered(ctx, conversation, text);
    if (written.messageId !== inbox.message.id) await tellAgent(ctx, inbox, agentText.heldDelivered(handover), 'held-sent');
  }
  return true;
}

/** At most this many conversations are offered: a pick is one digit. */
const MAX_CHOICES = 9;

async function hold(ctx: AppContext, inbox: AgentInbox, text: string, candidates: Handover[]): Promise<void> {
  const choices = candidates.slice(0, MAX_CHOICES).sort((a, b) => a.ref - b.ref);
  await holdMessage(
    ctx,
    { agent: inbox.agent, numberId: inbox.number.id },
    { messageId: inbox.message.id, text: text || null, choices: choices.map((h) => h.conversation.id) },
  );
  await tellAgent(ctx, inbox, whichConversation(choices.map(withOrganization(choices)), HELD_MINUTES), 'hold');
}

/** `1`: the held message goes to the first conversation listed — only while it is still open and this agent's. */
async function pickConversation(ctx: AppContext, inbox: AgentInbox, choice: number, mine: Handover[]): Promise<void> {
  const taken = await takeHeldMessage(ctx, { agent: inbox.agent, numberId: inbox.number.id }, choice);
  if (taken.kind === 'none') return tellAgent(ctx, inbox, agentText.nothingHeld(choice), 'nothing-held');
  if (taken.kind === 'out-of-range') return tellAgent(ctx, inbox, agentText.pickOutOfRange(taken.count), 'pick-range');
  const handover = mine.find((h) => h.conversation.id === taken.conversationId);
  if (!handover) {
    const gone = await loadHandover(ctx, taken.conversationId);
    await tellAgent(ctx, inbox, agentText.pickedGone(gone), 'pick-gone');
    return;
  }
  const original = await ctx.db.selectFrom('messages').selectAll().where('id', '=', taken.held.messageId).executeTakeFirst();
  await act(ctx, inbox, handover, 'message', { messageId: taken.held.messageId, text: taken.held.text ?? '', media: original ? mediaOf(original) : undefined });
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

/** A warning may list other conversations than the agent's own (the ambiguous ones, with their organization). */
/** `hold`: no usable prefix (none, or an unknown or ambiguous name): the message may wait for a pick. */
type Placed = { handover: Handover } | { warning: string; listed?: Handover[]; hold?: boolean };

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
  return { warning: 'Your message does not say which conversation it is for.', hold: true };
}

function names(h: Handover, target: ReplyTarget): boolean {
  if (target.by === 'ref') return h.ref === target.ref;
  if (target.by === 'name') return sameVisitorName(h.visitorName, target.name);
  if (target.by === 'session') return h.sessionId?.startsWith(target.sessionPrefix) ?? false;
  return false;
}

/** One match is the conversation; several are the pick's choices; none offers all of the agent's. */
const onlyOne = (matches: Handover[], warning: string): Placed =>
  matches.length === 1 ? { handover: matches[0]! } : { warning, hold: true, ...(matches.length > 1 ? { listed: matches } : {}) };

/**
 * The message an agent swiped to reply to. It went out from the number the reply came in on, so
 * through that number's provider: with the provider the lookup is the unique index
 * (provider, provider_message_id), never a scan of messages.
 */
export function swipedMessageQuery(db: Db, reply: { provider: string; providerMessageId: string; agent: string }) {
  return db
    .selectFrom('messages')
    .select('conversation_id')
    .where('provider', '=', reply.provider)
    .where('provider_message_id', '=', reply.providerMessageId)
    .where('direction', '=', 'out')
    .where('audience', '=', 'agent')
    .where('to_address', '=', reply.agent)
    .where('conversation_id', 'is not', null);
}

/** A swipe-reply to a notification or a forwarded visitor message goes to that message's conversation. */
async function swipedConversation(ctx: AppContext, inbox: AgentInbox): Promise<Handover | undefined> {
  const repliedTo = inbox.message.reply_to_provider_message_id;
  if (!repliedTo) return undefined;
  const original = await swipedMessageQuery(ctx.db, { provider: inbox.number.provider, providerMessageId: repliedTo, agent: inbox.agent }).executeTakeFirst();
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
    // `agent` with nobody named: the inbox answered it; an agent may still take it
    .where('status', 'in', [...HUMAN_STATUSES])
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
