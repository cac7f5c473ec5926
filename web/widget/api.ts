// The visitor API as the widget uses it: one session per public key, kept in localStorage.
// The message shapes are the server's own (type-only: nothing of src/ enters the bundle).
import type { widgetAppearance } from '../../src/services/widgets/sessions.js';
import type { VisitorAuthor, VisitorMedia, VisitorMessage, VisitorStatus } from '../../src/services/widgets/visitor-outbound.js';

export type Author = VisitorAuthor;
export type Media = VisitorMedia;
export type ChatMessage = VisitorMessage;

export type Appearance = ReturnType<typeof widgetAppearance>;
export type Status = VisitorStatus;

interface Stored {
  sessionId: string;
  token: string;
}

/** An API answer that was not ok: its sentence is shown to the visitor. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The server's answer to a website not in the widget's allowed origins. */
export const ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED';

export class VisitorApi {
  private session: Stored | null = null;
  private readonly storageKey: string;

  constructor(
    private readonly base: string,
    private readonly publicKey: string,
  ) {
    this.storageKey = `switchboard:${publicKey}`;
    try {
      this.session = JSON.parse(localStorage.getItem(this.storageKey) ?? 'null');
    } catch {
      this.session = null;
    }
  }

  get sessionId(): string | undefined {
    return this.session?.sessionId;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-widget-key': this.publicKey };
    if (this.session) headers.authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'The chat server cannot be reached; check your connection.');
    }
    const json = await response.json().catch(() => ({}));
    if (json.code === ORIGIN_NOT_ALLOWED) throw new ApiError(response.status, 'Chat is not enabled on this website.', ORIGIN_NOT_ALLOWED);
    if (!response.ok) throw new ApiError(response.status, json.error || `The chat server answered ${response.status}.`, json.code);
    return json as T;
  }

  /** Resumes the stored session, or starts a new one when there is none or it is gone. */
  async start(): Promise<{ appearance: Appearance; status?: Status; visitorName?: string | null; email?: string | null }> {
    if (this.session) {
      try {
        const { session } = await this.call<{
          session: { widget: Appearance; conversation: { ref: number; status: string } | null; visitorName: string | null; email: string | null };
        }>('GET', `/api/widget/sessions/${this.session.sessionId}`);
        const c = session.conversation;
        return {
          appearance: session.widget,
          status: c ? { conversationRef: c.ref, conversationStatus: c.status } : undefined,
          visitorName: session.visitorName,
          email: session.email,
        };
      } catch (err) {
        if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 404)) throw err;
        this.session = null;
      }
    }
    const created = await this.call<Stored & { widget: Appearance }>('POST', `/api/widget/${this.publicKey}/sessions`, {});
    this.session = { sessionId: created.sessionId, token: created.token };
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.session));
    } catch {
      // private mode: the session lasts as long as the page
    }
    return { appearance: created.widget };
  }

  messages(after?: number): Promise<{ messages: ChatMessage[] }> {
    return this.call('GET', `/api/widget/sessions/${this.sessionId}/messages${after ? `?after=${after}` : ''}`);
  }

  send(text: string, media?: { dataUrl: string; filename: string }): Promise<{ message: ChatMessage }> {
    return this.call('POST', `/api/widget/sessions/${this.sessionId}/messages`, media ? { text: text || undefined, media } : { text });
  }

  /** Asks for a person; a name given here is how agents will call the visitor. */
  handover(visitorName?: string): Promise<{ conversationRef: number; assignedWhatsappNumber: string }> {
    return this.call('POST', `/api/widget/sessions/${this.sessionId}/handover`, visitorName ? { visitorName } : {});
  }

  saveEmail(email: string): Promise<unknown> {
    return this.call('POST', `/api/widget/sessions/${this.sessionId}/email`, { email });
  }

  /** The event stream URL; EventSource cannot send headers, so the token travels in the query. */
  eventsUrl(lastEventId: number): string {
    const q = new URLSearchParams({ token: this.session!.token });
    if (lastEventId) q.set('lastEventId', String(lastEventId));
    return `${this.base}/api/widget/sessions/${this.sessionId}/events?${q}`;
  }
}
