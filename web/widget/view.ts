// The widget's DOM inside a shadow root: a bubble, and a dialog panel with a message log that
// screen readers announce politely. Plain DOM calls keep the bundle small.
import type { Author, ChatMessage, Media } from './api.js';
import { styles } from './styles.js';

type Attrs = Record<string, string>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const WHO: Record<Author, string> = { visitor: 'You', bot: 'Assistant', agent: 'Agent', system: 'Notice' };

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';

export function buildView(root: ShadowRoot) {
  const style = el('style');
  style.textContent = styles;
  const bubble = el('button', { class: 'bubble', type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-controls': 'sb-panel' });
  bubble.innerHTML = CHAT_ICON;
  const title = el('h2', { id: 'sb-title' }, 'Chat');
  const status = el('p', { class: 'status', id: 'sb-status' });
  const human = el('button', { type: 'button', class: 'human' }, 'Talk to a human');
  const close = el('button', { type: 'button', 'aria-label': 'Close chat' }, '✕');
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Messages', tabindex: '0' });
  const typing = el('div', { class: 'typing', 'aria-live': 'polite' });
  const fileInput = el('input', { type: 'file', class: 'sr', tabindex: '-1', 'aria-hidden': 'true' });
  const attach = el('button', { type: 'button', class: 'attach', 'aria-label': 'Attach a file' }, '📎');
  const input = el('textarea', { rows: '1', 'aria-label': 'Message', placeholder: 'Write a message…', maxlength: '4000' });
  const send = el('button', { type: 'submit' }, 'Send');
  const form = el('form', {}, fileInput, attach, input, send);
  // Outside working hours only: the visitor may leave an address to be answered by email.
  const emailInput = el('input', { type: 'email', id: 'sb-email', placeholder: 'you@example.com', autocomplete: 'email', required: '' });
  const emailNote = el('p', { id: 'sb-email-note' });
  const emailForm = el(
    'form',
    { class: 'email', hidden: '', 'aria-describedby': 'sb-email-note' },
    emailNote,
    el('label', { for: 'sb-email' }, 'Your email address'),
    emailInput,
    el('button', { type: 'submit' }, 'Save'),
  );
  // Before the first handover, when no name is known: how agents will call the visitor (optional).
  const nameInput = el('input', { type: 'text', id: 'sb-name', maxlength: '80', autocomplete: 'name', placeholder: 'e.g. Ana' });
  const nameSkip = el('button', { type: 'button', class: 'skip' }, 'Skip');
  const nameForm = el(
    'form',
    { class: 'ask-name', hidden: '', 'aria-describedby': 'sb-name-note' },
    el('p', { id: 'sb-name-note' }, 'An agent will join you. What name should they call you? (optional)'),
    el('label', { for: 'sb-name' }, 'Your name'),
    nameInput,
    el('button', { type: 'submit' }, 'Continue'),
    nameSkip,
  );
  const panel = el(
    'div',
    { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-labelledby': 'sb-title', 'aria-describedby': 'sb-status', hidden: '' },
    el('header', {}, el('div', { class: 't' }, title, status), human, close),
    log,
    typing,
    nameForm,
    emailForm,
    form,
  );
  root.append(style, bubble, panel);
  return {
    bubble,
    panel,
    title,
    status,
    human,
    close,
    log,
    typing,
    fileInput,
    attach,
    input,
    send,
    form,
    emailForm,
    emailInput,
    emailNote,
    nameForm,
    nameInput,
    nameSkip,
  };
}

export type View = ReturnType<typeof buildView>;

function renderMedia(media: Media): Node {
  if (media.type === 'location' && media.latitude !== undefined && media.longitude !== undefined) {
    const url = `https://www.openstreetmap.org/?mlat=${media.latitude}&mlon=${media.longitude}#map=16/${media.latitude}/${media.longitude}`;
    return el('a', { href: url, target: '_blank', rel: 'noopener' }, `📍 ${media.name || 'Location'} (map)`);
  }
  if (!media.url || !/^https?:/.test(media.url)) return document.createTextNode(`[${media.type}]`);
  if (media.type === 'image') return el('img', { src: media.url, alt: media.caption || media.filename || 'Image' });
  return el('a', { href: media.url, target: '_blank', rel: 'noopener', download: media.filename || '' }, `📄 ${media.filename || media.type}`);
}

/** One message: who wrote it is both visible and read out ("Maya: …"); choices the bot offers are quick-reply buttons. */
export function renderMessage(message: ChatMessage, onOffer: () => void, onChoice: (title: string) => void = () => {}): HTMLElement {
  const who = el('span', { class: 'who' }, message.authorName ?? WHO[message.author] ?? message.author);
  const node = el('div', { class: `m ${message.author}`, 'data-id': String(message.id) });
  // The visitor's own bubbles show no visible label; screen readers still hear "You".
  if (message.author === 'visitor') who.className = 'who sr';
  node.append(who, el('span', { class: 'sr' }, ': '));
  if (message.text) node.append(message.text);
  if (message.media) node.append(renderMedia(message.media));
  if (message.choices?.length) {
    const group = el('div', { class: 'choices', role: 'group', 'aria-label': 'Suggested questions' });
    for (const choice of message.choices) {
      const button = el('button', { type: 'button', class: 'choice' }, choice.title);
      button.addEventListener('click', () => onChoice(choice.title));
      group.append(button);
    }
    node.append(group);
  }
  if (message.offerHandover) {
    const offer = el('button', { type: 'button', class: 'offer' }, 'Talk to a human');
    offer.addEventListener('click', onOffer);
    node.append(offer);
  }
  return node;
}
