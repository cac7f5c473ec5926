// Every sentence the handover writes to agents and visitors, in one place so the wording stays
// consistent (and tests can assert the exact text the SPEC gives).

/** WhatsApp takes 4,096 characters of text; a quote in a notification needs far less. */
const MAX_MESSAGE = 4000;
const MAX_QUOTE = 1000;

/** Shortens text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * What a visitor typed, as one line: line breaks (and the other separators a phone shows as one)
 * become spaces, so a name or a message cannot add lines that look like the notification's own.
 */
export function oneLine(text: string): string {
  return text
    .replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** A visitor as agents and lists see them: their name, else `Visitor 3` (numbered within the organization). */
export function visitorLabel(name: string | null, visitorNumber: number | null): string {
  return name?.trim() || (visitorNumber ? `Visitor ${visitorNumber}` : 'Visitor');
}

export interface HandoverSummary {
  ref: number;
  visitorName: string;
  /** a website visitor's session id; null for a WhatsApp customer */
  sessionId: string | null;
  /** a WhatsApp customer's number (or WhatsApp username), shown where a visitor's session is */
  customerAddress?: string | null;
}

/** A WhatsApp customer as agents see them: their profile name, else their number. */
export function customerLabel(name: string | null, address: string | null): string {
  return name?.trim() || address || 'Customer';
}

/** The last line of a notification once a day, so the agent learns the commands without asking. */
export const commandsLine = (ref: number) => `Commands: #${ref}: reply · /list · #${ref} /close · #${ref} /ai · help`;

/** `help`: every command an agent can write from their phone. */
export function commandHelp(ref?: number): string {
  const n = ref ?? 282;
  return [
    'Commands (send them in this chat):',
    `#${n}: your message — answer conversation #${n}`,
    '/list — your open conversations',
    `#${n} /close — close conversation #${n}`,
    `#${n} /ai — hand #${n} back to the assistant`,
    `#${n} /wrong — the assistant's last answer in #${n} was wrong`,
    'help — this list',
    'Swipe-reply to a message of a conversation to answer it without a number.',
  ].join('\n');
}

/**
 * The notification each agent gets (SPEC §8, line for line). `replyHere`: the sender carries no
 * other open conversation with this agent, so a reply without a prefix can only mean this one.
 * `withCommands`: the agent has not been shown the commands today; the caller decides (and remembers).
 */
export function handoverNotification(
  h: HandoverSummary & { lastMessage: string | null; replyHere: boolean; withCommands?: boolean; carriedBy?: string },
): string {
  return [
    '🔔 Agent Handover Request',
    `👤 USER: ${oneLine(h.visitorName)}`,
    `🆔 ID: #${h.ref}`,
    h.sessionId !== null ? `📱 Session: ${h.sessionId}` : `📱 WhatsApp: ${oneLine(h.customerAddress ?? '')}`,
    `💬 ${h.lastMessage === null ? '(no message yet)' : clip(oneLine(h.lastMessage), MAX_QUOTE)}`,
    // Sent from another number whose window with the agent is open (SPEC §8 "The path of one notification").
    ...(h.carriedBy ? [`↪️ This conversation is on ${h.carriedBy}; a reply here with its number reaches the visitor too.`] : []),
    h.replyHere && !h.carriedBy ? 'Reply in this chat: your message' : `Reply with: #${h.ref}: your message`,
    ...(h.withCommands ? [commandsLine(h.ref)] : []),
  ].join('\n');
}

/** A visitor's message as the agent sees it, on one line: `#282 Viral tarpara: text`. */
export function forwardedVisitorMessage(h: Pick<HandoverSummary, 'ref' | 'visitorName'>, text: string): string {
  return clip(`#${h.ref} ${oneLine(h.visitorName)}: ${oneLine(text)}`, MAX_MESSAGE);
}

export function conversationLine(h: Pick<HandoverSummary, 'ref' | 'visitorName'> & { inOrganization?: string }): string {
  return `#${h.ref} ${oneLine(h.visitorName)}${h.inOrganization ? ` (${oneLine(h.inOrganization)})` : ''}`;
}

/** `/list`: the agent's open conversations. */
export function openConversationList(open: Pick<HandoverSummary, 'ref' | 'visitorName'>[]): string {
  if (open.length === 0) return 'You have no open conversations.';
  return ['Your open conversations:', ...open.map(conversationLine)].join('\n');
}

/** The reply could not be placed: nothing was delivered, and the agent learns how to address it. */
export function unresolvedReplyWarning(reason: string, open: Array<Pick<HandoverSummary, 'ref' | 'visitorName'> & { inOrganization?: string }>): string {
  const choices = open.length === 0 ? 'You have no open conversations.' : ['Open conversations:', ...open.map(conversationLine)].join('\n');
  return `⚠️ ${reason} Nothing was sent to a visitor.\n${choices}\nReply with: #<number>: your message`;
}

/** A message that named no usable conversation is held: the agent picks where it goes (up to 9 choices). */
export function whichConversation(choices: Array<Pick<HandoverSummary, 'ref' | 'visitorName'> & { inOrganization?: string }>, minutes: number): string {
  const listed = choices.map((h, i) => `${i + 1} · ${conversationLine(h)}`).join('  ');
  const numbers =
    choices.length === 1
      ? '1'
      : `${choices
          .slice(0, -1)
          .map((_, i) => i + 1)
          .join(', ')} or ${choices.length}`;
  return `❓ Which conversation? ${listed} — reply ${numbers}. Your message is held for ${minutes} minutes; nothing was sent yet.`;
}

export const agentText = {
  /** a bare number with no held message (or one that expired) */
  nothingHeld: (choice: number) => `⚠️ No message of yours is waiting for a conversation, so "${choice}" was not sent to anyone. Write #<number>: your message.`,
  pickOutOfRange: (count: number) => `⚠️ Reply with a number from 1 to ${count} to choose the conversation; your message is still held.`,
  pickedGone: (h: Pick<HandoverSummary, 'ref' | 'visitorName'> | undefined) =>
    `⚠️ ${h ? conversationLine(h) : 'That conversation'} is no longer open for you; your held message was not sent.`,
  heldDelivered: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) => `✅ Sent to ${conversationLine(h)}.`,
  backToBot: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) => `🤖 ${conversationLine(h)} is back with the assistant.`,
  backToBotByOther: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>, agent: string) =>
    `🤖 ${conversationLine(h)} was handed back to the assistant by ${agent}.`,
  markedWrong: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>, answered: boolean) =>
    `📝 Noted: the assistant's last answer in ${conversationLine(h)} was wrong. ${
      answered
        ? 'Your answer there is now a suggested answer for the knowledge base.'
        : 'Your next answer there becomes a suggested answer for the knowledge base.'
    }`,
  nothingToMark: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) =>
    `⚠️ The assistant has not answered in ${conversationLine(h)}; there is nothing to mark wrong.`,
  claimedByOther: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>, agent: string) => `ℹ️ ${conversationLine(h)} was taken by ${agent}.`,
  refusedClaimed: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>, agent: string) =>
    `⚠️ ${conversationLine(h)} is being answered by ${agent}; your message was not sent.`,
  closedByAgent: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) => `✅ ${conversationLine(h)} is closed.`,
  alreadyClosed: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) => `⚠️ ${conversationLine(h)} is already closed; your message was not sent.`,
  notWaiting: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) => `⚠️ ${conversationLine(h)} is not waiting for an agent right now; your message was not sent.`,
  closedForInactivity: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>, minutes: number) =>
    `⏱️ ${conversationLine(h)} was closed after ${minutes} minutes without messages.`,
  onlyText: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) =>
    `⚠️ Files are not passed on to a WhatsApp customer yet; nothing was sent to ${conversationLine(h)}. Write your answer as text.`,
  /** a WhatsApp customer can be written to only within 24 hours of their last message */
  customerWindowClosed: (h: Pick<HandoverSummary, 'ref' | 'visitorName'>) =>
    `⚠️ ${conversationLine(h)} has not written for 24 hours, so WhatsApp does not let us send free text; your message was not sent. They can be reached again when they write, or with a template from the inbox.`,
};

