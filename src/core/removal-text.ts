// What a destructive action will do, in the sentences the dashboard's confirmation shows and the
// API answers (the preview before, the DELETE after): revoking a key, deleting a widget or a
// knowledge document, removing a number. Agents' are in seat-text.ts (removalSummary).
import { namesList } from './seat-text.js';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const refs = (list: number[]) => namesList(list.map((r) => `#${r}`));

/** How a key is named: its person (`key 'ci'`), else its first characters. */
export const keyLabel = (key: { name: string | null; prefix: string }) => (key.name ? `key '${key.name}'` : `key ${key.prefix}…`);

export function keyRevocationText(key: { label: string; revokedAt: string | null; sessions: number; yours: boolean }): string {
  if (key.revokedAt) return `The ${key.label} was already revoked (${key.revokedAt}); nothing changes.`;
  const parts = [`Dashboards and scripts using ${key.label} stop working at once; it cannot be turned back on (issue a new key instead).`];
  if (key.sessions > 0) parts.push(`${count(key.sessions, 'dashboard sign-in')} made with it end${key.sessions === 1 ? 's' : ''}.`);
  if (key.yours) parts.push('This dashboard is signed in with it: you are signed out.');
  return parts.join(' ');
}

export function widgetRemovalText(widget: { name: string; origins: string[]; openChats: number[]; visitorSessions: number; poolNumbers: number }): string {
  const sites = widget.origins.includes('*') ? 'every site it is embedded on' : namesList(widget.origins);
  const parts = [`The chat of widget '${widget.name}' disappears from ${sites}.`];
  if (widget.openChats.length > 0) {
    parts.push(
      `${count(widget.openChats.length, 'open chat')} (${refs(widget.openChats)}) ${widget.openChats.length === 1 ? 'is' : 'are'} closed: the visitor and any agent are told, and the conversation stays in the inbox.`,
    );
  } else parts.push('It has no open chats; its past conversations stay in the inbox.');
  if (widget.visitorSessions > 0) parts.push(`${count(widget.visitorSessions, 'visitor')} lose${widget.visitorSessions === 1 ? 's' : ''} their chat history.`);
  if (widget.poolNumbers > 0) parts.push(`Its pool of ${count(widget.poolNumbers, 'number')} is emptied (the numbers stay the organization's).`);
  return parts.join(' ');
}

export function documentRemovalText(document: { title: string; passages: number; trained: boolean }): string {
  if (!document.trained) return `'${document.title}' is deleted. The knowledge base was never trained, so nothing the bot answers changes.`;
  if (document.passages === 0) return `'${document.title}' is deleted. It was added after the last training, so nothing the bot answers changes.`;
  const one = document.passages === 1;
  return `'${document.title}' is deleted and ${count(document.passages, 'entry', 'entries')} ${one ? 'leaves' : 'leave'} the knowledge base: the bot no longer answers from ${one ? 'it' : 'them'}. It is trained again at once without ${one ? 'it' : 'them'}.`;
}

/** One widget that uses the number, and what it does without it. */
export interface WidgetUse {
  name: string;
  as: 'handover number' | 'pool number';
  /** the sender it hands over from afterwards (`its pool`, `the organization's number +1…`), or null: none */
  handsOverFrom: string | null;
}

export function numberRemovalText(number: {
  label: string;
  /** what happens to it at its provider ("It is released at Twilio…") */
  atProvider: string;
  widgets: WidgetUse[];
  /** open conversations of customers who wrote to it: closed */
  closed: number[];
  /** open widget chats it carried to the agents: moved to the widget's next sender */
  moved: number[];
}): string {
  const parts = [number.atProvider];
  for (const w of number.widgets) {
    const change = w.as === 'pool number' ? 'it leaves the pool' : 'that setting is cleared';
    const then = w.handsOverFrom
      ? `it hands over from ${w.handsOverFrom} instead`
      : 'it then has no number to hand over from: visitors asking for a human are told no agent can be reached';
    parts.push(`Widget '${w.name}' uses it as its ${w.as}: ${change}, and ${then}.`);
  }
  if (number.moved.length > 0) {
    const n = number.moved.length;
    parts.push(
      `${count(n, 'open chat')} it carries to the agents (${refs(number.moved)}) ${n === 1 ? 'moves' : 'move'} to the widget's next number: the agents are asked again from there, or, with none free, ${n === 1 ? 'it waits' : 'they wait'} in the inbox.`,
    );
  }
  if (number.closed.length > 0) {
    const n = number.closed.length;
    parts.push(
      `${count(n, 'open WhatsApp conversation')} with customers who wrote to it (${refs(number.closed)}) ${n === 1 ? 'is' : 'are'} closed without a message (it could only be sent from this number); ` +
        `${n === 1 ? 'it stays' : 'they stay'} in the inbox, and a customer writing to ${number.label} again reaches nobody.`,
    );
  }
  if (number.widgets.length + number.moved.length + number.closed.length === 0) parts.push(`No widget and no open conversation use ${number.label}.`);
  return parts.join(' ');
}
