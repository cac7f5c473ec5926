// The simulator's own wire shapes: what the simulator page posts to /api/webhooks/sim and what it
// receives on the `sim` live channel.

export interface SimMedia {
  url: string;
  mimeType?: string;
  type?: string;
  caption?: string;
  filename?: string;
}

/** A simulated phone writes to a business number. */
export interface SimInboundMessage {
  type?: 'message';
  from: string;
  to: string;
  text?: string;
  media?: SimMedia;
  name?: string;
  /** The page always sends one, so a retried post is de-duplicated like a provider retry. */
  id?: string;
  replyTo?: string;
}

/** The simulated phone reports what happened to a message it received. */
export interface SimStatus {
  type: 'status';
  id: string;
  status: string;
}

export interface SimTyping {
  type: 'typing';
  from: string;
  to: string;
}

export type SimWebhookPayload = SimInboundMessage | SimStatus | SimTyping;

/** Published on channel `sim` when a business number sends to a simulated phone. */
export interface SimDeliveredMessage {
  id: string;
  from: string;
  to: string;
  text: string | null;
  media: SimMedia | null;
  replyTo: string | null;
  createdAt: string;
}
