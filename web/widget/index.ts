// The embeddable chat widget: <script src="…/widget.js" data-widget="PUBLIC_KEY" async></script>.
// It draws itself in a shadow root, keeps the visitor's session per public key, and receives
// messages over EventSource; after a drop it catches up from the last message id it has.
import { humanHasIt } from '../../src/core/status.js';
import { ApiError, type Appearance, type ChatMessage, ORIGIN_NOT_ALLOWED, type Status, VisitorApi } from './api.js';
import { buildView, el, renderMessage, type View } from './view.js';

const MAX_FILE_BYTES = 5 * 1024 * 1024;

const STATUS_TEXT: Record<string, string> = {
  bot: 'Our assistant answers right away',
  waiting_agent: 'Waiting for an agent to join…',
  agent: 'An agent is with you',
  closed: 'The conversation was closed; write to start again',
};

class Widget {
  private readonly api: VisitorApi;
  private readonly view: View;
  private readonly seen = new Set<number>();
  private lastId = 0;
  private started: Promise<void> | null = null;
  private events: EventSource | null = null;
  private retryMs = 1000;
  /** a name the visitor gave, or true once they skipped: asked once, before the first handover */
  private visitorName: string | null = null;
  private nameAsked = false;
  /** an address left already: the email form is not offered again */
  private emailLeft = false;

  constructor(base: string, publicKey: string, host: HTMLElement) {
    this.api = new VisitorApi(base, publicKey);
    this.view = buildView(host.attachShadow({ mode: 'open' }));
    this.bind();
    // A returning visitor sees replies that came while the page was closed.
    if (this.api.sessionId) void this.ensureStarted();
  }

