// What people are told when a conversation changes hands outside an agent's own reply: an agent
// leaves (removed, renumbered, STOP AGENT), the inbox answers or hands it back to the bot, and
// visitors wait for whichever agent writes in next (SPEC §8 "Nobody is orphaned", "The inbox is a
// seat too", "Escalation").
import { clip, conversationLine, oneLine } from './handover-text.js';

type Line = { ref: number; visitorName: string };

/** Names as people say them: `Ben`, `Ben and Ana`, `Ben, Ana and Li`. */
export function namesList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

const chats = (n: number) => `${n} open chat${n === 1 ? '' : 's'}`;

/**
 * What removing an agent does, in one sentence the dashboard asks to confirm: "Rosa answers 8 open
 * chats: they go to Ben and Ana."
 */
export function removalSummary(agent: string, handedOff: Array<{ to: string[] }>, waiting: number): string {
  const total = handedOff.length + waiting;
  if (total === 0) return `${agent} answers no open chats.`;
  const groups = new Map<string, number>();
  for (const h of handedOff) groups.set(namesList(h.to), (groups.get(namesList(h.to)) ?? 0) + 1);
  const parts = [...groups].map(([to, n]) => (total === n ? `they go to ${to}` : `${n} go${n === 1 ? 'es' : ''} to ${to}`));
  if (waiting > 0) {
    parts.push(
      waiting === total
        ? 'nobody else can take them, so they wait in the inbox for the next agent and their visitors are told'
        : `${waiting} wait${waiting === 1 ? 's' : ''} in the inbox for the next agent (nobody else can take ${waiting === 1 ? 'it' : 'them'}; the visitor${waiting === 1 ? ' is' : 's are'} told)`,
    );
  }
  return `${agent} answers ${chats(total)}: ${parts.join('; ')}.`;
}

export const seatText = {
  /** to the visitor whose agent left, when other agents were notified */
  agentLeftHandedOff: 'Your agent had to leave this chat. Another agent has been asked to take over and will answer you here.',
  /** to the visitor whose agent left, when nobody else can take it */
  agentLeftWaiting: 'Your agent had to leave this chat. The team has been told and will answer you here as soon as someone is free.',
  /** to the agent(s) of a conversation the inbox answered */
  answeredFromInbox: (h: Line, by: string, text: string) => clip(`#${h.ref} answered by ${oneLine(by)}: ${oneLine(text)}`, 1500),
  /** to the agent(s) of a conversation the inbox gave back to the bot */
  handedBackToBot: (h: Line, by: string) => `ℹ️ ${conversationLine(h)} was handed back to the assistant by ${oneLine(by)}.`,
  /** to the visitor, when the inbox gives the conversation back to the bot */
  backToAssistant: 'Our assistant will answer you again from here. Ask for a person any time.',
  /** to an active agent who writes in while visitors wait for whoever comes next */
  waitingOffer: (waiting: Array<Line & { inOrganization?: string }>) => {
    const n = waiting.length;
    const first = waiting[0]!;
    return [
      `🙋 ${n} visitor${n === 1 ? ' is' : 's are'} waiting: ${waiting.map((h) => conversationLine(h)).join(', ')}`,
      `Reply #${first.ref}: your message — to take ${n === 1 ? 'it' : 'one'}.`,
    ].join('\n');
  },
};