export const visitorText = {
  connecting: 'Connecting you with an agent. You will see their reply here.',
  queued: (place: number) => `All our agents are busy right now. You are number ${place} in line; we will connect you as soon as an agent is free.`,
  closedByAgent: 'The agent has closed this conversation. Write again any time and our assistant will help you.',
  closedForInactivity: (minutes: number) =>
    `This conversation was closed after ${minutes} minutes without messages. Write again any time and our assistant will help you.`,
  backToAssistant: 'Our agent handed you back to our assistant. Ask anything, or ask for a person again any time.',
  /** the organization has no active agent at all: the bot keeps the conversation */
  noAgents: 'Sorry, no agent could be reached right now. Our assistant is here to help in the meantime.',
  /** agents exist but none can be written to now: the request stays open, waiting */
  noAgentReachable:
    'Sorry, no agent could be reached right now. Your request stays open and an agent will answer here as soon as one is available; you may leave your email address or phone number.',
  /** after noAgentReachable: an agent could be told after all (a template approved, a window opened) */
  agentReachedLater: 'An agent has now been told about your request and will answer here.',
  teamAlerted: 'Our whole team has been alerted and someone will answer here soon. You may also leave your email address or phone number for a reply.',
  outsideHours: (back: string) => `Our agents are away right now and will be back ${back}. Leave your email address and we will get back to you.`,
};