  private bind() {
    const v = this.view;
    v.bubble.addEventListener('click', () => this.setOpen(v.panel.hidden));
    v.close.addEventListener('click', () => this.setOpen(false));
    v.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.setOpen(false);
      }
    });
    v.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        v.form.requestSubmit();
      }
    });
    v.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = v.input.value.trim();
      if (!text) return;
      v.input.value = '';
      this.sendText(text);
    });
    v.attach.addEventListener('click', () => v.fileInput.click());
    v.fileInput.addEventListener('change', () => {
      const file = v.fileInput.files?.[0];
      v.fileInput.value = '';
      if (file) void this.act(() => this.sendFile(file));
    });
    v.human.addEventListener('click', () => this.askForHuman());
    v.nameForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.handOver(v.nameInput.value.trim() || undefined);
    });
    v.nameSkip.addEventListener('click', () => this.handOver(undefined));
    v.emailForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.act(async () => {
        await this.api.saveEmail(v.emailInput.value.trim());
        v.emailForm.hidden = true;
        this.emailLeft = true;
        this.notice('Thank you — we will write to you by email.');
      });
    });
  }

  /** Opening focuses the message box; closing gives focus back to the bubble. */
  private setOpen(open: boolean) {
    const v = this.view;
    v.panel.hidden = !open;
    v.bubble.setAttribute('aria-expanded', String(open));
    v.bubble.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    if (open) {
      v.input.focus();
      void this.ensureStarted();
    } else {
      v.bubble.focus();
    }
  }

  private ensureStarted(): Promise<void> {
    this.started ??= this.start().catch((err) => {
      // On a website the widget does not allow, trying again changes nothing: say so once, offer nothing.
      if (err instanceof ApiError && err.code === ORIGIN_NOT_ALLOWED) {
        this.view.form.hidden = true;
        this.view.human.hidden = true;
      } else this.started = null;
      this.notice(err instanceof Error ? err.message : 'The chat could not start.');
    });
    return this.started;
  }

  private async start() {
    const { appearance, status, visitorName, email } = await this.api.start();
    this.visitorName = visitorName ?? null;
    this.emailLeft = Boolean(email);
    this.applyAppearance(appearance);
    if (status) this.applyStatus(status);
    await this.catchUp();
    if (!this.lastId && appearance.greeting) this.notice(appearance.greeting, 'bot');
    this.listen();
  }

  private applyAppearance(a: Appearance) {
    const v = this.view;
    v.title.textContent = a.title;
    v.panel.style.setProperty('--sb-primary', a.colors.primary ?? '');
    if (a.colors.text) v.panel.style.setProperty('--sb-on-primary', a.colors.text);
    if (a.colors.primary) v.bubble.style.background = a.colors.primary;
    v.status.textContent = a.online ? STATUS_TEXT.bot! : 'Our team is away right now';
    if (!a.online) this.offerEmail(a.offlineMessage || 'Our team is away right now. Leave your email address and we will write to you.');
  }

  /** Outside working hours only, and only until an address was left. */
  private offerEmail(note: string) {
    if (this.emailLeft) return;
    this.view.emailNote.textContent = note;
    this.view.emailForm.hidden = false;
  }

  private async catchUp() {
    const { messages } = await this.api.messages(this.lastId);
    for (const m of messages) this.show(m);
  }

  /** EventSource reconnects by itself (with Last-Event-ID); when it gives up, catch up and reopen. */
  private listen() {
    this.events?.close();
    const events = new EventSource(this.api.eventsUrl(this.lastId));
    this.events = events;
    events.addEventListener('open', () => (this.retryMs = 1000));
    events.addEventListener('message', (e) => this.show(JSON.parse((e as MessageEvent).data)));
    events.addEventListener('status', (e) => this.applyStatus(JSON.parse((e as MessageEvent).data)));
    events.addEventListener('error', () => {
      if (events.readyState !== EventSource.CLOSED) return;
      setTimeout(
        () =>
          void this.catchUp().then(
            () => this.listen(),
            () => this.listen(),
          ),
        this.retryMs,
      );
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
  }

  private show(message: ChatMessage) {
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    this.lastId = Math.max(this.lastId, message.id);
    if (message.author === 'agent') this.view.typing.textContent = '';
    this.append(
      renderMessage(
        message,
        () => this.askForHuman(),
        (title) => this.sendText(title),
      ),
    );
  }

  /** Sends what the visitor typed, or the title of a quick reply they picked. */
  private sendText(text: string) {
    void this.act(async () => {
      this.show((await this.api.send(text)).message);
    });
  }

  /** A line only this page shows (greeting, errors), not stored on the server. */
  private notice(text: string, author: 'bot' | 'system' = 'system') {
    this.append(renderMessage({ id: 0, author, text, media: null, createdAt: '' }, () => {}));
  }

  private append(node: HTMLElement) {
    const log = this.view.log;
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  private applyStatus(s: Status) {
    const v = this.view;
    if (s.conversationStatus) {
      v.status.textContent = STATUS_TEXT[s.conversationStatus] ?? s.conversationStatus;
      v.human.hidden = humanHasIt(s.conversationStatus);
    }
    if (s.agentTyping !== undefined) v.typing.textContent = s.agentTyping ? 'Agent is typing…' : '';
    if (s.seenMessageId) {
      for (const node of v.log.querySelectorAll<HTMLElement>('.m.visitor')) {
        if (Number(node.dataset.id) <= s.seenMessageId && !node.querySelector('.seen')) node.append(el('span', { class: 'seen' }, 'Seen'));
      }
    }
  }

  /** Before the first handover a visitor with no name is asked for one (optional, skippable). */
  private askForHuman() {
    if (!this.visitorName && !this.nameAsked) {
      this.nameAsked = true;
      this.view.nameForm.hidden = false;
      this.view.nameInput.focus();
      return;
    }
    this.handOver(undefined);
  }

  private handOver(name: string | undefined) {
    this.view.nameForm.hidden = true;
    if (name) this.visitorName = name;
    void this.act(async () => {
      try {
        const { conversationRef } = await this.api.handover(name);
        this.applyStatus({ conversationRef, conversationStatus: 'waiting_agent' });
      } catch (err) {
        // 409: outside working hours. The sentence says when agents are back; offer the email form.
        if (!(err instanceof ApiError) || err.status !== 409) throw err;
        if (this.emailLeft) return this.notice(err.message);
        this.offerEmail(err.message);
        this.view.emailInput.focus();
      }
    });
  }

  private async sendFile(file: File) {
    if (file.size > MAX_FILE_BYTES) throw new ApiError(400, 'Files can be at most 5 MB.');
    const dataUrl = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(new ApiError(0, 'The file could not be read.'));
      reader.readAsDataURL(file);
    });
    this.show((await this.api.send('', { dataUrl, filename: file.name })).message);
  }

  /** Runs a visitor action; a failure becomes a notice in the log rather than a silent error. */
  private async act(action: () => Promise<void>) {
    try {
      await this.ensureStarted();
      if (!this.api.sessionId) return; // the start failed and said so
      await action();
    } catch (err) {
      this.notice(err instanceof Error ? err.message : 'Something went wrong.');
    }
  }
}

function boot() {
  const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-widget]');
  const publicKey = script?.dataset.widget;
  if (!script || !publicKey) return;
  const host = el('div', { id: 'switchboard-widget' });
  const mount = () => {
    document.body.append(host);
    new Widget(new URL(script.src).origin, publicKey, host);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
}

boot();
